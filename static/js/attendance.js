// Attendance sheet: a name filter for long lists. Without JavaScript the field stays
// hidden and the whole list shows; nothing else depends on this file.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function apply(input) {
    var wanted = fold(input.value.trim());
    document.querySelectorAll("#attendance-sheet .attendance-row").forEach(function (row) {
      row.hidden = wanted !== "" && fold(row.textContent).indexOf(wanted) === -1;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("attendance-filter");
    if (!input) {
      return;
    }
    input.closest("[hidden]") && input.closest("[hidden]").removeAttribute("hidden");
    input.addEventListener("input", function () { apply(input); });
    // "Mark all" redraws the list: keep it filtered.
    document.body.addEventListener("htmx:afterSwap", function () { apply(input); });
  });
})();
