/* Loketwijzer: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // "Kopieer link": without JavaScript the link is shown in a read-only box to copy by hand.
  function setUpCopyLink(box) {
    var source = box.querySelector("[data-copy-source]");
    var button = box.querySelector("[data-copy-button]");
    var status = box.querySelector("[data-copy-status]");
    if (!source || !button) { return; }
    button.hidden = false;
    function say(text) { if (status) { status.textContent = text; } }
    function fallback() {
      source.focus();
      source.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      say(ok ? status.dataset.done : status.dataset.failed);
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(
          function () { say(status.dataset.done); }, fallback);
      } else {
        fallback();
      }
    });
    source.addEventListener("focus", function () { source.select(); });
  }

  // "Print" buttons are hidden until printing is possible from a button.
  function setUpPrint(button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  // Move focus to an error summary so screen-reader users hear what went wrong.
  function focusError() {
    var summary = document.getElementById("fout");
    if (summary) { summary.focus(); }
  }

  document.querySelectorAll("[data-copy-link]").forEach(setUpCopyLink);
  document.querySelectorAll("[data-print-button]").forEach(setUpPrint);
  focusError();
}());
