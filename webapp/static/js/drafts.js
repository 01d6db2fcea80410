/* Autosave of the drafts of long forms (webapp.drafts): every 60 seconds, if something was typed since the last
   save, the form is sent as a draft with fetch. The CSRF token travels in the form's own hidden field; the server
   answers in JSON (no flash message, no page change) and the sentence it sends is shown in the form's live region.
   Without JavaScript nothing changes: «Salva bozza» still works. Loaded as a file, never inline (CSP). */
(function () {
  "use strict";
  var INTERVAL_MS = 60000;

  function autosave(button) {
    var form = button.form;
    if (!form) {
      return;
    }
    var status = document.getElementById("draft-autosave-status");
    var changed = false;
    var busy = false;
    var sent = false;
    var markChanged = function () { changed = true; };
    form.addEventListener("input", markChanged);
    form.addEventListener("change", markChanged);
    form.addEventListener("submit", function () { sent = true; });

    window.setInterval(function () {
      if (!changed || busy || sent) {
        return;
      }
      var data = new FormData(form);
      data.set("action", "draft");
      busy = true;
      changed = false;
      // getAttribute: form.action would be the button named "action"
      fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Tessere-Autosave": "1", "Accept": "application/json" }
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (answer) {
          if (status && answer.message) {
            status.textContent = answer.message;
          }
        })
        .catch(function () {
          changed = true; // try again at the next tick
        })
        .finally(function () {
          busy = false;
        });
    }, INTERVAL_MS);
  }

  document.querySelectorAll('button[name="action"][value="draft"]').forEach(autosave);
})();
