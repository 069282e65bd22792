// A "Print this statement" button (id="print-statement") opens the browser's print dialog.
(function () {
  var button = document.getElementById("print-statement");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
