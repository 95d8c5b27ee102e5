// prereg — the candidate's form: rows (⊕/⊖), unit choice, image downscaling and upload progress.
(function () {
  "use strict";
  // What the server takes and keeps (prereg/applications/images.py, given to the page by the 证件图片
  // panel's data- attributes: views.form.upload_limits): IMAGE_MAX_BYTES a file, and a number of pixels that
  // depends on how the picture decodes: a JPEG decoded in one pass up to 40 MP, a PNG, a BMP or a JPEG
  // decoded in several passes (progressive, some cameras' files) far fewer (IMAGE_MAX_PIXELS_FULL_DECODE). The browser
  // cannot tell those JPEGs apart, so every picture is decoded here and redrawn at the size the server
  // stores it at (images.stored_size: a long screenshot keeps a readable width), never over the latter.
  function uploadLimits() {
    var holder = document.querySelector("[data-upload-limits]");
    if (!holder) { return null; }
    function number(name) { return Number(holder.getAttribute("data-" + name)) || 0; }
    return { maxSide: number("stored-max-side"), shortSide: number("stored-short-side"),
             storedPixels: number("stored-max-pixels"), maxPixels: number("max-pixels"),
             maxBytes: number("max-bytes") };
  }

  // The scale images.stored_size() applies to a width×height picture (at most 1), kept within maxPixels.
  function storedScale(limits, width, height) {
    var longSide = Math.max(width, height), shortSide = Math.min(width, height), pixels = width * height;
    var scale = Math.max(Math.min(1, limits.maxSide / longSide),
                         Math.min(1, limits.shortSide / shortSide, Math.sqrt(limits.storedPixels / pixels)));
    return Math.min(scale, Math.sqrt(limits.maxPixels / pixels));
  }

  // The session's CSRF token as it is now: a login in another tab renews it, and the token the
  // page was drawn with is then refused.
  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // ⊕: append a blank row from the formset's <template>; ⊖: mark the row deleted and hide it.
  // A table takes at most data-max-rows rows, as its formset (max_num) does, deleted ones not counted:
  // ⊕ is disabled there and says so (最多N行), instead of the save refusing the rows once all is typed.
  function totalForms(rows) {
    return rows.querySelector("[name=" + rows.getAttribute("data-rows") + "-TOTAL_FORMS]");
  }
  function fitAddRow(rows) {
    var add = rows.querySelector("[data-add-row]");
    var max = parseInt(rows.getAttribute("data-max-rows"), 10);
    if (!add || isNaN(max)) { return; }
    var kept = parseInt(totalForms(rows).value, 10) - rows.querySelectorAll("[data-row].removed").length;
    add.disabled = kept >= max;
    var note = rows.querySelector("[data-max-rows-note]");
    if (note) { note.classList.toggle("hidden", !add.disabled); }
  }
  function fitAllAddRows() { document.querySelectorAll("[data-rows]").forEach(fitAddRow); }
  document.addEventListener("DOMContentLoaded", fitAllAddRows);
  document.addEventListener("htmx:afterSettle", fitAllAddRows);  // a section's answer draws its tables again
  function addRow(rows) {
    var total = totalForms(rows);
    var n = parseInt(total.value, 10);
    var html = rows.querySelector("template[data-row-template]").innerHTML.replace(/__prefix__/g, String(n));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    var no = row.querySelector("[data-row-no]");
    if (no) { no.textContent = String(n + 1); }
    rows.querySelector("[data-row-list]").appendChild(row);
    total.value = String(n + 1);
    fitAddRow(rows);
    return row;
  }
  // Where the keyboard goes on when what held the focus was swapped out or hidden (a section's save, a slot
  // redrawn after an upload or a deletion): taken only from the page itself, never from a field the candidate
  // went on to meanwhile. An element that takes no focus of its own (a status, a heading) is given tabindex -1.
  // A focused element hidden (取消上传 once the upload has ended) keeps document.activeElement until the
  // browser's next rendering, and then leaves it to the page's top: it has fallen already.
  function focusFell() {
    var active = document.activeElement;
    return !active || active === document.body || !document.body.contains(active) || !active.getClientRects().length;
  }
  function focusOn(target) {
    if (!target) { return; }
    if (!target.matches("a[href], button, input, select, textarea, summary, [tabindex]")) { target.setAttribute("tabindex", "-1"); }
    target.focus({ preventScroll: true });
  }
  var FIELD = "input:not([type=hidden]), select, textarea";
  // In a 📷 slot drawn again: its picker (上传图片, 继续上传), or its heading when it is full.
  function focusInSlot(slot) {
    if (slot && focusFell()) { focusOn(slot.querySelector("input[type=file]:not(:disabled)") || slot.querySelector("h3")); }
  }
  function removeRow(card) {
    var box = card.querySelector("input[type=checkbox][name$='-DELETE']");
    if (box) { box.checked = true; box.dispatchEvent(new Event("change", { bubbles: true })); }
    card.classList.add("removed");
    card.classList.add("hidden");
    fitAddRow(card.closest("[data-rows]"));
  }
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      if (add.disabled) { return; }
      // The new row's first field to type into (its hidden "-id" input comes before it).
      focusOn(addRow(add.closest("[data-rows]")).querySelector(FIELD));
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      // ⊖ is hidden with its row: the keyboard goes on at the next row left, or at ⊕ after the last one.
      var card = remove.closest("[data-row]"), rows = card.closest("[data-rows]");
      removeRow(card);
      var next = card.nextElementSibling;
      while (next && next.classList.contains("removed")) { next = next.nextElementSibling; }
      focusOn((next && next.querySelector(FIELD)) || rows.querySelector("[data-add-row]:not(:disabled)") ||
              rows.querySelector("h3") || rows);
      return;
    }
    var unit = event.target.closest("[data-unit-id]");
    if (unit) {
      var picker = unit.closest(".unit-picker");
      var chosen = picker.querySelector("input[name='basic-unit']");
      chosen.value = unit.getAttribute("data-unit-id");
      chosen.dispatchEvent(new Event("change", { bubbles: true }));  // the section now has something to save
      var chosenText = picker.querySelector("[data-unit-chosen]");
      chosenText.textContent = "已选择：" + unit.getAttribute("data-unit-name") + "（保存后生效）";
      picker.querySelector("#unit-results").innerHTML = "";  // the result tapped goes with the list
      focusOn(chosenText);  // the keyboard (and a screen reader) goes on from the choice, not the page's top
    }
  });

  // Unsaved typing: a section typed into and not saved since asks before the page is left (the
  // browser's own prompt). Kept by the form's id, as a save's answer replaces the form: only an
  // answer that says 已保存 (data-saved) clears it; one that refuses the values keeps it.
  var unsaved = {};
  function typed(event) {
    var form = event.target.closest && event.target.closest("form.section");
    // Choosing a file uploads it at once; the unit search box only searches.
    if (!form || event.target.type === "file" || event.target.id === "unit-q") { return; }
    unsaved[form.id] = true;
    var saved = form.querySelector("[data-saved]");
    if (saved) { saved.remove(); }  // what it said is no longer so
  }
  document.addEventListener("input", typed);
  document.addEventListener("change", typed);
  document.addEventListener("htmx:afterSwap", function () {
    Object.keys(unsaved).forEach(function (id) {
      var form = document.getElementById(id);
      if (!form || form.querySelector("[data-saved]")) { delete unsaved[id]; }
    });
    dropKeptOfSaved();
  });
  // Without htmx the section posts itself and the page is left on purpose.
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented && event.target.id) { delete unsaved[event.target.id]; }
  });
  var uploading = 0;  // uploads on their way: leaving the page would drop them
  window.addEventListener("beforeunload", function (event) {
    if (!Object.keys(unsaved).length && !uploading) { return; }
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only when this is set
  });
  // 提交审核 submits what is saved, not what is on the page: tapped with a section typed into and not saved, it
  // submitted the old values and locked the form, the typing lost (phone probe; iOS Safari asks nothing on
  // beforeunload). By the same rule (unsaved), it submits nothing then and says at its card which sections to save
  // first, with links to them. Caught on the window, before app.js's data-confirm (on the document) asks.
  window.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#submit form button");
    if (!button) { return; }
    var card = button.closest("#submit");
    var old = card.querySelector("[data-unsaved-sections]");
    if (old) { old.remove(); }
    var forms = Array.prototype.filter.call(document.querySelectorAll("form.section"), function (form) {
      return unsaved[form.id];
    });
    if (!forms.length) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    var message = document.createElement("div");
    message.className = "message error";
    message.setAttribute("role", "alert");
    message.setAttribute("data-unsaved-sections", "");
    message.setAttribute("tabindex", "-1");
    message.textContent = "以下部分有未保存的修改：";
    forms.forEach(function (form, i) {
      var link = document.createElement("a");
      var title = form.querySelector("h2");
      link.href = "#" + form.id;
      link.textContent = title ? title.textContent.trim() : form.id;
      say(message, i ? ["、", link] : [link]);
    });
    say(message, ["。请先点各部分的“保存”按钮，再点“" + button.textContent.trim() + "”。"]);
    card.insertBefore(message, button.closest("form"));
    message.scrollIntoView({ block: "center" });
    message.focus({ preventScroll: true });
  }, true);

  // Each attempt at saving a section carries a token, kept until an answer comes (views.form.SAVE_TOKENS): a
  // save whose answer was lost (a timeout on a slow network, the server having saved it) is tapped again with
  // it, and the server takes it as this page's own save, not one from another page, checked all the same
  // against anything saved since elsewhere.
  var saveTokens = {};
  function newSaveToken() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) { window.crypto.getRandomValues(bytes); }
    else { for (var i = 0; i < bytes.length; i += 1) { bytes[i] = Math.floor(Math.random() * 256); } }
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }
  function sectionSave(event) {
    var form = event.detail.elt;
    return form && form.matches && form.matches("form.section") && form.id ? form : null;
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var form = sectionSave(event);
    if (!form || event.detail.verb !== "post") { return; }
    saveTokens[form.id] = saveTokens[form.id] || newSaveToken();
    if (event.detail.formData) { event.detail.formData.set("save_token", saveTokens[form.id]); }
    else { event.detail.parameters.save_token = saveTokens[form.id]; }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = sectionSave(event), xhr = event.detail.xhr;
    if (form && xhr && xhr.status) { delete saveTokens[form.id]; }  // answered: the next tap is a new attempt
  });
  // app.js says 保存失败 on a timeout or a dropped connection; a save may well have reached the server, and tapping
  // 保存 again finishes it.
  function mayHaveSaved(event, what) {
    var form = sectionSave(event);
    var message = form && form.querySelector(":scope > [data-request-error]");
    if (message) { message.textContent = "未收到保存结果：" + what + "，本次保存可能未完成。请检查网络后再点保存即可，已填写的内容仍在本页。"; }
  }
  document.addEventListener("htmx:timeout", function (event) { mayHaveSaved(event, "网络响应超时"); });
  document.addEventListener("htmx:sendError", function (event) {
    if (navigator.onLine !== false) { mayHaveSaved(event, "网络连接中断"); }  // offline, it was never sent: 保存失败
  });

  // A section's save says it is on its way (on a slow network it takes seconds): its button reads
  // 正在保存… and takes no second tap until the answer comes.
  function saveButton(event) {
    var form = event.detail.elt;
    return form && form.matches && form.matches("form.section") ? form.querySelector(".actions [type=submit]") : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = saveButton(event);
    if (!button) { return; }
    button.setAttribute("data-label", button.textContent);
    button.textContent = "正在保存…";
    button.disabled = true;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = saveButton(event);  // still on the page when no answer replaced the form
    if (!button || !button.hasAttribute("data-label")) { return; }
    button.textContent = button.getAttribute("data-label");
    button.disabled = false;
  });
  // The answer to a save is shown where the candidate is: on a phone the top of a long section is
  // screens away from its button. A refused save brings its first error into view and focuses its
  // field (a screen reader reads the error with it); one that went through keeps its button, and
  // the 已保存 beside it, in view.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    var old = config && config.elt;
    if (!old || !old.matches || !old.matches("form.section") || config.verb !== "post") { return; }
    var form = document.getElementById(old.id);
    if (!form) { return; }
    if (window.prereg.focusFirstError(form)) { return; }
    var actions = form.querySelector(".actions");
    if (actions) { actions.scrollIntoView({ block: "nearest" }); }
    // The answer replaced the form and its button: the keyboard goes on from what it says (已保存).
    if (focusFell()) { focusOn(form.querySelector("[data-saved]") || form.querySelector(".actions [type=submit]")); }
  });

  // A picture being deleted is not asked for any more. Its thumbnail loads lazily, when it comes near the screen: a
  // 删除 tapped on a slot scrolled to at once (the index's 证件图片) sent the delete in the very frame that brought the
  // thumbnail into view, and the browser then asked for a picture the server was deleting (a 404, a broken picture).
  // One not loaded yet loses its src until the answer comes: the slot drawn again (without it, or with it and the
  // reason it stays) replaces the figure, and a delete that got no answer to swap (the network down, a 429 or 5xx)
  // puts the src back.
  function stopLoading(figure) {
    figure.querySelectorAll("img[src]").forEach(function (img) {
      if (img.complete && img.naturalWidth) { return; }  // shown already: nothing more is asked
      img.setAttribute("data-held-src", img.getAttribute("src"));
      img.removeAttribute("src");  // a load not begun never begins; one begun is cancelled
    });
  }
  function deletedFigure(event) {
    var elt = event.detail.elt, config = event.detail.requestConfig;
    var figure = elt && elt.closest && elt.closest("[data-slot] figure.thumb");
    return figure && (!config || config.verb === "post") ? figure : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var figure = deletedFigure(event);
    if (!figure) { return; }
    stopLoading(figure);
    figure.closest("[data-slot]").setAttribute("data-deleting", "");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var figure = deletedFigure(event);
    if (!figure || event.detail.successful || !document.body.contains(figure)) { return; }
    figure.closest("[data-slot]").removeAttribute("data-deleting");
    figure.querySelectorAll("img[data-held-src]").forEach(function (img) {
      img.setAttribute("src", img.getAttribute("data-held-src"));
      img.removeAttribute("data-held-src");
    });
  });
  // 正在识别照片's poll (_ocr_warnings.html) is answered with the slot as the server drew it. Drawn before a delete
  // went through and arriving while its answer is on the way, it put the deleted picture back, and the delete's own
  // answer then went to the slot it had replaced (detached): the page kept the deleted picture, with a stale 删除.
  // It is not swapped in; the slot the delete draws asks again if its photos still wait for their reading.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target, config = event.detail.requestConfig;
    if (config && config.verb === "get" && target && target.matches && target.matches("[data-slot][data-deleting]")) {
      event.detail.shouldSwap = false;
    }
  });

  // A deleted picture's slot comes back without the 删除 that had the focus: the keyboard goes on in the slot.
  // So does a slot that held the focus when it asked for itself again (正在识别照片: a few seconds after an
  // upload, which had put the focus on its picker); one the candidate had left is redrawn without taking it.
  var slotsWithFocus = typeof WeakSet === "function" ? new WeakSet() : null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (slotsWithFocus && target && target.matches && target.matches("[data-slot]") &&
        target.contains(document.activeElement)) { slotsWithFocus.add(target); }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    var old = config && config.elt && config.elt.closest && config.elt.closest("[data-slot]");
    if (!old || !(config.verb === "post" || (slotsWithFocus && slotsWithFocus.has(old)))) { return; }
    var fresh = document.getElementById(old.id);
    if (fresh && fresh !== old) { focusInSlot(fresh); }
  });

  // The 报考级别→拟申报资格 cascade and the unit search ask with GET, whose failures app.js leaves
  // unsaid (a poll of the page's status may fail unseen). Unsaid, a failed cascade left the 初级
  // qualifications offered under 中级, and a failed search looked like a unit not in the list. They
  // say why where the candidate looks, and the selects below the one changed lose their stale options.
  var SESSION_ENDED = "登录已超时，请在新窗口重新登录后回到本页";
  // WeChat's in-app browser has no second window: a link there replaces this page.
  var WECHAT = /MicroMessenger/i.test(navigator.userAgent);
  var changedInCascade = null;
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.closest && select.closest("#cascade") && select.hasAttribute("data-cascade")) { changedInCascade = select.name; }
  }, true);  // before htmx's own listener on #cascade sends the request
  function alertBox(parts) {  // a text, or texts and links
    var box = window.prereg.errorMessage("");
    say(box, [].concat(parts));
    return box;
  }
  function lookupFailed(event, why) {
    var elt = event.detail.elt;
    if (!elt || !elt.id) { return; }
    if (elt.id === "cascade") {
      var old = elt.querySelector("[data-request-error]");
      if (old) { old.remove(); }
      elt.insertBefore(alertBox(why.cascade), elt.firstChild);
      // What follows the changed select was narrowed by the choice before it: offered no longer.
      var after = false;
      elt.querySelectorAll("select[data-cascade]").forEach(function (select) {
        if (after) {
          select.innerHTML = "";
          select.appendChild(new Option("（未能更新，请重新选择上一项）", ""));
          select.value = "";
        }
        if (select.name === changedInCascade) { after = true; }
      });
    } else if (elt.id === "unit-q") {
      var results = document.getElementById("unit-results");
      if (!results) { return; }
      results.innerHTML = "";  // the results of an earlier search are not this one's
      results.appendChild(alertBox(why.search));
    }
  }
  document.addEventListener("htmx:sendError", function (event) {
    lookupFailed(event, {cascade: "网络连接中断，下面的选项未能更新，请检查网络后重新选择。",
                         search: "网络连接中断，未能搜索单位（并非没有该单位），请检查网络后再搜索。"});
  });
  document.addEventListener("htmx:timeout", function (event) {
    lookupFailed(event, {cascade: "网络响应超时，下面的选项未能更新，请检查网络后重新选择。",
                         search: "网络响应超时，未能搜索单位（并非没有该单位），请检查网络后再搜索。"});
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var plain = /^text\/plain/i.test(xhr.getResponseHeader("Content-Type") || "");
    var body = plain ? (xhr.responseText || "").trim().slice(0, 500) : "";
    if (xhr.status === 401) {  // the server's text asks to 保存 again; here one chooses or searches again
      var section = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form.section");
      if (WECHAT && section && keepUnsaved() !== null) {  // no new window there: signed in again in this tab
        var kept = "登录已超时，已填写的内容已暂存，请";
        var back = "，登录后回到本页";
        lookupFailed(event, {cascade: [kept, loginLink("重新登录", section), back + "重新选择。"],
                             search: [kept, loginLink("重新登录", section), back + "重新搜索单位。"]});
        return;
      }
      lookupFailed(event, {cascade: SESSION_ENDED + "重新选择（已填写的内容仍在本页）。",
                           search: SESSION_ENDED + "重新搜索单位。"});
      return;
    }
    lookupFailed(event, {cascade: body || "下面的选项未能更新（错误代码 " + xhr.status + "），请稍后重新选择。",
                         search: body || "未能搜索单位（错误代码 " + xhr.status + "），请稍后再搜索。"});
  });

  // A login that ended while the page was open (30 idle minutes, which typing does not extend: a candidate
  // photographing certificates between fields passes them easily). When a request meets it (401), every
  // section typed into and not saved is kept in this tab's sessionStorage, and a section's save offers
  // 重新登录 in this tab, back to the section: WeChat's browser has no second window, and following a link
  // there replaces the page. The form page puts the kept values back after the login (restoreKept), unsaved.
  // Kept once, until restored or saved; never a file, a password or a code (NOT_KEPT). A section is kept with
  // its hidden fields (the version and section_version it was drawn with): a section saved elsewhere in the
  // meantime is refused as stale, as the page it was typed into would have been.
  var KEPT = "prereg-unsaved-sections";
  var NOT_KEPT = "input[type=file], input[type=password], [autocomplete=one-time-code], [name$=sms_code], " +
                 "[name=csrfmiddlewaretoken], #unit-q";
  function keptSections() {
    try { return JSON.parse(window.sessionStorage.getItem(KEPT)) || {}; } catch (e) { return {}; }
  }
  function storeKept(sections) {
    try {
      if (Object.keys(sections).length) { window.sessionStorage.setItem(KEPT, JSON.stringify(sections)); }
      else { window.sessionStorage.removeItem(KEPT); }
      return true;
    } catch (e) { return false; }  // storage refused (private mode, full): nothing kept
  }
  function keptField(field) {
    return field.name && !field.disabled && !field.matches(NOT_KEPT) && !/^(submit|button|reset)$/.test(field.type);
  }
  function snapshot(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (keptField(field)) { fields.push([field.name, field.value, field.checked]); }
    });
    var chosen = form.querySelector("[data-unit-chosen]");  // the unit's name, which its hidden id does not say
    return { application: form.getAttribute("data-application"), fields: fields, unit: chosen ? chosen.textContent : "" };
  }
  // The ids of the sections kept now ([] when none was unsaved), or null when this browser keeps nothing;
  // `note`, what the section says when they are put back.
  function keepUnsaved(note) {
    var ids = Object.keys(unsaved).filter(function (id) { return document.getElementById(id); });
    if (!ids.length) { return []; }
    var sections = keptSections();
    ids.forEach(function (id) {
      sections[id] = snapshot(document.getElementById(id));
      sections[id].note = note || "";
    });
    if (!storeKept(sections)) { return null; }
    ids.forEach(function (id) { delete unsaved[id]; });  // kept: leaving for the login page loses nothing
    return ids;
  }
  function dropKeptOfSaved() {
    var sections = keptSections(), ids = Object.keys(sections);
    var saved = ids.filter(function (id) {
      var form = document.getElementById(id);
      return form && form.querySelector("[data-saved]");
    });
    saved.forEach(function (id) { delete sections[id]; });
    if (saved.length) { storeKept(sections); }
  }
  // 重新登录 in this tab comes back to `place` (a section, whose kept values are put back there, or a 📷 slot);
  // in a new tab it leaves this one as it is.
  function loginLink(text, place, newTab) {
    var link = document.createElement("a");
    var login = document.querySelector("[data-login-url]").getAttribute("data-login-url");
    link.textContent = text;
    if (newTab) {
      link.href = login;
      link.target = "_blank";
      link.rel = "noopener";
    } else {
      link.href = login + "?next=" + encodeURIComponent(window.location.pathname + (place.id ? "#" + place.id : ""));
    }
    return link;
  }
  function say(message, parts) {
    parts.forEach(function (part) {
      message.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
  }
  // Every request of the page that meets the ended login keeps what is unsaved (a cascade's or a search's
  // 401 too, whose messages say to sign in again); a section's save also says how to sign in and come back.
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status !== 401) { return; }
    var storable = keepUnsaved() !== null;
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form.section[data-login-url]")) { return; }
    var message = form.querySelector(":scope > [data-request-error]");
    if (!message || message.querySelector("a")) { return; }
    if (storable && Object.keys(keptSections()).length) {  // kept now, or by an earlier refusal
      // The server's text asks for a new window, which a phone's browser hides (and WeChat's has not): the one
      // way offered is this tab's 重新登录, which puts the typing back, and the words say so.
      message.textContent = "登录已超时，本部分未保存。已填写的内容已暂存在本页，请点";
      say(message, [loginLink("重新登录", form), "，登录后自动回到本部分并填回已填写的内容，请核对后再点保存。"]);
    } else if (WECHAT) {
      if (!storable) { return; }  // nothing could be kept: leaving this page would lose the typing
      message.textContent = "登录已超时，本部分未保存。请";
      say(message, [loginLink("重新登录", form), "后再点保存。"]);
    } else {  // nothing unsaved, or nothing could be kept: this tab stays as it is
      say(message, [" ", loginLink("在新窗口重新登录", form, true)]);
    }
  });

  // 登录即将超时: the login ends SESSION_COOKIE_AGE after the last request (typing sends none). With something
  // typed and unsaved, its last five minutes are said at the bottom of the screen, near a section's 保存.
  var lastAnswer = Date.now();
  var WARN_MS = 5 * 60 * 1000;
  function answered(status) {
    if (status && status !== 401) { lastAnswer = Date.now(); warnOfTimeout(); }
  }
  function warnOfTimeout() {
    var banner = document.querySelector("[data-session-warning]");
    if (!banner) { return; }
    var left = Number(banner.getAttribute("data-session-seconds")) * 1000 - (Date.now() - lastAnswer);
    var show = left < WARN_MS && Object.keys(unsaved).length > 0;
    if (show) {
      banner.textContent = left > 0 ? "已较长时间未保存：约" + Math.ceil(left / 60000) + "分钟后登录超时，请先点保存已填写的部分。"
        : "登录可能已超时：点保存时，已填写的内容会暂存，重新登录后回到本页自动填回。";
    }
    banner.classList.toggle("hidden", !show);
  }
  document.addEventListener("htmx:afterRequest", function (event) { answered(event.detail.xhr && event.detail.xhr.status); });
  window.setInterval(warnOfTimeout, 15000);

  // After the login: the kept sections go back where they were typed, if this page is still the one of the
  // application they were typed for (another account signing in in this tab gets nothing) and may be edited.
  function restoreSection(form, kept) {
    var values = {};
    kept.fields.forEach(function (field) { (values[field[0]] = values[field[0]] || []).push(field); });
    form.querySelectorAll("[data-rows]").forEach(function (rows) {  // the rows added with ⊕ before
      var total = totalForms(rows), typedTotal = values[total.name] && parseInt(values[total.name][0][1], 10);
      while (typedTotal && parseInt(total.value, 10) < typedTotal) { addRow(rows); }
    });
    Array.prototype.forEach.call(form.elements, function (field) {
      var list = values[field.name];
      if (!list || !list.length || !keptField(field)) { return; }
      var value = list.shift();
      if (field.type === "checkbox" || field.type === "radio") { field.checked = value[2]; }
      else { field.value = value[1]; }
    });
    form.querySelectorAll("[data-row]").forEach(function (card) {  // the rows taken away with ⊖ before
      var box = card.querySelector("input[type=checkbox][name$='-DELETE']");
      if (box && box.checked) { card.classList.add("removed", "hidden"); }
    });
    form.querySelectorAll("[data-rows]").forEach(fitAddRow);
    var chosen = form.querySelector("[data-unit-chosen]");
    if (chosen && kept.unit) { chosen.textContent = kept.unit; }
    var cascade = form.querySelector("#cascade");
    if (cascade && window.fetch) {
      // The selects below 报考级别 offer what the choice above them allows: drawn again for the kept choices.
      var query = new URLSearchParams();
      kept.fields.forEach(function (field) { query.append(field[0], field[1]); });
      fetch(cascade.getAttribute("hx-get") + "?" + query.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          var old = document.getElementById("cascade");
          if (!html || !old) { return; }
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.firstElementChild;
          old.replaceWith(fresh);
          if (window.htmx) { window.htmx.process(fresh); }
        }).catch(function () {});
    }
    unsaved[form.id] = true;
    var note = document.createElement("div");
    note.className = "message warning";
    note.setAttribute("role", "status");
    note.setAttribute("data-restored", "");
    note.textContent = kept.note || "已恢复登录超时前未保存的内容，请核对后点保存。";
    var title = form.querySelector("h2");
    form.insertBefore(note, title ? title.nextSibling : form.firstChild);
  }
  function restoreKept() {
    var sections = keptSections();
    Object.keys(sections).forEach(function (id) {
      var form = document.getElementById(id), kept = sections[id];
      if (form && form.matches("form.section") && kept && kept.fields &&
          form.getAttribute("data-application") === kept.application &&
          form.querySelector(".actions [type=submit]")) {
        restoreSection(form, kept);
      }
    });
    storeKept({});  // put back once, or dropped (another account's, a section no longer editable)
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && unsaved[target.id]) { target.scrollIntoView(); }
  }
  document.addEventListener("DOMContentLoaded", restoreKept);
  // 申请添加单位 leaves the form for the request's page: what was typed and not saved is kept and put back on
  // the way back (phone probe: the 民族, 邮编 and 地址 typed before searching the unit were gone).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("a[data-keeps-unsaved]")) {
      keepUnsaved("已恢复离开本页前未保存的内容，请核对后点保存。");
    }
  });

  // Enter in the unit search box searches; it must not submit the section. A box of several rows that holds one
  // line of text (联系地址, data-one-line) takes no line break from Enter either (the server would store a space):
  // a phone's return key there neither breaks the line nor saves. An input method's Enter that ends its composing
  // is its own (it puts the Latin letters typed in the box).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    if (event.target.id === "unit-q") { event.preventDefault(); return; }
    if (!event.isComposing && event.keyCode !== 229 && event.target.matches &&
        event.target.matches("textarea[data-one-line]")) { event.preventDefault(); }
  });
  // Some phone keyboards send their return key as no keydown of Enter, only as the line break it inserts.
  document.addEventListener("beforeinput", function (event) {
    if (/^insert(LineBreak|Paragraph)$/.test(event.inputType) && event.target.matches &&
        event.target.matches("textarea[data-one-line]")) { event.preventDefault(); }
  });
  // The unit search searches as one types (hx-trigger "input"), but not while a Chinese input method is still
  // composing: it searched "协和yi", said 没有找到 (read aloud by the live region), and 申请添加单位 took the
  // half-typed text (phone probe). The composition's own input events are kept from htmx (caught before they reach
  // the box, whose listener is htmx's); its end searches. htmx's event filters ([!event.isComposing]) need eval,
  // which the page's htmx config and CSP refuse.
  document.addEventListener("input", function (event) {
    if (event.isComposing && event.target.id === "unit-q") { event.stopPropagation(); }
  }, true);
  document.addEventListener("compositionend", function (event) {
    if (event.target.id === "unit-q") { event.target.dispatchEvent(new Event("input", { bubbles: true })); }
  });

  // SMS button: a 60 s countdown after a code was sent (the reply says class="ok"); after a
  // refused send (bad number, too many requests) the button stays usable at once.
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail.elt;
    if (!button.hasAttribute || !button.hasAttribute("data-countdown") || !event.detail.successful) { return; }
    var reply = event.detail.xhr ? event.detail.xhr.responseText : "";
    if (!/class="ok"/.test(reply || "")) { return; }
    var left = 60, label = button.textContent;
    button.disabled = true;
    var timer = setInterval(function () {
      left -= 1;
      button.textContent = left + "秒后重发";
      if (left <= 0) { clearInterval(timer); button.disabled = false; button.textContent = label; }
    }, 1000);
  });

  // A picture larger than the server keeps (or takes) is redrawn smaller in a canvas, as a JPEG, sent under
  // the name it was chosen by: the server judges the bytes, never the name, and names the file in a refusal
  // ("long.jpg：图片过长" for long.png named a file the candidate does not have). Whatever
  // its type says: some in-app browsers (WeChat) and Android pickers give none or a generic one
  // (application/octet-stream). One the browser can read but whose type is not one the server takes is
  // redrawn too; one it cannot read is sent as it is, and the server says why it is refused.
  var ACCEPTED_TYPES = /^image\/(jpeg|jpg|png|bmp|x-ms-bmp)$/;
  function shrink(file) {
    return new Promise(function (resolve) {
      var limits = uploadLimits();
      if (!limits || !window.createImageBitmap) { resolve(file); return; }
      createImageBitmap(file).then(function (bitmap) {
        var width = bitmap.width, height = bitmap.height;
        var scale = storedScale(limits, width, height);
        if (scale >= 1 && file.size <= limits.maxBytes && ACCEPTED_TYPES.test(file.type)) {
          bitmap.close(); resolve(file); return;
        }
        scale = Math.min(1, scale);
        var canvas = document.createElement("canvas");
        // Rounded as stored_size rounds, so the server keeps the picture at the size it arrives at.
        canvas.width = Math.max(1, Math.round(width * scale));
        canvas.height = Math.max(1, Math.round(height * scale));
        var context = canvas.getContext("2d");
        // JPEG has no transparency: a transparent pixel left as it is comes out black.
        context.fillStyle = "#fff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        bitmap.close();
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          resolve(new File([blob], file.name || "图片.jpg", { type: "image/jpeg" }));
        }, "image/jpeg", 0.85);
      }).catch(function () { resolve(file); });
    });
  }

  // An image uploads as soon as it is chosen (one tap, not two); the slot comes back redrawn and
  // replaces itself, and the index and the submit box are told to fetch themselves again.
  // The slot may be redrawn while the file travels (an image beside it deleted, its row's section
  // saved): the upload's controls and the slot it replaces are looked up again by the slot's id.
  // A slot full to its limit offers no picker (_slot.html); one with some room says in data-room how many
  // more it takes (images.slot_limit less those it holds): more chosen at once are refused here, before
  // any is shrunk or sent. The server checks again, and decides.
  function roomLeft(form) {
    var room = parseInt(form.getAttribute("data-room"), 10);
    return isNaN(room) ? Infinity : room;
  }
  // 取消上传: how to stop the upload in flight of each slot (by the slot's id), while it is on its way.
  var cancels = {};
  // Uploads begun in each slot: a cancelled upload's redraw that comes back after the next upload began is
  // older than what that upload shows, and is dropped (on a slow line it put back 已取消上传 and the old pictures).
  var begun = {};
  var CANCELLED_MESSAGE = "已取消上传";
  var NOT_JSON_MESSAGES = {
    413: "文件过大，请缩小图片或减少一次选择的张数后再上传。",
    429: "操作过于频繁，请稍后再试。"
  };
  function upload(form) {
    var slotId = (form.closest("[data-slot]") || {}).id;
    function current() {
      var slot = slotId && document.getElementById(slotId);
      return (slot && slot.querySelector("[data-upload]")) || form;
    }
    function show(message, className) {
      var status = current().querySelector(".upload-status");
      status.textContent = message;
      status.className = "upload-status" + (className ? " " + className : "");
    }
    var input = form.querySelector("input[type=file]");
    if (!input.files.length) { show("请选择要上传的图片。", "error"); return; }
    var room = roomLeft(form);
    if (input.files.length > room) {
      show("此项还可上传" + room + "张图片，已选择" + input.files.length + "张，请少选几张后重新选择。", "error");
      input.value = "";
      return;
    }
    var generation = begun[slotId] = (begun[slotId] || 0) + 1;
    var button = form.querySelector("[data-upload-submit]");
    button.disabled = true;
    input.disabled = true;
    show("正在处理图片…", "");
    var xhr = null, finished = false;
    function offerCancel(block) {
      var cancel = block.querySelector("[data-upload-cancel]");
      if (cancel) { cancel.classList.remove("hidden"); }
    }
    offerCancel(form);
    // The slot comes back as the server has it: an abort after the server stored the pictures (the
    // answer still on its way) shows them; one before stores nothing (the request never completed), and the
    // slot is left as it is: drawn again, it took away a picker the candidate had already opened for the next
    // try (the files chosen went to a detached input, and nothing happened).
    function pictures(block) {
      return Array.prototype.map.call(block.querySelectorAll("figure.thumb a"), function (link) {
        return link.getAttribute("href");
      }).join(" ");
    }
    function redrawSlot(url) {
      if (!url || !window.fetch) { return; }
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        var slot = slotId && document.getElementById(slotId);
        if (!slot || !html || begun[slotId] !== generation) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.firstElementChild;
        if (pictures(fresh) === pictures(slot)) { return; }
        slot.replaceWith(fresh);
        var status = fresh.querySelector(".upload-status");
        if (status) { status.textContent = CANCELLED_MESSAGE; status.className = "upload-status"; }
        if (window.htmx) { window.htmx.process(fresh); }
        focusInSlot(fresh);
        document.body.dispatchEvent(new CustomEvent("images-changed", { bubbles: true }));
      }).catch(function () {});
    }
    function done(message, className) {
      if (finished) { return; }
      finished = true;
      if (cancels[slotId] === cancel) { delete cancels[slotId]; }
      if (xhr) { uploading -= 1; }
      [form, current()].forEach(function (block) {
        var submit = block.querySelector("[data-upload-submit]");
        if (submit) { submit.disabled = false; }
        var chooser = block.querySelector("input[type=file]");
        if (chooser) { chooser.disabled = false; chooser.value = ""; }
        var bar = block.querySelector("progress");
        if (bar) { bar.classList.add("hidden"); }
        var stop = block.querySelector("[data-upload-cancel]");
        if (stop) { stop.classList.add("hidden"); }
      });
      show(message, className);
      // The picker was disabled while the file travelled, which dropped the focus; after an upload that went
      // through the slot is drawn again, and the focus put in it then.
      if (className !== "ok") { focusInSlot(document.getElementById(slotId)); }
    }
    function cancel() {
      if (finished) { return; }
      var stop = current().querySelector("[data-upload-cancel]") || form.querySelector("[data-upload-cancel]");
      var sent = xhr;
      if (sent) { sent.abort(); }  // its load, error or timeout never comes: it ends here
      done(CANCELLED_MESSAGE, "");
      if (sent) { redrawSlot(stop && stop.getAttribute("data-slot-url")); }
    }
    if (slotId) { cancels[slotId] = cancel; }
    Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
      if (finished) { return; }  // cancelled while the pictures were being shrunk: nothing is sent
      var data = new FormData();
      var token = csrfCookie();
      form.querySelectorAll("input[type=hidden]").forEach(function (h) {
        data.append(h.name, h.name === "csrfmiddlewaretoken" && token ? token : h.value);
      });
      // A row's block carries the page's version as data-version, not as a field of its section's form (_slot.html).
      if (form.hasAttribute("data-version")) { data.append("version", form.getAttribute("data-version")); }
      files.forEach(function (f) { data.append("file", f, f.name); });
      xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-action") || form.action);
      xhr.timeout = 180000;  // a stalled connection ends with a message, not a spinner for ever
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        offerCancel(current());  // the slot may have been redrawn meanwhile
        var bar = current().querySelector("progress");
        if (!bar) { return; }
        bar.classList.remove("hidden");
        bar.value = Math.round(e.loaded * 100 / e.total);
        show("上传中 " + bar.value + "%", "");
      });
      xhr.addEventListener("load", function () {
        if (finished) { return; }
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        var ended = xhr.status === 401 && keepUnsaved() !== null;
        if (xhr.status === 401) {
          // The server's text (for a section's save) says 再点保存: a picture is chosen again instead.
          answer = { ok: false, message: SESSION_ENDED + "重新选择图片上传。" };
        } else if (!answer || typeof answer !== "object" || !answer.message) {
          // Not our JSON: a page of nginx's (413: the request's body over its limit) or the rate limit's.
          answer = { ok: false, message: NOT_JSON_MESSAGES[xhr.status] || "上传失败，请重试。" };
        }
        answered(xhr.status);
        done(answer.message, answer.ok ? "ok" : "error");
        if (ended && WECHAT) {  // no new window there: signed in again in this tab, back at this slot
          var status = current().querySelector(".upload-status");
          status.textContent = "登录已超时，图片未上传。" + (Object.keys(keptSections()).length ? "已填写的内容已暂存，" : "") + "请";
          say(status, [loginLink("重新登录", document.getElementById(slotId) || {}), "，登录后回到本页重新选择图片上传。"]);
        }
        if (!answer.ok) { return; }
        var slot = slotId && document.getElementById(slotId);
        if (slot && answer.html) {
          var holder = document.createElement("div");
          holder.innerHTML = answer.html;
          var fresh = holder.firstElementChild;
          slot.replaceWith(fresh);
          var status = fresh.querySelector(".upload-status");
          if (status) { status.textContent = answer.message; status.className = "upload-status ok"; }
          if (window.htmx) { window.htmx.process(fresh); }
        }
        focusInSlot(document.getElementById(slotId));  // the picker that had the focus was swapped out
        document.body.dispatchEvent(new CustomEvent("images-changed", { bubbles: true }));
      });
      xhr.addEventListener("error", function () { done("网络错误，请重试。", "error"); });
      xhr.addEventListener("timeout", function () {
        done("上传超时：网络太慢或已中断，请检查网络后重新选择图片上传。", "error");
      });
      uploading += 1;
      xhr.send(data);
    });
  }

  document.documentElement.classList.add("js-upload");
  // [data-upload] is a <form>, or in a row (inside its section's form) a block with data-action.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("[data-upload]");
    if (form && event.target.type === "file" && window.FormData && window.Promise) { upload(form); }
  });
  document.addEventListener("click", function (event) {
    var stop = event.target.closest("[data-upload-cancel]");
    var stopSlot = stop && stop.closest("[data-slot]");
    if (stopSlot && cancels[stopSlot.id]) { cancels[stopSlot.id](); return; }
    var button = event.target.closest("div[data-upload] [data-upload-submit]");
    if (button && window.FormData && window.Promise) { upload(button.closest("[data-upload]")); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-upload") || !window.FormData || !window.Promise) { return; }
    event.preventDefault();
    upload(form);
  });
})();
