// Copies htmx and GOV.UK Frontend's JS and images (not the GDS Transport fonts) into ../static/govuk.
const fs = require("fs");
const path = require("path");
const src = path.join(__dirname, "node_modules/govuk-frontend/dist/govuk");
const dest = path.join(__dirname, "../static/govuk");
fs.mkdirSync(path.join(dest, "assets/images"), { recursive: true });
fs.copyFileSync(path.join(src, "govuk-frontend.min.js"), path.join(dest, "govuk-frontend.min.js"));
fs.mkdirSync(path.join(__dirname, "../static/js"), { recursive: true });
fs.copyFileSync(path.join(__dirname, "node_modules/htmx.org/dist/htmx.min.js"), path.join(__dirname, "../static/js/htmx.min.js"));
for (const f of fs.readdirSync(path.join(src, "assets/images"))) {
  fs.copyFileSync(path.join(src, "assets/images", f), path.join(dest, "assets/images", f));
}
