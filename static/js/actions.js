// Follow-up actions: with JavaScript the status select saves on change through htmx, so the
// "Set" button (for browsers without it) is hidden. No inline scripts.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
})();
