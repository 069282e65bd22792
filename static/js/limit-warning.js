// When a claim would go over the advisor's own yearly limit, move focus to the warning
// (unless the form also has errors: then the error summary has focus).
(function () {
  var warning = document.getElementById("limit-warning");
  if (warning && !document.getElementById("error-summary")) { warning.focus(); }
})();
