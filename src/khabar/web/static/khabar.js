// Article view: the legend's checkboxes show or hide each kind of highlight.
"use strict";
document.querySelectorAll("input.toggle").forEach(function (box) {
  box.addEventListener("change", function () {
    document.body.classList.toggle("hide-" + box.dataset.kind, !box.checked);
  });
});
