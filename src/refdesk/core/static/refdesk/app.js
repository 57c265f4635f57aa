// Small behaviours for server-rendered pages. No inline handlers anywhere: the
// Content-Security-Policy (script-src 'self') would block them.
(function () {
  "use strict";
  // NAICS suggestion buttons (pool/partials/industry_suggestions.html): put the code into the
  // input named by data-target, tell htmx and forms it changed, and clear the list.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.suggestion[data-target]");
    if (!button) return;
    var input = document.getElementById(button.dataset.target);
    if (input) {
      input.value = button.dataset.code;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    }
    var list = button.closest(".industry-suggestions");
    if (list) list.innerHTML = "";
  });
})();
