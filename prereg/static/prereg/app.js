// prereg — small progressive enhancements; no inline script anywhere (strict CSP).
(function () {
  "use strict";
  // <button data-confirm="…">: ask before a consequential act.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // Forms with data-once: a double click submits once.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-once")) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    }
  });
  // Org pickers (export filter): a search result fills the hidden id; typing again clears it
  // until another result is chosen (the server refuses text that names no chosen org).
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-org-id]");
    var picker = option && option.closest("[data-org-picker]");
    if (!picker) { return; }
    picker.querySelector("[data-org-value]").value = option.getAttribute("data-org-id");
    picker.querySelector("[data-org-text]").value = option.getAttribute("data-org-name");
    picker.querySelector(".org-results").innerHTML = "";
  });
  document.addEventListener("input", function (event) {
    var picker = event.target.closest("[data-org-picker]");
    if (picker && event.target.hasAttribute("data-org-text")) {
      picker.querySelector("[data-org-value]").value = "";
    }
  });
  // Rows with data-href open on double click (reviewer lists: 双击打开).
  document.addEventListener("dblclick", function (event) {
    var row = event.target.closest("[data-href]");
    if (row) { window.location.href = row.getAttribute("data-href"); }
  });
  // The returned-application popup (corner, every back-office page): once per session for the
  // same latest notice.
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-notice-close]");
    if (!close) { return; }
    var popup = close.closest("#notice-popup");
    try { window.sessionStorage.setItem("notice-popup-dismissed", popup.getAttribute("data-latest")); } catch (e) { /* private mode */ }
    popup.classList.add("hidden");
  });
  document.addEventListener("DOMContentLoaded", function () {
    var popup = document.getElementById("notice-popup");
    if (!popup) { return; }
    try {
      if (window.sessionStorage.getItem("notice-popup-dismissed") === popup.getAttribute("data-latest")) {
        popup.classList.add("hidden");
      }
    } catch (e) { /* private mode: keep it visible */ }
  });
})();
