// Copy buttons for the apply address and subject: in-app browsers (WeChat) often ignore mailto:.
// In WeChat (its user agent says MicroMessenger) copying is the first action, not the e-mail link.
(function () {
  "use strict";
  var root = document.documentElement;
  if (/MicroMessenger/i.test(navigator.userAgent)) { root.classList.add("is-wechat"); }
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
