// Send invitations: the button says how many are ticked (and so does its confirmation),
// and a header box ticks or unticks everyone who can be invited. No inline scripts.
(function () {
  "use strict";

  function boxes(form) {
    return Array.prototype.slice.call(
      form.querySelectorAll('input[name="invitations"]:not(:disabled)')
    );
  }

  function update(form) {
    var all = boxes(form);
    var n = all.filter(function (box) { return box.checked; }).length;
    var button = form.querySelector("[data-send-button]");
    if (button) {
      var label = button.querySelector("[data-send-label]");
      var one = n === 1;
      label.textContent = (one ? button.dataset.labelOne : button.dataset.labelMany).replace("__n__", n);
      button.dataset.confirm = (one ? button.dataset.confirmOne : button.dataset.confirmMany).replace("__n__", n);
    }
    var toggle = form.querySelector("[data-select-all]");
    if (toggle) {
      toggle.checked = n > 0 && n === all.length;
      toggle.indeterminate = n > 0 && n < all.length;
    }
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-send-form]");
    if (!form) {
      return;
    }
    if (event.target.matches("[data-select-all]")) {
      boxes(form).forEach(function (box) { box.checked = event.target.checked; });
    }
    update(form);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-send-form]").forEach(function (form) {
      var toggle = form.querySelector("[data-select-all]");
      if (toggle && boxes(form).length) {
        toggle.hidden = false;
      }
      update(form);
    });
  });
})();
