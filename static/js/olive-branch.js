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

})();
