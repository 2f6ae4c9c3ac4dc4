// The wall's pages: ideas (or ranked rows) packed into columns at a size the back of the hall can
// read, split into pages that each fit the screen, and a clock that turns them.
import { cardElement } from "../shared/board.js";
import { t } from "../shared/live.js";
import { setHyphenated } from "./hyphens.js";

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
// heading; null: no headings), section(i, continued) -> {section, list}, item(i) -> element, and
// optionally shorten(element, fits): an item taller than a whole column is shortened until it fits
// (without it, such an item stands alone in its column, too tall).
// A group starts a fresh column when it would fit one but not the rest of the current one (a
// theme is a tile); a group taller than a column continues under a "(continued)" heading.
export function packer(area, source, columnEm) {
  var columns = [], limit = 0, full = 0;

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
      var alone = list.children.length === 1 && columns[c].children.length === 1;
      // Only a whole column's height shortens an item: balancing the columns never does.
      if (alone && source.shorten && limit >= full && !fits(columns[c])) {
        source.shorten(element, fits.bind(null, columns[c]));
      }
      if (fits(columns[c]) || (alone && (!source.shorten || limit >= full))) {
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

  // Whether items [i, end) fit one whole column as wide as column c: measured in a hidden probe.
  function fitsOneColumn(i, end, c, continued) {
    var probe = document.createElement("div");
    probe.className = "wall-column probe";
    probe.style.cssText = "position:absolute;visibility:hidden;flex:none;width:"
      + columns[c].getBoundingClientRect().width + "px";
    area.appendChild(probe);
    columns.push(probe);
    var at = place(i, end, columns.length - 1, continued);
    columns.pop();
    area.removeChild(probe);
    return at.i === end;
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
    full = boardHeight();
    start(columnCount());
    if (source.columns) { source.columns(columns[0].clientWidth); }
    while (i < count && c < columns.length) {
      var end = groupEnd(i, count), before = columns[c].children.length;
      var continued = i > 0 && source.group(i - 1) === source.group(i) && source.group(i) !== null;
      var at = place(i, end, c, continued);
      if (at.c > c && before && source.group(i) !== null) {  // split: would it fit a fresh column?
        undo(c, before, at.c);
        if (c + 1 < columns.length) {
          var fresh = place(i, end, c + 1, continued);
          if (fresh.i === end && fresh.c === c + 1) {
            at = fresh;  // a tile in a column of its own
          } else {  // taller than a column anyway: run on from where it was
            undo(c + 1, 0, fresh.c);
            at = place(i, end, c, continued);
          }
        } else if (fitsOneColumn(i, end, c, continued)) {
          at = { i: i, c: columns.length };  // a tile on the next page
        } else {  // taller than a column: run on, "(continued)" on the next page
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
    // Draw a page with its columns balanced: the lowest column height that still holds it. Themes
    // are not balanced: a lower column would split a theme that fits one ("(continued)").
    draw: function (page) {
      var low = 0, high = boardHeight();
      if (source.grouped && source.grouped()) { low = high; }
      while (high - low > 8) {
        var mid = (low + high) / 2;
        if (pack(page.from, mid, page.to) >= page.to) { high = mid; } else { low = mid; }
      }
      pack(page.from, high, page.to);
      return area.querySelectorAll(".idea, .rank-row");
    }
  };
};

// The CSS font of text `size` px in the wall's family, for measuring words.
export function wallFont(size, bold) {
  return (bold ? "700 " : "400 ") + size + "px " + getComputedStyle(document.body).fontFamily;
}

// An idea's card for the wall: a word too wide for `width` px of text is hyphenated (as Danish or
// English, as the idea reads).
export function wallCard(card, language, size, width) {
  var element = cardElement(card);
  setHyphenated(element.querySelector(".idea-text"), card.idea.text, language, wallFont(size), width);
  return element;
}

// The ideas on the wall, alone or under their themes, paged. Newest first while collecting; in
// theme order afterwards. A theme's heading is drawn only above its own ideas. A themed wall that
// pages opens with an overview: every theme and its count. An idea too long for a column is
// shortened there ("…") and shown in full on a page of its own after the others.
export function wallIdeas(board, area) {
  var items = [], pages = [], drawn = {}, themed = false, groups = [], size = 0;
  var shortened = [];  // item indices shortened in the columns, while paging
  var textWidth = 0;   // px of text in a card of a column, at the size being laid out
  var language = document.documentElement.lang || "da";

  function entries() {
    var newestFirst = board.workshop.phase === "collect";
    // Themes stay off the projector until the facilitator shows them: a draft never surprises the room.
    groups = (board.workshop.themes_on_wall ? board.groups(false) : [{ cluster: null, cards: board.cards(false) }])
      .filter(function (g) { return g.cards.length; });
    themed = groups.some(function (g) { return g.cluster; });
    var list = [];
    groups.forEach(function (group) {
      var cards = newestFirst ? group.cards.slice().reverse() : group.cards;
      cards.forEach(function (card) { list.push({ card: card, group: group }); });
    });
    return list;
  }

  function groupName(group) { return group.cluster ? group.cluster.label : t("unsorted"); }

  function heading(group, continued, at) {
    var h = document.createElement("h2");
    var label = document.createElement("span");
    setHyphenated(label, continued ? t("continued", { theme: groupName(group) }) : groupName(group), language,
                  wallFont(at || size, true), textWidth);
    var count = document.createElement("span");
    count.className = "theme-count";
    count.textContent = String(board.ideaCount(group));
    h.appendChild(label);
    h.appendChild(count);
    return h;
  }

  function section(group, continued, at) {
    var box = document.createElement("section");
    box.className = group.cluster ? "theme" : "theme unsorted";
    if (themed) { box.appendChild(heading(group, continued, at)); }
    var list = document.createElement("ul");
    list.className = "cards";
    box.appendChild(list);
    return { section: box, list: list };
  }

  function card(i, at) {
    var element = wallCard(items[i].card, language, at || size, textWidth);
    element.dataset.item = String(i);
    if (!drawn[items[i].card.idea.id]) { element.classList.add("arrived"); }
    return element;
  }

  var pack = packer(area, {
    count: function () { return items.length; },
    group: function (i) { return themed ? items[i].group : null; },
    grouped: function () { return themed; },
    // The columns' width: a card's text is that less its padding (and a theme tile's).
    columns: function (width) { textWidth = width - size * (themed ? 1.3 : 0.9) - 2; },
    section: function (i, continued) { return section(items[i].group, continued); },
    item: card,
    // Fewer lines, ending in "…", until the card fits its column; in full on its own page.
    shorten: function (element, fits) {
      var text = element.querySelector(".idea-text");
      var line = parseFloat(getComputedStyle(text).lineHeight) || 1;
      var lines = Math.max(1, Math.floor(text.getBoundingClientRect().height / line));
      element.classList.add("clamped");
      do { text.style.setProperty("--lines", String(--lines)); } while (lines > 1 && !fits());
      var index = Number(element.dataset.item);
      if (shortened.indexOf(index) < 0) { shortened.push(index); }
    }
  }, 12);

  // The overview: every theme with its count, in columns, as large as fits the board.
  function drawOverview() {
    area.textContent = "";
    var box = document.createElement("div");
    box.className = "overview";
    var title = document.createElement("p");  // not a theme's heading: nothing sits under it
    title.className = "overview-title";
    title.textContent = t("overview_heading", { n: groups.filter(function (g) { return g.cluster; }).length });
    var list = document.createElement("ol");
    list.className = "overview-list";
    groups.forEach(function (group) {
      var row = document.createElement("li");
      row.className = group.cluster ? "overview-theme" : "overview-theme unsorted";
      var label = document.createElement("span");  // whole words: the size is chosen to keep them
      label.className = "overview-label";
      label.textContent = groupName(group);
      var count = document.createElement("span");
      count.className = "overview-count";
      count.textContent = String(board.ideaCount(group));
      row.appendChild(label);
      row.appendChild(count);
      list.appendChild(row);
    });
    box.appendChild(title);
    box.appendChild(list);
    area.appendChild(box);
    // The largest size at which the list fits in one, two or three columns, names unbroken.
    var sizes = wallSizes([0.075, 0.063, 0.055, 0.048, 0.042, 0.036]);
    for (var k = 0; k < sizes.length; k++) {
      for (var c = 1; c <= 3; c++) {
        box.style.setProperty("--overview-size", sizes[k] + "px");
        list.style.setProperty("--overview-columns", String(c));
        if (box.scrollHeight <= area.clientHeight && !splitsWords(box, ".overview-label")) { return; }
      }
    }
  }

  // An idea too long for a column, on a page of its own: the whole text, as large as fits.
  function drawFull(index) {
    var sizes = wallSizes([0.06, 0.052, 0.045, 0.039, 0.034]);
    for (var k = 0; k < sizes.length; k++) {
      area.textContent = "";
      area.style.setProperty("--idea-size", sizes[k] + "px");
      textWidth = area.clientWidth - sizes[k] * 1.3 - 2;
      var column = document.createElement("div");
      column.className = "wall-column";
      var made = section(items[index].group, false, sizes[k]);
      var element = card(index, sizes[k]);
      element.classList.add("full-idea");
      made.list.appendChild(element);
      column.appendChild(made.section);
      area.appendChild(column);
      if (column.scrollHeight <= area.clientHeight) { return; }
    }
  }

  return {
    // Lay the ideas out afresh: the largest size at which they fit one page whole, else pages at
    // the floor size. Returns the number of pages and the size chosen.
    layout: function () {
      items = entries();
      area.classList.toggle("themed", themed);
      var sizes = wallSizes([0.075, 0.063, 0.053, 0.045, 0.039, 0.034]);
      var columnPages = [];
      for (var i = 0; i < sizes.length; i++) {
        size = sizes[i];
        area.style.setProperty("--idea-size", size + "px");
        if (items.length > 160 && i < sizes.length - 1) { continue; }  // cannot fit one page
        shortened = [];
        columnPages = pack.pages();
        var whole = columnPages.length === 1 && !shortened.length && !splitsWords(area, ".idea-text");
        if (i === sizes.length - 1 || whole) { break; }
      }
      pages = columnPages.slice();
      if (themed && pages.length > 1) { pages.unshift({ overview: true }); }
      shortened.sort(function (a, b) { return a - b; }).forEach(function (index) { pages.push({ full: index }); });
      return { pages: pages.length, size: size };
    },
    show: function (index) {
      var page = pages[Math.min(index, pages.length - 1)];
      area.classList.toggle("overview-page", !!page.overview);
      if (page.overview) { drawOverview(); return; }
      if (page.full !== undefined) { drawFull(page.full); return; }
      area.style.setProperty("--idea-size", size + "px");
      pack.draw(page);
    },
    // Remember what has been on the wall: only ideas new to it animate in.
    settle: function () { items.forEach(function (item) { drawn[item.card.idea.id] = true; }); },
    // The newest ideas, newest first: the strip that shows arrivals whatever page is up.
    newest: function (count) {
      return board.cards(false).slice(-count).reverse();
    }
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

  function turn() {
    index = (index + 1) % pages;
    if (index === 0) { hold = firstTicks - 1; }
    draw();
    onTurn(index);
  }

  function restart() {
    if (timer) { clearInterval(timer); }
    timer = setInterval(function () {
      if (paused || pages < 2) { return; }
      if (hold > 0) { hold--; return; }
      turn();
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
    index: function () { return index; },
    turn: turn  // the next page now, as the clock would (tests turn pages without waiting)
  };
};
