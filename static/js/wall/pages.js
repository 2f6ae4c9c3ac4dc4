// The wall's pages: ideas (or ranked rows) packed into columns at a size the back of the hall can
// read, split into pages that each fit the screen, and a clock that turns them.
import { cardElement } from "../shared/board.js";
import { t } from "../shared/live.js";

// Text sizes to try, largest first, as pixels for this window; the last is the floor: 3% of the
// screen's height (32 px at 1080p, 22 px at 720p), below which the back rows cannot read.
export function wallSizes(fractions) {
  var height = window.innerHeight;
  var floor = Math.ceil(height * 0.03);
  return fractions.map(function (f) { return Math.max(floor, Math.round(height * f)); }).concat([floor])
    .filter(function (size, i, all) { return all.indexOf(size) === i; });
};

// Whether a word is wider than its box (a long Danish compound): broken mid-word it is hard to
// read, so the text is too big. At the floor size words may break (CSS).
export function splitsWords(area, selector) {
  var texts = area.querySelectorAll(selector), split = false;
  area.classList.add("measuring");
  for (var i = 0; i < texts.length && !split; i++) { split = texts[i].scrollWidth > texts[i].clientWidth + 1; }
  area.classList.remove("measuring");
  return split;
};

// Packs items into the columns of `area`, a page at a time, measuring as it goes, so that what is
// drawn is exactly what was measured. source: count(), group(i) (items of one group share a
// heading; null: no headings), section(i, continued) -> {section, list}, item(i) -> element.
// A group starts a fresh column when it would fit one but not the rest of the current one (a
// theme is a tile); a group taller than a column continues under a "(continued)" heading.
export function packer(area, source, columnEm) {
  var columns = [], limit = 0;

  function start(count) {
    area.textContent = "";
    columns = [];
    for (var c = 0; c < count; c++) {
      var column = document.createElement("div");
      column.className = "wall-column";
      area.appendChild(column);
      columns.push(column);
    }
  }

  function fits(column) { return column.scrollHeight <= limit; }

  // The board's height, a pixel short: scrollHeight is rounded, the board's height need not be.
  function boardHeight() { return Math.floor(area.getBoundingClientRect().height) - 1; }

  // Place group items [i, end) from column c on; returns {i, c} where it stopped.
  function place(i, end, c, continued) {
    var list = null;
    while (i < end && c < columns.length) {
      if (!list) {
        var made = source.section(i, continued);
        columns[c].appendChild(made.section);
        list = made.list;
      }
      var element = source.item(i);
      list.appendChild(element);
      if (fits(columns[c]) || (list.children.length === 1 && columns[c].children.length === 1)) {
        if (!fits(columns[c])) { columns[c].classList.add("too-tall"); }
        i++;
        continued = true;
        continue;
      }
      list.removeChild(element);
      if (!list.children.length) { columns[c].removeChild(list.parentNode); }
      list = null;
      c++;
    }
    return { i: i, c: c };
  }

  // Take back what was placed after the first `keep` children of column c, up to column last.
  function undo(c, keep, last) {
    while (columns[c].children.length > keep) { columns[c].removeChild(columns[c].lastChild); }
    for (var k = c + 1; k <= last && k < columns.length; k++) { columns[k].textContent = ""; }
  }

  function groupEnd(i, count) {
    var group = source.group(i), end = i + 1;
    while (end < count && source.group(end) === group) { end++; }
    return end;
  }

  // Draw items from `from` on, `height` px per column at most, stopping before `stop`; returns
  // the index after the last item drawn.
  function pack(from, height, stop) {
    var count = Math.min(stop, source.count()), i = from, c = 0;
    limit = height;
    start(columnCount());
    while (i < count && c < columns.length) {
      var end = groupEnd(i, count), before = columns[c].children.length;
      var continued = i > 0 && source.group(i - 1) === source.group(i) && source.group(i) !== null;
      var at = place(i, end, c, continued);
      if (at.c > c && before && source.group(i) !== null) {  // split: would it fit a fresh column?
        undo(c, before, at.c);
        var fresh = c + 1 < columns.length ? place(i, end, c + 1, continued) : { i: i, c: columns.length };
        if (fresh.i === end && fresh.c === c + 1 || fresh.i === i) {
          at = fresh;  // a tile in a column of its own, or on the next page
        } else {  // taller than a column anyway: run on from where it was
          undo(c + 1, 0, fresh.c);
          at = place(i, end, c, continued);
        }
      }
      i = at.i;
      c = at.c;
    }
    return i;
  }

  function columnCount() {
    var size = parseFloat(getComputedStyle(area).fontSize);
    var gap = size * 0.5;
    return Math.max(1, Math.floor((area.clientWidth + gap) / (columnEm * size + gap)));
  }

  return {
    // Pages as [from, to) ranges, each filling the screen.
    pages: function () {
      var pages = [], from = 0, count = source.count(), height = boardHeight();
      while (from < count) {
        var to = pack(from, height, count);
        if (to === from) { to = from + 1; }  // cannot happen: an item always goes in an empty column
        pages.push({ from: from, to: to });
        from = to;
      }
      return pages.length ? pages : [{ from: 0, to: 0 }];
    },
    // Draw a page with its columns balanced: the lowest column height that still holds it.
    draw: function (page) {
      var low = 0, high = boardHeight();
      while (high - low > 8) {
        var mid = (low + high) / 2;
        if (pack(page.from, mid, page.to) >= page.to) { high = mid; } else { low = mid; }
      }
      pack(page.from, high, page.to);
      return area.querySelectorAll(".idea, .rank-row");
    }
  };
};

