// Copy buttons for the apply address and subject: in-app browsers (WeChat) often ignore mailto:.
(function () {
  "use strict";
  var status = document.querySelector(".copy-status");
  function say(text) { if (status) { status.textContent = text; } }
  function fallbackCopy(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    return ok;
  }
  document.querySelectorAll(".copy-button").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = target.textContent.trim();
      var done = function () {
        say(status.getAttribute("data-copied") + "：" + text);
        button.textContent = status.getAttribute("data-copied");
        setTimeout(function () { button.textContent = button.getAttribute("data-label"); }, 2000);
      };
      var failed = function () { if (!fallbackCopy(target)) { say(status.getAttribute("data-failed")); } else { done(); } };
      button.setAttribute("data-label", button.textContent);
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, failed);
      } else {
        failed();
      }
    });
  });
})();
