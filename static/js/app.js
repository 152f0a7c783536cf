// Starts GOV.UK Frontend's components. Loaded as a module, so no inline script is needed
// (the Content Security Policy forbids them).
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Small screens: a wide table or chart scrolls inside its own container, never the page.
// Templates may write `<div class="app-table-wrapper">` round a table themselves; a table
// left bare is wrapped here, and every chart's SVG goes in a `.app-figure__scroll`.
function wrap(element, className) {
  const wrapper = document.createElement("div");
  wrapper.className = className;
  element.parentNode.insertBefore(wrapper, element);
  wrapper.appendChild(element);
  return wrapper;
}

function wrapWideThings(root) {
  root.querySelectorAll("table.govuk-table").forEach((table) => {
    if (!table.parentElement.matches(".app-table-wrapper, .app-table-scroll")) {
      wrap(table, "app-table-wrapper");
    }
  });
  root.querySelectorAll(".app-figure > svg").forEach((svg) => wrap(svg, "app-figure__scroll"));
}

// A container that scrolls is a labelled region that takes focus, so it can be scrolled with
// the keyboard (WCAG 2.1.1) and a screen reader says what it holds; one that fits is neither.
function labelFor(scroller) {
  const caption = scroller.querySelector("caption");
  const figcaption = scroller.closest("figure")?.querySelector("figcaption");
  const text = (caption || figcaption)?.textContent.trim().replace(/\s+/g, " ");
  return text || (scroller.querySelector("table") ? "Table" : "Chart");
}

function markScrollers() {
  const scrollers = ".app-table-wrapper, .app-table-scroll, .app-figure__scroll";
  document.querySelectorAll(scrollers).forEach((scroller) => {
    if (scroller.scrollWidth > scroller.clientWidth + 1) {
      scroller.setAttribute("tabindex", "0");
      scroller.setAttribute("role", "region");
      scroller.setAttribute("aria-label", `${labelFor(scroller)} (scrolls sideways)`);
    } else {
      scroller.removeAttribute("tabindex");
      scroller.removeAttribute("role");
      scroller.removeAttribute("aria-label");
    }
  });
}

function onSmallScreens() {
  const main = document.getElementById("main-content");
  if (main) {
    wrapWideThings(main);
  }
  markScrollers();
}

onSmallScreens();
// Parts of a page that htmx swaps in get the same treatment.
document.body.addEventListener("htmx:afterSettle", onSmallScreens);
let resizeTimer;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(markScrollers, 150);
});
