/* Forms that help. Everything here is an addition: without this file the forms work as the
   server renders them (one blank row per table and a 添加一行 button that submits the form to get
   another; a plain <select> for people).

   1. Tables (fieldset[data-rows]): 添加一行 copies the row in <template data-row-template>
      (its index "__i__" becomes the next free one), 删除 removes a row; never more rows than
      data-max-items. An Enter in a text field does not press 添加一行.
   2. Person pickers (select.user-picker): the search box before each one filters its options by
      name, username, post, unit and pinyin (the server puts all of it in data-search); what is
      chosen stays listed, and Enter picks the first match of a single picker. */
(function () {
  "use strict";
  var ROW_INDEX = /__i__/g;

  function each(root, selector, fn) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  /* ---------------------------------------------------------------- tables */

  function initTable(box) {
    var body = box.querySelector("tbody");
    var template = box.querySelector("template[data-row-template]");
    var add = box.querySelector("[data-row-add]");
    if (!body || !template || !add) { return; }
    var max = parseInt(box.getAttribute("data-max-items"), 10) || 1000;
    var next = body.querySelectorAll("tr[data-row]").length;

    function rows() { return body.querySelectorAll("tr[data-row]"); }

    function refresh() {
      var all = rows();
      Array.prototype.forEach.call(all, function (row, i) {
        var num = row.querySelector("td.num");
        if (num) { num.textContent = String(i + 1); }
      });
      add.disabled = all.length >= max;
    }

    function wire(row) {
      var del = row.querySelector("[data-row-del]");
      if (!del) { return; }
      del.hidden = false;
      del.addEventListener("click", function () {
        var following = row.nextElementSibling || row.previousElementSibling;
        body.removeChild(row);
        refresh();
        var target = following ? following.querySelector("input, select, textarea") : add;
        (target || add).focus();
      });
    }

    add.addEventListener("click", function (event) {
      event.preventDefault();
      /* An Enter in a text field "clicks" the form's first submit button: not a request for a row. */
      if (event.detail === 0 && document.activeElement !== add) { return; }
      if (rows().length >= max) { return; }
      var holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replace(ROW_INDEX, String(next));
      next += 1;
      var row = holder.querySelector("tr");
      body.appendChild(row);
      wire(row);
      each(row, "select.user-picker", initPicker);
      refresh();
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });

    Array.prototype.forEach.call(rows(), wire);
    refresh();
  }

  /* ---------------------------------------------------------------- person pickers */

  function initPicker(select) {
    var box = select.parentNode.querySelector('input.picker-search[data-picker="' + select.id + '"]');
    if (!box || box.getAttribute("data-wired")) { return; }
    box.setAttribute("data-wired", "1");
    /* The options as the server sent them: [{group, options}], a null group for loose options. */
    var parts = [];
    Array.prototype.forEach.call(select.children, function (child) {
      if (child.tagName === "OPTGROUP") {
        parts.push({ group: child, options: Array.prototype.slice.call(child.children) });
      } else {
        parts.push({ group: null, options: [child] });
      }
    });
    var count = document.createElement("span");
    count.className = "picker-count";
    count.setAttribute("aria-live", "polite");
    box.parentNode.insertBefore(count, select);

    function terms() { return box.value.toLowerCase().split(/\s+/).filter(Boolean); }

    function found(option, words) {
      var text = (option.getAttribute("data-search") || option.textContent).toLowerCase();
      return words.every(function (word) { return text.indexOf(word) !== -1; });
    }

    /* The placeholder and what is chosen stay listed whatever is typed. The plan is made before
       the select changes: removing its selected option makes the browser select another one. */
    function filter() {
      var words = terms();
      var chosen = Array.prototype.filter.call(select.options, function (o) { return o.selected; });
      var plan = parts.map(function (part) {
        return part.options.filter(function (o) { return !o.value || chosen.indexOf(o) !== -1 || found(o, words); });
      });
      var shown = 0;
      while (select.firstChild) { select.removeChild(select.firstChild); }
      parts.forEach(function (part, i) {
        var kept = plan[i];
        shown += kept.filter(function (o) { return o.value; }).length;
        if (!part.group) { kept.forEach(function (o) { select.appendChild(o); }); return; }
        while (part.group.firstChild) { part.group.removeChild(part.group.firstChild); }
        kept.forEach(function (o) { part.group.appendChild(o); });
        if (kept.length) { select.appendChild(part.group); }
      });
      if (select.multiple) {
        Array.prototype.forEach.call(select.options, function (o) { o.selected = chosen.indexOf(o) !== -1; });
      } else if (chosen.length) {
        chosen[0].selected = true;
      }
      count.textContent = words.length ? (box.getAttribute("data-count") || "{n}").replace("{n}", String(shown)) : "";
    }

    box.addEventListener("input", filter);
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault(); /* never submit the form from the search box */
      if (select.multiple) { return; }
      var words = terms();
      var first = Array.prototype.find.call(select.options, function (o) { return o.value && found(o, words); });
      if (first) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    box.hidden = false;
  }

  each(document, "fieldset[data-rows]", initTable);
  each(document, "select.user-picker", initPicker);
}());