// The ideas on the wall, alone or under their themes, paged. Newest first while collecting; in
// theme order afterwards. A theme's heading is drawn only above its own ideas.
export function wallIdeas(board, area) {
  var items = [], pages = [], drawn = {}, themed = false;

  function entries() {
    var newestFirst = board.workshop.phase === "collect";
    // Themes stay off the projector until the facilitator shows them: a draft never surprises the room.
    var groups = (board.workshop.themes_on_wall ? board.groups(false) : [{ cluster: null, cards: board.cards(false) }])
      .filter(function (g) { return g.cards.length; });
    themed = groups.some(function (g) { return g.cluster; });
    var list = [];
    groups.forEach(function (group) {
      var cards = newestFirst ? group.cards.slice().reverse() : group.cards;
      cards.forEach(function (card) { list.push({ card: card, group: group }); });
    });
    return list;
  }

  function heading(group, continued) {
    var h = document.createElement("h2");
    var label = document.createElement("span");
    var name = group.cluster ? group.cluster.label : t("unsorted");
    label.textContent = continued ? t("continued", { theme: name }) : name;
    var count = document.createElement("span");
    count.className = "theme-count";
    count.textContent = String(board.ideaCount(group));
    h.appendChild(label);
    h.appendChild(count);
    return h;
  }

  var pack = packer(area, {
    count: function () { return items.length; },
    group: function (i) { return themed ? items[i].group : null; },
    section: function (i, continued) {
      var group = items[i].group;
      var section = document.createElement("section");
      section.className = group.cluster ? "theme" : "theme unsorted";
      if (themed) { section.appendChild(heading(group, continued)); }
      var list = document.createElement("ul");
      list.className = "cards";
      section.appendChild(list);
      return { section: section, list: list };
    },
    item: function (i) {
      var element = cardElement(items[i].card);
      if (!drawn[items[i].card.idea.id]) { element.classList.add("arrived"); }
      return element;
    }
  }, 12);

  return {
    // Lay the ideas out afresh: the largest size at which they fit one page, else pages at the
    // floor size. Returns the number of pages and the size chosen.
    layout: function () {
      items = entries();
      area.classList.toggle("themed", themed);
      var sizes = wallSizes([0.075, 0.063, 0.053, 0.045, 0.039, 0.034]);
      for (var i = 0; i < sizes.length; i++) {
        area.style.setProperty("--idea-size", sizes[i] + "px");
        if (items.length > 160 && i < sizes.length - 1) { continue; }  // cannot fit one page
        pages = pack.pages();
        if (i === sizes.length - 1 || (pages.length === 1 && !splitsWords(area, ".idea-text"))) {
          return { pages: pages.length, size: sizes[i] };
        }
      }
      return { pages: pages.length, size: sizes[sizes.length - 1] };
    },
    show: function (index) { pack.draw(pages[Math.min(index, pages.length - 1)]); },
    // Remember what has been on the wall: only ideas new to it animate in.
    settle: function () { items.forEach(function (item) { drawn[item.card.idea.id] = true; }); }
  };
};

// The clock that turns pages every `interval` ms (speedable with ?page_seconds= for tests), held
// while the facilitator has paused the wall; shows "Page 2/8" while there is more than one page.
export function pageClock(interval, indicator, onTurn) {
  var pages = 1, index = 0, paused = false, timer = null, firstTicks = 1, hold = 0;

  function draw() {
    indicator.textContent = pages > 1
      ? t(paused ? "page_paused" : "page_of", { n: index + 1, total: pages }) : "";
  }

  function restart() {
    if (timer) { clearInterval(timer); }
    timer = setInterval(function () {
      if (paused || pages < 2) { return; }
      if (hold > 0) { hold--; return; }
      index = (index + 1) % pages;
      if (index === 0) { hold = firstTicks - 1; }
      draw();
      onTurn(index);
    }, interval);
  }

  restart();
  return {
    // New pages: keep the page being read (or the last one) and go on from there; or start over,
    // the first page staying `first` intervals (the results' top fives, revealed one by one).
    set: function (count, fromStart, first) {
      pages = Math.max(1, count);
      index = fromStart ? 0 : Math.min(index, pages - 1);
      if (fromStart) { firstTicks = first || 1; hold = firstTicks - 1; restart(); }
      draw();
      return index;
    },
    pause: function (value) { paused = !!value; draw(); },
    index: function () { return index; }
  };
};
