/* The action bar's small forms (<details class="act-pop">): one open at a time, focus on its
   first field, closed by 取消, Escape or a click elsewhere. They work without this file too. */
(function () {
  "use strict";
  var pops = Array.prototype.slice.call(document.querySelectorAll("details.act-pop"));

  function closeAll(except) {
    pops.forEach(function (pop) { if (pop !== except) { pop.open = false; } });
  }

  pops.forEach(function (pop) {
    pop.addEventListener("toggle", function () {
      if (!pop.open) { return; }
      closeAll(pop);
      var first = pop.querySelector("form select, form textarea, form input:not([type=hidden])");
      if (first) { first.focus(); }
    });
    var cancel = pop.querySelector("[data-close]");
    if (cancel) {
      cancel.addEventListener("click", function () {
        pop.open = false;
        pop.querySelector("summary").focus();
      });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeAll(null); }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("details.act-pop")) { closeAll(null); }
  });

  var refused = document.querySelector("details.act-pop[open] [aria-invalid=true], details.act-pop[open] .alert");
  if (refused) { refused.scrollIntoView({ block: "center" }); }
}());
