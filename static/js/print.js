// Buttons marked data-print open the browser's print dialog (a file, not an inline handler: the
// pages allow no inline script).
"use strict";

document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
