// Reviewer pages: image viewer (zoom, rotate, next/previous), field-by-field advance,
// select-all for 批量提交, reason fill. No inline script (strict CSP).
(function () {
  "use strict";

  function viewerState(viewer) {
    if (!viewer._state) { viewer._state = { index: 0, zoom: 1, rotate: 0 }; }
    return viewer._state;
  }

  function render(viewer) {
    var state = viewerState(viewer);
    var img = viewer.querySelector("[data-viewer-main]");
    var thumbs = viewer.querySelectorAll("[data-viewer-src]");
    if (!img || !thumbs.length) { return; }
    var thumb = thumbs[state.index];
    var src = thumb.getAttribute("data-viewer-src");
    var stage = viewer.querySelector(".viewer-stage");
    if (img.getAttribute("src") !== src) {
      img.setAttribute("src", src);
      if (stage) { stage.scrollTop = 0; stage.scrollLeft = 0; }  // a picture is read from its top
    }
    layout(viewer);
    thumbs.forEach(function (t, i) {
      t.classList.toggle("active", i === state.index);
      if (i === state.index) { t.setAttribute("aria-current", "true"); } else { t.removeAttribute("aria-current"); }
    });
    var count = viewer.querySelector("[data-viewer-count]");
    if (count) { count.textContent = (state.index + 1) + " / " + thumbs.length; }
    var open = viewer.querySelector("[data-viewer-open]");
    if (open) { open.setAttribute("href", src); }
  }

  // The picture at its zoom and turn, the canvas sized to the box it covers (so the stage scrolls to
  // each of its edges): at zoom 1 it fits the stage, never larger than itself.
  // The scale at zoom 1: the picture fits the stage, never larger than itself; null before it has a size.
  // A long one (a long screenshot, more than twice as tall as the stage's shape) fits its width and is
  // read by scrolling down from its top: fitted whole, a 680×4410 one opened 64 px wide (photo probe).
  function fitScale(viewer) {
    var state = viewerState(viewer);
    var img = viewer.querySelector("[data-viewer-main]");
    var stage = viewer.querySelector(".viewer-stage");
    // Laid out again once loaded, and once its item is opened (a closed <details> has no size).
    if (!img || !stage || !img.naturalWidth || !stage.clientWidth) { return null; }
    var turned = state.rotate % 180 !== 0;
    var width = turned ? img.naturalHeight : img.naturalWidth;
    var height = turned ? img.naturalWidth : img.naturalHeight;
    var byWidth = stage.clientWidth / width;
    var long = height / width > 2 * stage.clientHeight / stage.clientWidth;
    return Math.min(byWidth, long ? byWidth : stage.clientHeight / height, 1);
  }
  // Zoomed in as far as twice the picture's own size, and at least 6 times its fitted size: a long screenshot
  // fitted to the stage's height could not be read in the viewer at 6 times (photo probe).
  function maxZoom(viewer) {
    var fit = fitScale(viewer);
    return Math.max(6, fit ? 2 / fit : 6);
  }
  function layout(viewer) {
    var state = viewerState(viewer);
    var img = viewer.querySelector("[data-viewer-main]");
    var fit = fitScale(viewer);
    if (fit === null) { return; }
    var turned = state.rotate % 180 !== 0;
    var shownWidth = turned ? img.naturalHeight : img.naturalWidth;
    var shownHeight = turned ? img.naturalWidth : img.naturalHeight;
    var scale = fit * state.zoom;
    var canvas = img.parentElement;
    canvas.classList.add("sized");
    canvas.style.width = shownWidth * scale + "px";
    canvas.style.height = shownHeight * scale + "px";
    img.style.width = img.naturalWidth * scale + "px";
    img.style.height = img.naturalHeight * scale + "px";
    img.style.transform = "translate(-50%, -50%) rotate(" + state.rotate + "deg)";
  }
  document.addEventListener("load", function (event) {
    var viewer = event.target.matches && event.target.matches("[data-viewer-main]") && event.target.closest("[data-viewer]");
    if (viewer) { layout(viewer); }
  }, true);
  // A closed item shows its thumbnail (already loaded for the strip below it) and fetches its full
  // photo only when opened: phone photos are up to 3 MB and an application has about fourteen.
  // The viewer the arrow keys move: the one last used or opened (several items may be open at once).
  var lastViewer = null;
  document.addEventListener("toggle", function (event) {
    var viewer = event.target.querySelector && event.target.open && event.target.querySelector("[data-viewer]");
    if (viewer) { lastViewer = viewer; render(viewer); }
  }, true);
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-viewer]").forEach(layout);
  });
  document.querySelectorAll("[data-viewer]").forEach(layout);  // pictures loaded before this script

  document.addEventListener("click", function (event) {
    lastViewer = event.target.closest("[data-viewer]") || lastViewer;
    var action = event.target.closest("[data-viewer-action]");
    var thumb = event.target.closest("[data-viewer-src]");
    var viewer = (action || thumb) && (action || thumb).closest("[data-viewer]");
    // A thumbnail is a link to its full-size picture: shown here instead, unless asked for in a new tab or window.
    if (thumb && (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0)) { return; }
    if (thumb) { event.preventDefault(); }
    if (viewer) {
      var state = viewerState(viewer);
      var total = viewer.querySelectorAll("[data-viewer-src]").length;
      if (thumb) {
        state.index = Array.prototype.indexOf.call(viewer.querySelectorAll("[data-viewer-src]"), thumb);
        state.zoom = 1; state.rotate = 0;
      } else {
        switch (action.getAttribute("data-viewer-action")) {
          case "next": state.index = (state.index + 1) % total; state.zoom = 1; state.rotate = 0; break;
          case "prev": state.index = (state.index - 1 + total) % total; state.zoom = 1; state.rotate = 0; break;
          case "zoom-in": state.zoom = Math.min(state.zoom * 1.25, maxZoom(viewer)); break;
          case "zoom-out": state.zoom = Math.max(state.zoom / 1.25, 0.3); break;
          case "rotate": state.rotate = (state.rotate + 90) % 360; break;  // 向右旋转
          case "rotate-left": state.rotate = (state.rotate + 270) % 360; break;  // a quarter turn back, kept 0-359
          default: state.zoom = 1; state.rotate = 0;
        }
      }
      render(viewer);
      return;
    }
    // 填入不同意原因: the fields ticked 否 start the reason.
    var fill = event.target.closest("[data-fill-reason]");
    if (fill) {
      var reason = document.querySelector("[data-reason]");
      if (reason) {
        var text = fill.getAttribute("data-fill-reason");
        if (reason.value.indexOf(text) === -1) { reason.value = text + (reason.value ? "\n" + reason.value : ""); }
        reason.focus();
      }
      return;
    }
  });

  // Keyboard: arrows move between images of the open field when focus is not in a text box.
  document.addEventListener("keydown", function (event) {
    if (/INPUT|TEXTAREA|SELECT/.test(event.target.tagName)) { return; }
    var used = event.target.closest && event.target.closest("[data-viewer]");
    if (!used && lastViewer && lastViewer.isConnected && lastViewer.closest("details[open]")) { used = lastViewer; }
    var open = used || document.querySelector("details[data-check-field][open] [data-viewer]");
    if (!open) { return; }
    var name = { ArrowRight: "next", ArrowLeft: "prev" }[event.key];
    var button = name && open.querySelector('[data-viewer-action="' + name + '"]');
    if (button) { button.click(); }
  });

  // Keyboard: Y or 1 answers 与原件一致 是, N or 2 answers 否, for the open item holding the focus or, with the focus
  // nowhere (after a click on its picture), the item last used or opened (as the arrow keys pick it). It clicks
  // the item's own button: the same request, and the focus goes on to the next item. Tabbing to 是 took 10-12
  // presses per item past the viewer's buttons. Never while typing (the opinion, the reason), with Ctrl, Alt or
  // Meta held, or on a held key's repeats (which would answer item after item).
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.repeat || event.isComposing) { return; }
    if (/INPUT|TEXTAREA|SELECT/.test(event.target.tagName) || event.target.isContentEditable) { return; }
    var answer = { y: "1", "1": "1", n: "0", "2": "0" }[(event.key || "").toLowerCase()];
    if (!answer) { return; }
    var item = event.target.closest && event.target.closest("[data-check-field]");
    if (!item && (event.target === document.body || event.target === document.documentElement)) {
      var last = lastViewer && lastViewer.isConnected && lastViewer.closest("details[data-check-field][open]");
      item = last || document.querySelector("details[data-check-field][open]");
    }
    // A closed item is not answered unseen: Enter or Space opens it first.
    var button = item && item.open && item.querySelector('button[name="consistent"][value="' + answer + '"]');
    if (!button || button.disabled || (button.form && button.form.classList.contains("htmx-request"))) { return; }
    event.preventDefault();
    button.click();
  });

  // After a 是/否 tick the field closes and the next field not yet ticked opens (manual 四.4).
  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail.elt;
    if (!swapped || !swapped.matches || !swapped.matches("[data-check-field]")) {
      swapped = document.getElementById(event.detail.target && event.detail.target.id);
    }
    if (!swapped || !swapped.matches("[data-check-field]")) { return; }
    var fields = Array.prototype.slice.call(document.querySelectorAll("[data-check-field]"));
    fields.forEach(function (f) { f.open = false; });
    var index = fields.indexOf(swapped);
    var next = fields.slice(index + 1).concat(fields.slice(0, index)).filter(function (f) {
      return !f.getAttribute("data-consistent");
    })[0];
    var target = next || document.querySelector(".decision");
    if (next) { next.open = true; }
    if (!target) { return; }
    target.scrollIntoView({ behavior: "smooth", block: "start" });
    // The ticked button was swapped out, which dropped focus to <body>: a keyboard user goes on from
    // the item that opened (its summary) or, after the last one, from the 审核意见 heading.
    var focus = next ? next.querySelector("summary") : target.querySelector("[data-decision-heading]");
    if (focus) { focus.focus({ preventScroll: true }); }
  });

  // 不通过原因 starts from the items ticked 否 (the text of 填入不同意原因 in the decision state): on load, and
  // after each 是/否 tick swaps a new decision state in. What the box holds is replaced only while it is empty
  // or still the text filled in last (on load, the page's own): never the reviewer's words.
  function fillReason() {
    var reason = document.querySelector("[data-reason]");
    if (!reason) { return; }
    var button = document.querySelector("#decision-state [data-fill-reason]");
    var text = button ? button.getAttribute("data-fill-reason") : "";
    var filled = reason.hasAttribute("data-reason-filled") ? reason.getAttribute("data-reason-filled") : text;
    if (reason.value.trim() !== "" && reason.value !== filled) { return; }
    reason.value = text;
    reason.setAttribute("data-reason-filled", text);
  }
  fillReason();
  document.addEventListener("htmx:afterSwap", fillReason);

  // Select all rows for 批量提交.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-check-all]");
    if (!all) { return; }
    var name = all.getAttribute("data-check-all");
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });

})();
