/* Phone layout: the buttons with data-toggle="<id>" fold the element <id> away and back (the
   navigation behind 菜单, the action bar's other actions behind 更多). Loaded in <head>, so the
   page is laid out folded from its first paint; without this file everything stays unfolded. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function toggles() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-toggle]"));
  }

  function set(button, open) {
    var target = document.getElementById(button.getAttribute("data-toggle"));
    if (!target) { return; }
    button.setAttribute("aria-expanded", open ? "true" : "false");
    target.classList.toggle("open", open);
    document.body.classList.toggle(target.id + "-open", open);
  }

  function closeAll(except) {
    toggles().forEach(function (button) {
      if (button !== except && button.getAttribute("aria-expanded") === "true") { set(button, false); }
    });
  }

  /* A table or diagram that scrolls sideways in its own box (phones) takes the keyboard focus, so
     it can be scrolled without a mouse (WCAG 2.1.1; axe: scrollable-region-focusable). */
  function focusableScrollers() {
    document.querySelectorAll("table.list, table.rows, .diagram-box").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); box.setAttribute("data-scroll-focus", ""); }
      } else if (box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    });
  }

  window.addEventListener("resize", focusableScrollers);

  document.addEventListener("DOMContentLoaded", function () {
    focusableScrollers();
    toggles().forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-toggle"));
      /* A small form the server sent back open (a refusal) is shown, not left folded. */
      if (target && target.querySelector("details[open]")) { set(button, true); }
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        closeAll(button);
        set(button, open);
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeAll(null); }
    });
    /* A click outside an opened panel (and outside its button) folds it. */
    document.addEventListener("click", function (event) {
      toggles().forEach(function (button) {
        var target = document.getElementById(button.getAttribute("data-toggle"));
        if (button.getAttribute("aria-expanded") === "true" && target &&
            !button.contains(event.target) && !target.contains(event.target)) {
          set(button, false);
        }
      });
    });
  });
}());
