/* Learning pages (issue 14): a "copy" button for the drafted request, shown only when the browser can copy. */
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) { status.textContent = "Copied. Paste it into your e-mail or message."; }
      }, function () {
        field.select();
        if (status) { status.textContent = "Select the text and copy it."; }
      });
    });
  });
})();
