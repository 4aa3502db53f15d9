/* Citation previews on touch screens, and printing with collapsed sections open.
 *
 * Progressive enhancement. Without this script a citation is an ordinary link to its study
 * page, and its title is the preview that mouse and keyboard users see on hover and focus.
 * On a touch screen the first tap on a citation shows that preview, with a link to the study,
 * instead of leaving the page; a second tap on the same citation follows it. Preview text is
 * only ever set with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  var SEPARATOR = " \u00b7 "; // render.PREVIEW_SEPARATOR
  var previews = new WeakMap();
  var lastPointer = window.matchMedia && window.matchMedia("(pointer: coarse)").matches ? "touch" : "mouse";
  var open = null;
  var opened = [];
  var counter = 0;

  function citationOf(node) {
    return node && node.closest ? node.closest("a.ev-cite") : null;
  }

  // Material removes the title while its own tooltip shows, so keep the first one seen.
  function previewOf(cite) {
    if (!previews.has(cite) && cite.getAttribute("title")) previews.set(cite, cite.getAttribute("title"));
    return previews.get(cite) || "";
  }

  function close(restoreFocus) {
    if (!open) return;
    var cite = open.cite;
    open.box.remove();
    cite.removeAttribute("aria-expanded");
    cite.removeAttribute("aria-controls");
    document.documentElement.classList.remove("ev-previewing");
    open = null;
    if (restoreFocus) cite.focus();
  }

  function line(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  function show(cite) {
    close(false);
    var parts = previewOf(cite).split(SEPARATOR);
    var box = document.createElement("span");
    box.className = "ev-preview";
    box.id = "ev-preview-" + ++counter;
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", "Citation " + cite.textContent.trim());
    box.appendChild(line("strong", "ev-preview__title", parts[0]));
    for (var i = 1; i < parts.length; i++) box.appendChild(line("span", "ev-preview__line", parts[i]));
    var link = line("a", "ev-preview__link", "Open the study page");
    link.href = cite.href;
    box.appendChild(link);
    var button = line("button", "ev-preview__close", "\u00d7");
    button.type = "button";
    button.setAttribute("aria-label", "Close the preview");
    button.addEventListener("click", function () {
      close(true);
    });
    box.appendChild(button);
    cite.insertAdjacentElement("afterend", box);
    cite.setAttribute("aria-expanded", "true");
    cite.setAttribute("aria-controls", box.id);
    document.documentElement.classList.add("ev-previewing");
    place(box, cite);
    open = { cite: cite, box: box };
  }

  // Below the citation, inside the viewport; offsets are relative to the box's positioned parent.
  function place(box, cite) {
    var parent = (box.offsetParent || document.body).getBoundingClientRect();
    var at = cite.getBoundingClientRect();
    var width = box.offsetWidth;
    var viewport = document.documentElement.clientWidth;
    var left = Math.max(8, Math.min(at.left, viewport - width - 8));
    box.style.left = left - parent.left + "px";
    box.style.top = at.bottom - parent.top + 6 + "px";
  }

  document.addEventListener(
    "pointerdown",
    function (event) {
      lastPointer = event.pointerType || lastPointer;
      var cite = citationOf(event.target);
      if (cite) previewOf(cite);
    },
    true
  );

  document.addEventListener("click", function (event) {
    var cite = citationOf(event.target);
    if (open && !open.box.contains(event.target) && cite !== open.cite) close(false);
    if (!cite || event.defaultPrevented || event.button !== 0 || event.detail === 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    if ((event.pointerType || lastPointer) !== "touch") return;
    if (open && open.cite === cite) return; // the second tap follows the link
    if (!previewOf(cite)) return;
    event.preventDefault();
    show(cite);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) close(true);
  });

  window.addEventListener("resize", function () {
    if (open) place(open.box, open.cite);
  });

  window.addEventListener("beforeprint", function () {
    close(false);
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (details) {
      details.open = true;
      return true;
    });
  });

  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) {
      details.open = false;
    });
    opened = [];
  });

  Array.prototype.forEach.call(document.querySelectorAll("a.ev-cite[title]"), previewOf);
})();
