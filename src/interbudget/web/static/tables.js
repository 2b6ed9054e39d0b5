// Sortable tables of the workbench: every <table class="sortable"> gets a button in each header cell; a click, Enter
// or Space sorts the body by that column (numbers by their data-value, text in the page's language), again to
// reverse. aria-sort tells screen readers the order. Served from the package (/static/tables.js), no CDN.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  function key(cell) {
    var v = cell.getAttribute("data-value");
    if (v !== null && v !== "" && !isNaN(Number(v))) return { n: Number(v) };
    return { s: cell.textContent.trim() };
  }
  function compare(a, b) {
    if (a.n !== undefined && b.n !== undefined) return a.n - b.n;
    if (a.n !== undefined) return -1;
    if (b.n !== undefined) return 1;
    return a.s.localeCompare(b.s, lang, { numeric: true });
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c1 = r1.cells[col], c2 = r2.cells[col];
      if (!c1 || !c2) return 0;
      return dir * compare(key(c1), key(c2));
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
  }
  function init(table) {
    if (!table.tHead || !table.tHead.rows.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      if (th.hasAttribute("data-nosort")) return;
      var b = document.createElement("button");
      b.type = "button";
      b.className = "sort";
      while (th.firstChild) b.appendChild(th.firstChild);
      th.appendChild(b);
      b.addEventListener("click", function () { sortBy(table, col, th); });
    });
  }
  // every table scrolls inside its own box (a phone scrolls the table, not the page); the box is focusable and
  // named, so a keyboard can scroll it (WCAG 2.1.1) and a screen reader announces it
  function nameOf(table) {
    if (table.caption && table.caption.textContent.trim()) return table.caption.textContent.trim();
    var el = table.parentElement;
    while (el && el !== document.body) {
      var h = el.previousElementSibling;
      while (h) {
        if (/^H[1-6]$/.test(h.tagName)) return h.textContent.trim();
        var inner = h.querySelector && h.querySelector("h1,h2,h3,h4,h5,h6");
        if (inner) return inner.textContent.trim();
        h = h.previousElementSibling;
      }
      el = el.parentElement;
    }
    return document.title;
  }
  function boxed(table) {
    var box = table.parentElement;
    if (!box.classList.contains("wide") && !box.classList.contains("table-wrap")) {
      box = document.createElement("div");
      box.className = "table-wrap";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    if (!box.hasAttribute("role")) box.setAttribute("role", "region");
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) box.setAttribute("aria-label", nameOf(table));
  }
  function ready() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), boxed);
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
})();
