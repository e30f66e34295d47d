// Process diagrams: open scrolled to the current step, and switch between actual size and
// fit-to-width. Progressive enhancement only; without script the diagram simply scrolls.
(function () {
  "use strict";

  function centreOnCurrentStep(box) {
    var svg = box.querySelector("svg");
    var current = box.querySelector("g.node.state-active") || box.querySelector("g.node.state-done:last-of-type");
    if (!svg || !current || box.classList.contains("fit")) {
      return;
    }
    var frame = box.getBoundingClientRect();
    var node = current.getBoundingClientRect();
    box.scrollLeft += node.left - frame.left - (frame.width - node.width) / 2;
    box.scrollTop += node.top - frame.top - (frame.height - node.height) / 2;
  }

  function setUp(box) {
    var toggle = document.querySelector("[data-diagram-toggle='" + box.id + "']");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var fit = box.classList.toggle("fit");
        toggle.setAttribute("aria-pressed", fit ? "true" : "false");
        centreOnCurrentStep(box);
      });
    }
    centreOnCurrentStep(box);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".diagram-box[id]"), setUp);
  });
})();
