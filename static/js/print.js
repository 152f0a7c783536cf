// "Print this page" links: print in place when scripts run; without them the link leads to the
// same page with a note to use the browser's print command. A module, so no inline script.
for (const link of document.querySelectorAll("[data-app-print]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    window.print();
  });
}
