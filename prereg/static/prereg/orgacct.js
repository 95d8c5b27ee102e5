// Org and account lists: a header checkbox selects every row (batch enable/disable).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target.closest(".check-all");
    if (!all) { return; }
    var table = all.closest("table");
    table.querySelectorAll("tbody input[type=checkbox]").forEach(function (box) { box.checked = all.checked; });
  });
})();
