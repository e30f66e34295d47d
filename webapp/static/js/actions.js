/* The action bar's small forms (<details class="act-pop">): one open at a time, focus on its
   first field, closed by 取消, Escape or a click elsewhere. They work without this file too. */
(function () {
  "use strict";
  var pops = Array.prototype.slice.call(document.querySelectorAll("details.act-pop"));

  function closeAll(except) {
    pops.forEach(function (pop) { if (pop !== except) { pop.open = false; } });
  }

  /* Keep an opened form on screen: right-aligned when it would leave the window on the right,
     opening downwards when there is no room above it. */
  function place(form) {
    form.classList.remove("align-right");
    var box = form.getBoundingClientRect();
    if (box.right > window.innerWidth - 8) { form.classList.add("align-right"); }
    if (box.top < 60) { form.classList.add("down"); }
  }

  pops.forEach(function (pop) {
    pop.addEventListener("toggle", function () {
      if (!pop.open) { return; }
      closeAll(pop);
      place(pop.querySelector("form"));
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
