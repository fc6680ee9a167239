// Olive Branch: small behaviours shared by every page. No inline scripts (CSP-ready).
(function () {
  "use strict";

  // Destructive buttons carry data-confirm="question?": ask before the form is sent.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // A table wider (or taller) than its box scrolls inside .table-responsive: such a box takes
  // the focus, so that the keyboard alone can scroll it (WCAG 2.1.1), and is named after its
  // table. Boxes that do not scroll stay out of the Tab order.
  var SCROLLERS = ".table-responsive, .ob-timeline-table";

  function markScrollers() {
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      if (box.hasAttribute("tabindex") && !box.dataset.obScroller) {
        return;  // the template decided
      }
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      var table = box.querySelector("table");
      if (scrolls && !box.dataset.obScroller) {
        box.dataset.obScroller = "1";
        box.tabIndex = 0;
        var section = box.closest("section[aria-labelledby]");
        var labelledBy = (table && table.getAttribute("aria-labelledby")) ||
          (section && section.getAttribute("aria-labelledby"));
        var caption = table && table.caption && table.caption.textContent.trim();
        if (labelledBy || caption) {
          box.setAttribute("role", "region");
          if (labelledBy) {
            box.setAttribute("aria-labelledby", labelledBy);
          } else {
            box.setAttribute("aria-label", caption);
          }
        }
      } else if (!scrolls && box.dataset.obScroller) {
        delete box.dataset.obScroller;
        ["tabindex", "role", "aria-labelledby", "aria-label"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  // After an htmx swap, the element its trigger names in data-focus-after takes the focus,
  // so that a keyboard user is not sent back to the top of the page (WCAG 2.4.3). An answer
  // that refused something puts the focus on what it says instead: the first invalid field,
  // else its alert.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    var source = config && config.elt;
    var wanted = source && source.getAttribute && source.getAttribute("data-focus-after");
    if (!wanted) {
      return;
    }
    var swapped = document.querySelector(source.getAttribute("hx-target") || "body");
    var refused = swapped && swapped.querySelector(".is-invalid, [role=alert]");
    var next = refused || document.getElementById(wanted);
    if (next) {
      next.focus();
    }
  });

  var resizing = null;
  document.addEventListener("DOMContentLoaded", markScrollers);
  document.addEventListener("htmx:afterSettle", markScrollers);
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(markScrollers, 150);
  });

})();
