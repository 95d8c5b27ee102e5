// prereg — small progressive enhancements; no inline script anywhere (strict CSP).
(function () {
  "use strict";
  // What only works with script (看不清，换一张) is shown only where script runs.
  document.documentElement.classList.add("has-js");
  // <button data-confirm="…">: ask before a consequential act. Once its form (data-once) is on its way, a
  // second tap asks nothing and does nothing: a double tap on a slow phone asked twice about one post.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (!target) { return; }
    var form = target.form || target.closest("form");
    if ((form && form.hasAttribute("data-once") && form.dataset.sent) ||
        !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // The session's CSRF token is read when a request leaves, not taken from the page as it was
  // drawn: signing in again in another tab renews it, and every post of this tab would be refused.
  // (The cookie is readable by scripts: CSRF_COOKIE_HTTPONLY is not set.)
  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfCookie();
    if (!token || event.detail.verb === "get") { return; }
    event.detail.headers["X-CSRFToken"] = token;
    // A form's own field is read before the header: a post from inside a form carries it.
    var data = event.detail.formData;
    if (data && data.has("csrfmiddlewaretoken")) { data.set("csrfmiddlewaretoken", token); }
  });
  document.addEventListener("submit", function (event) {
    var field = event.target.querySelector && event.target.querySelector("input[name=csrfmiddlewaretoken]");
    var token = csrfCookie();
    if (field && token) { field.value = token; }
  }, true);

  // A post that failed says so beside what it was saving, as an alert: htmx shows nothing when the
  // network is down (htmx:sendError) and swaps no 4xx/5xx answer (htmx:responseError). The server
  // answers a request it refuses for a reason the person can act on (an expired login, a stale
  // token) in text/plain, shown as it is. What was typed is still in the form.
  function errorMessage(text) {
    var message = document.createElement("div");
    message.className = "message error";
    message.setAttribute("role", "alert");
    message.setAttribute("data-request-error", "");
    message.textContent = text;
    return message;
  }
  // A refused form shows where to look: its first field in error is focused (a screen reader reads
  // the field's error with it) or, for an error of the whole form, that error; both brought into view.
  // A reviewer's notes on a returned application (审核意见, data-review-marks at a section's top and
  // data-review-mismatch at a slot) are red as well but refuse nothing: taken for the error, they drew a refused
  // save thousands of pixels above the field to fix (phone probe).
  function focusFirstError(form) {
    var error = form.querySelector(".has-error, .form-errors, " +
                                   ".message.error:not([data-review-marks]):not([data-review-mismatch])");
    if (!error) { return false; }
    var target = error.querySelector("input:not([type=hidden]), select, textarea");
    if (!target) { error.setAttribute("tabindex", "-1"); target = error; }
    error.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
    return true;
  }
  // Shared with the candidate's own script (candidate.js), which says its failures the same way and
  // focuses a refused section's first error.
  window.prereg = { errorMessage: errorMessage, focusFirstError: focusFirstError };
  // A page drawn again with a refused post's errors.
  document.addEventListener("DOMContentLoaded", function () {
    var error = document.querySelector("form[method=post i] .has-error, form[method=post i] .form-errors");
    if (!error) { return; }
    // A full ID number typed is not echoed back (登录, 找回密码: its box says so, accounts/identifier_input.html):
    // that emptied box is typed again first. Focused at the error after it (a wrong 图形验证码), the candidate typed
    // the captcha alone and was refused for the empty box, with a new captcha to read (phone probe).
    var note = error.closest("form").querySelector("[id$='_withheld']");
    var emptied = note && document.querySelector("[aria-describedby~='" + note.id + "']");
    if (emptied && !emptied.value && emptied.compareDocumentPosition(error) & Node.DOCUMENT_POSITION_FOLLOWING) {
      emptied.scrollIntoView({ block: "center" });
      emptied.focus({ preventScroll: true });
      return;
    }
    focusFirstError(error.closest("form"));
  });
  // A field's error from the last submit goes once that field is changed: 请填写“姓名” stayed under a name typed
  // since, until the next submit (sign-up probe). Its message, the red of its field, and the widget's
  // aria-invalid and aria-describedby's pointer to the message (includes/field.html, Django's BoundField) go
  // together; the server checks the field again at the next submit.
  function clearFieldError(event) {
    var field = event.target;
    if (!field || !field.getAttribute || field.getAttribute("aria-invalid") !== "true") { return; }
    var errorId = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return /_error$/.test(id);
    })[0] || (field.id && field.id.replace(/_\d+$/, "") + "_error");  // a radio's: id_x_0 of id_x's message
    var error = errorId && document.getElementById(errorId);
    if (!error) { return; }
    var holder = error.closest(".has-error");
    var controls = Array.prototype.slice.call(document.querySelectorAll("[aria-describedby~='" + errorId + "']"));
    if (field.form && field.name) {
      controls = controls.concat(Array.prototype.filter.call(field.form.elements, function (other) {
        return other.name === field.name;
      }));
    }
    controls.concat([field]).forEach(function (control) {
      control.removeAttribute("aria-invalid");
      var described = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && id !== errorId;
      }).join(" ");
      if (described) { control.setAttribute("aria-describedby", described); }
      else { control.removeAttribute("aria-describedby"); }
    });
    error.remove();
    if (holder && !holder.querySelector("[aria-invalid=true], [id$='_error']")) { holder.classList.remove("has-error"); }
  }
  document.addEventListener("input", clearFieldError);
  document.addEventListener("change", clearFieldError);

  function showFailure(detail, text) {
    var elt = detail.elt;
    if (!elt || !elt.closest || (detail.requestConfig && detail.requestConfig.verb === "get")) { return; }
    var place = elt.closest("[data-slot]") || elt.closest("form") || elt.closest(".card") || elt.parentElement;
    if (!place) { return; }
    var old = place.querySelector("[data-request-error]");
    if (old) { old.remove(); }
    var message = errorMessage(text);
    var actions = Array.prototype.filter.call(place.children, function (c) { return c.classList.contains("actions"); })[0];
    place.insertBefore(message, actions || null);
  }
  function failedAct(elt) {
    return elt && elt.tagName === "FORM" ? "保存失败" : "操作未完成";
  }
  document.addEventListener("htmx:sendError", function (event) {
    var saving = event.detail.elt && event.detail.elt.tagName === "FORM";
    showFailure(event.detail, failedAct(event.detail.elt) + "：网络连接中断，请检查网络后再点" + (saving ? "保存" : "一次") +
      "。已填写的内容仍在本页。");
  });
  // A request given no answer in time (htmx-config's timeout in base.html) says so as well.
  document.addEventListener("htmx:timeout", function (event) {
    showFailure(event.detail, failedAct(event.detail.elt) + "：网络响应超时，请检查网络后再试。已填写的内容仍在本页。");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var plain = /^text\/plain/i.test(xhr.getResponseHeader("Content-Type") || "");
    var body = plain ? (xhr.responseText || "").trim().slice(0, 500) : "";
    showFailure(event.detail, body || (failedAct(event.detail.elt) + "：服务器未能处理（错误代码 " + xhr.status +
      "），请稍后再试。已填写的内容仍在本页。"));
  });
  // A new attempt takes the old failure's place (its own answer, or its own failure, follows).
  document.addEventListener("htmx:beforeSend", function (event) {
    var elt = event.detail.elt;
    if (event.detail.requestConfig && event.detail.requestConfig.verb === "get") { return; }
    var place = elt && elt.closest && (elt.closest("[data-slot]") || elt.closest("form") || elt.closest(".card"));
    var old = place && place.querySelector("[data-request-error]");
    if (old) { old.remove(); }
  });

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
  // 看不清，换一张 (the 图形验证码 of sign-up and 找回密码): django-simple-captcha's refresh view, as its documentation
  // shows it (a GET marked X-Requested-With, answered with a new key and its picture's address).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-captcha-refresh]");
    if (!button || !window.fetch) { return; }
    var field = button.closest(".captcha-widget");
    button.disabled = true;
    fetch(button.getAttribute("data-captcha-refresh"), {
      credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" },
    }).then(function (response) {
      if (response.status === 429) {  // too many refreshes from this address: the server says how long to wait
        return response.json().then(function (refused) { throw { said: refused.error }; });
      }
      if (!response.ok) { throw new Error(""); }
      return response.json();
    }).then(function (fresh) {
      field.querySelector("img.captcha").src = fresh.image_url;
      field.querySelector("input[name$=captcha_0]").value = fresh.key;
      var answer = field.querySelector("input[name$=captcha_1]");
      answer.value = "";
      answer.focus();
    }).catch(function (error) {
      var old = field.querySelector("[data-request-error]");
      if (old) { old.remove(); }
      field.appendChild(errorMessage((error && error.said) || "未能换一张图片，请检查网络后再试，或刷新本页。"));
    }).then(function () { button.disabled = false; });
  });

  // ☰ 菜单 of the back office on a narrow screen (layouts/backoffice.html): opens and closes the menu below it.
  // Escape closes it again and gives the focus back to the button.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) { return; }
    toggle.setAttribute("aria-expanded", toggle.getAttribute("aria-expanded") === "true" ? "false" : "true");
  });
  document.addEventListener("keydown", function (event) {
    var toggle = document.querySelector("[data-nav-toggle][aria-expanded=true]");
    if (event.key !== "Escape" || !toggle || !event.target.closest(".sidebar-wrap")) { return; }
    toggle.setAttribute("aria-expanded", "false");
    toggle.focus();
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
