// The import-export "Export" page: the "Select all" box ticks or clears every field box.
// (The library's template used an inline onchange="..." handler, which our CSP blocks.)
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", onSelectToggleChange);
  });
});
