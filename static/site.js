// Copy buttons for the apply address and subject: in-app browsers (WeChat) often ignore mailto:.
// In WeChat (its user agent says MicroMessenger) copying is the first action, not the e-mail link.
(function () {
  "use strict";
  var root = document.documentElement;
  if (/MicroMessenger/i.test(navigator.userAgent)) { root.classList.add("is-wechat"); }
  // Channel and referral (issue 18): ?src=公众号&ref=AB12 on a position's address go into the e-mail's subject
  // and body, the copied subject and a line on the page, so HR sees where each résumé came from. They come from
  // whoever made the link: only letters, digits, CJK, "-", "_" and "." and at most 32 of them, else ignored;
  // written as text, never as HTML.
  var referral = document.querySelector(".referral");
  if (referral && window.URLSearchParams) {
    var params = new URLSearchParams(location.search), lines = [];
    [["ref", "data-ref-label"], ["src", "data-src-label"]].forEach(function (pair) {
      var value = (params.get(pair[0]) || "").trim();
      if (/^[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff_.-]{1,32}$/.test(value)) {
        lines.push(referral.getAttribute(pair[1]) + "：" + value);
      }
    });
    if (lines.length) {
      referral.textContent = lines.join("　");
      referral.hidden = false;
      // In the subject too: the subject row is what a seeker in WeChat copies into a mail of their own.
      var suffix = "（" + lines.join("，") + "）";
      var subject = document.getElementById("apply-subject");
      if (subject) { subject.textContent += suffix; }
      document.querySelectorAll("a[href^='mailto:']").forEach(function (link) {
        var parts = link.getAttribute("href").split("?"), query = (parts[1] || "").split("&"), body = null;
        query = query.filter(function (item) { return item; }).map(function (item) {
          var key = item.slice(0, item.indexOf("=") + 1);
          if (key === "subject=") { return key + encodeURIComponent(decodeURIComponent(item.slice(8)) + suffix); }
          if (key === "body=") { body = decodeURIComponent(item.slice(5)).replace(/\s+$/, ""); return null; }
          return item;
        }).filter(function (item) { return item; });
        query.push("body=" + encodeURIComponent((body ? body + "\r\n\r\n" : "") + lines.join("\r\n")));
        link.setAttribute("href", parts[0] + "?" + query.join("&"));
      });
      document.querySelectorAll("[data-copy-text]").forEach(function (button) {
        var text = button.getAttribute("data-copy-text").split("\n");
        text[text.length - 1] += suffix;  // the address, then the subject
        button.setAttribute("data-copy-text", text.join("\n"));
      });
    }
  }
  var status = document.querySelector(".copy-status");
  function say(text) { if (status) { status.textContent = text; } }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  document.querySelectorAll(".copy-button").forEach(function (button) {
    var targetId = button.getAttribute("data-copy-target");
    var target = targetId ? document.getElementById(targetId) : null;
    var fixed = button.getAttribute("data-copy-text");
    if (!target && fixed === null) { return; }
    var label = button.textContent; // kept once: a second tap while it says "copied" must not make that the label
    var timer = 0;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = fixed !== null ? fixed : target.textContent.trim();
      var copied = status ? status.getAttribute("data-copied") : "";
      var done = function () {
        say(copied + "：" + text.replace(/\n/g, " "));
        button.textContent = copied;
        clearTimeout(timer);
        timer = setTimeout(function () { button.textContent = label; }, 2000);
      };
      var failed = function () {
        if (fallbackCopy(text)) { done(); } else if (status) { say(status.getAttribute("data-failed")); }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, failed);
      } else {
        failed();
      }
    });
  });
})();
