// Progressive enhancement for saved results: a "Copy link" button. The link is a
// plain visible text field, so everything works without this script.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy link"; }, 2000);
      });
    });
  });
  document.querySelectorAll("input[data-copy]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
