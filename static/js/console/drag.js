// Drag a card onto a theme with a mouse, a pen or a finger (Pointer Events), on the console.

export const dragging = (function () {
  var THRESHOLD = 6;  // pixels of movement before a press becomes a drag rather than a click
  var EDGE = 48, SPEED = 16;  // a drag held this near the window's top or bottom scrolls it
  var area = null, onDrop = null, drag = null, dropped = false, scrolling = 0;

  function groupAt(x, y) {
    var element = document.elementFromPoint(x, y);
    return element && element.closest ? element.closest(".group") : null;
  }

  function highlight(group) {
    area.querySelectorAll(".group.drop-target").forEach(function (g) { if (g !== group) { g.classList.remove("drop-target"); } });
    if (group) { group.classList.add("drop-target"); }
  }

  // Scroll while the pointer is held near an edge, so that a finger (which cannot scroll the page
  // during a drag) or a mouse reaches themes below or above the window.
  function autoScroll() {
    scrolling = 0;
    if (!drag || !drag.ghost) { return; }
    var step = drag.lastY < EDGE ? -SPEED : (drag.lastY > window.innerHeight - EDGE ? SPEED : 0);
    var before = window.scrollY;
    if (step) { window.scrollBy(0, step); }
    if (window.scrollY === before) { return; }
    highlight(groupAt(drag.lastX, drag.lastY));
    scrolling = requestAnimationFrame(autoScroll);
  }

  function start(event, item, ideaId) {
    if (event.button !== 0 || event.target.closest("button, select, input")) { return; }
    drag = { item: item, ideaId: ideaId, x: event.clientX, y: event.clientY, ghost: null, pointer: event.pointerId };
  }

  function move(event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    if (!drag.ghost) {
      if (Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < THRESHOLD) { return; }
      drag.ghost = drag.item.cloneNode(true);
      drag.ghost.classList.add("drag-ghost");
      drag.ghost.style.width = drag.item.offsetWidth + "px";
      drag.ghost.removeAttribute("id");
      document.body.appendChild(drag.ghost);
      drag.item.classList.add("dragging");
    }
    event.preventDefault();
    drag.ghost.style.transform = "translate(" + (event.clientX + 8) + "px," + (event.clientY + 8) + "px)";
    highlight(groupAt(event.clientX, event.clientY));
    drag.lastX = event.clientX;
    drag.lastY = event.clientY;
    if (!scrolling) { scrolling = requestAnimationFrame(autoScroll); }
  }

  function end(event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    var current = drag;
    drag = null;
    cancelAnimationFrame(scrolling);
    scrolling = 0;
    if (!current.ghost) { return; }
    current.ghost.remove();
    current.item.classList.remove("dragging");
    highlight(null);
    dropped = true;
    setTimeout(function () { dropped = false; }, 0);  // the click that follows a drop is not a selection
    var group = event.type === "pointerup" ? groupAt(event.clientX, event.clientY) : null;
    if (group) { onDrop(current.ideaId, group.dataset.cluster ? Number(group.dataset.cluster) : null); }
  }

  return {
    init: function (groupsArea, dropHandler) {
      area = groupsArea;
      onDrop = dropHandler;
      document.addEventListener("pointermove", move, { passive: false });
      document.addEventListener("pointerup", end);
      document.addEventListener("pointercancel", end);
    },
    attach: function (item, ideaId) {
      item.addEventListener("pointerdown", function (event) { start(event, item, ideaId); });
    },
    justDropped: function () { return dropped; }
  };
})();
