// The language switcher (templates/core/_language_switcher.html) works without this file:
// it only closes the open menu on Escape (focus back on its toggle) or a click elsewhere.
(function () {
  "use strict";

  function openSwitchers() {
    return document.querySelectorAll("details[data-ob-language][open]");
  }

  document.addEventListener("click", function (event) {
    openSwitchers().forEach(function (details) {
      if (!details.contains(event.target)) {
        details.removeAttribute("open");
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    openSwitchers().forEach(function (details) {
      details.removeAttribute("open");
      var toggle = details.querySelector("summary");
      if (toggle) {
        toggle.focus();
      }
    });
  });
})();
