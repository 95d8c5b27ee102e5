// Live countdown for the last day(s) of a window: <span class="countdown-clock" data-deadline="ISO">.
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    document.querySelectorAll(".countdown-clock[data-deadline]").forEach(function (el) {
      var left = Math.floor((new Date(el.dataset.deadline).getTime() - Date.now()) / 1000);
      if (isNaN(left)) { return; }
      if (left <= 0) { el.textContent = "（已截止）"; return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      var m = Math.floor(left % 3600 / 60), s = left % 60;
      el.textContent = "（" + (d ? d + "天" : "") + pad(h) + ":" + pad(m) + ":" + pad(s) + "）";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
