// Move focus to the error summary when a form comes back with errors, so that
// screen-reader and keyboard users hear what went wrong straight away.
(function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
