// The console works without this script. With it: progress pages update by themselves, and a form's
// buttons are disabled once it is submitted (the server refuses a second send anyway).
(function () {
  "use strict";

  function watchProgress() {
    var text = document.getElementById("progress-text");
    if (!text) { return; }
    var bar = document.getElementById("progress-bar");
    var label = text.getAttribute("data-kind") === "send" ? "Emails" : "Packets";
    var url = text.getAttribute("data-progress-url");
    var lastDone = -1;
    function poll() {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          if (!state.running) { window.location.reload(); return; }
          if (state.done !== lastDone) {
            lastDone = state.done;
            text.textContent = label + ": " + state.done + " of " + state.total + " rows done.";
            if (bar) { bar.max = state.total || 1; bar.value = state.done; }
          }
          window.setTimeout(poll, 700);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    window.setTimeout(poll, 300);
  }

  function oneSubmit() {
    document.querySelectorAll("form[method='post']").forEach(function (form) {
      form.addEventListener("submit", function () {
        window.setTimeout(function () {
          form.querySelectorAll("button[type='submit']").forEach(function (button) {
            button.disabled = true;
            button.setAttribute("aria-disabled", "true");
          });
        }, 0);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    watchProgress();
    oneSubmit();
  });
}());
