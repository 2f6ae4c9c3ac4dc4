// The wall's results: the top five themes and ideas in large type, revealed from fifth to first,
// then the rest of the ranking paged; and the closing screen that thanks the room.
import { t } from "../shared/live.js";
import { placeElement, resultRows } from "../shared/results.js";
import { packer, splitsWords, wallSizes } from "./pages.js";

export function wallResults(code, area) {
  var data = null, podium = [], rest = [], pages = [], revealStart = null, lastFetch = 0;
  var TOP = 5;

  function row(item) {
    var li = document.createElement("li");
    li.className = "rank-row";
    li.dataset.kind = item.kind;
    var rank = placeElement(item, "rank");
    var label = document.createElement("span");
    label.className = "rank-label";
    label.textContent = item.text;
    var votes = document.createElement("span");
    votes.className = "rank-votes";
    votes.textContent = t(item.votes === 1 ? "dots_one" : "dots", { n: item.votes });
    var bar = document.createElement("span");
    bar.className = "rank-bar";
    bar.style.width = 100 * item.votes / item.most + "%";
    bar.hidden = !item.votes;
    [rank, label, votes, bar].forEach(function (part) { li.appendChild(part); });
    return li;
  }

  function part(name, rows, reveal) {
    var section = document.createElement("section");
    section.className = "podium-part";
    var h = document.createElement("h2");
    h.textContent = rows.length < TOP ? t(name === "themes" ? "results_themes" : "results_ideas")
      : t(name === "themes" ? "top_themes" : "top_ideas", { n: TOP });
    var list = document.createElement("ol");
    list.className = "ranking";
    rows.forEach(function (r, i) {
      var li = row(r);
      if (reveal) {  // fifth first, first last; reduced motion: CSS shows them all at once
        li.classList.add("reveal");
        li.style.animationDelay = (reveal.start + (rows.length - 1 - i)) * reveal.step - reveal.elapsed + "ms";
      }
      list.appendChild(li);
    });
    section.appendChild(h);
    section.appendChild(list);
    return section;
  }

  function drawPodium(parts, reveal) {
    area.textContent = "";
    area.classList.add("podium");
    area.classList.remove("rest");
    var start = 0;
    parts.forEach(function (p) {
      area.appendChild(part(p.name, p.rows, reveal && { start: start, step: reveal.step, elapsed: reveal.elapsed }));
      start += p.rows.length;
    });
  }

  // The rest of the ranking, packed into columns under "Themes" and "Ideas" headings.
  var restPacker = packer(area, {
    count: function () { return rest.length; },
    group: function (i) { return rest[i].kind; },
    section: function (i, continued) {
      var section = document.createElement("section");
      if (!continued) {  // the ranks say where a column goes on; the heading is said once
        var h = document.createElement("h2");
        h.textContent = t(rest[i].kind === "themes" ? "results_themes" : "results_ideas");
        section.appendChild(h);
      }
      var list = document.createElement("ol");
      list.className = "ranking";
      section.appendChild(list);
      return { section: section, list: list };
    },
    item: function (i) { return row(rest[i]); }
  }, 15);

  function restMode() {
    area.classList.add("rest");
    area.classList.remove("podium");
    area.style.setProperty("--rank-size", wallSizes([])[0] + "px");
  }

  function overflows() {
    return area.scrollHeight > area.clientHeight + 1 || area.scrollWidth > area.clientWidth + 1;
  }

  // The largest size at which these parts of the podium fit the screen together; 0 if none does.
  function fitPodium(parts, sizes) {
    for (var i = 0; i < sizes.length; i++) {
      area.style.setProperty("--rank-size", sizes[i] + "px");
      drawPodium(parts, 0);
      if (!overflows() && (i === sizes.length - 1 || !splitsWords(area, ".rank-label"))) { return sizes[i]; }
    }
    return 0;
  }

  // The top fives in the largest type that fits; if themes and ideas do not fit together, a page each.
  function layoutPodium(themes, ideas) {
    var parts = [];
    if (themes.length) { parts.push({ name: "themes", rows: themes.slice(0, TOP) }); }
    if (ideas.length) { parts.push({ name: "ideas", rows: ideas.slice(0, TOP) }); }
    if (!parts.length) { return []; }
    var sizes = wallSizes([0.06, 0.052, 0.045, 0.039, 0.034]);
    var floor = sizes[sizes.length - 1];
    var size = fitPodium(parts, sizes);
    if (size || parts.length < 2) { return [{ podium: parts, size: size || floor }]; }
    return parts.map(function (p) { return { podium: [p], size: fitPodium([p], sizes) || floor }; });
  }

  return {
    fetch: function (then) {
      var now = Date.now();
      if (now - lastFetch < 500) { return; }
      lastFetch = now;
      fetch("/api/workshops/" + encodeURIComponent(code) + "/results").then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (result) { if (result) { data = result; then(); } });
    },
    ready: function () { return !!data; },
    layout: function () {
      if (!data) { area.textContent = ""; pages = [{ podium: [] }]; return 1; }
      // Ranks written as on paper ("1=" when shared); the bars share one scale.
      var rows = resultRows(data, data.ideas.length);
      var most = Math.max.apply(null, rows.map(function (x) { return x.votes; }).concat([1]));
      rows.forEach(function (x) { x.kind = x.theme ? "themes" : "ideas"; x.most = most; });
      var themes = rows.filter(function (x) { return x.theme; });
      var ideas = rows.filter(function (x) { return !x.theme; });
      podium = layoutPodium(themes, ideas);
      rest = themes.slice(TOP).concat(ideas.slice(TOP));
      restMode();
      var restPages = rest.length ? restPacker.pages() : [];
      pages = podium.concat(restPages);
      if (!pages.length) { pages = [{ podium: [] }]; }
      return pages.length;
    },
    show: function (index, step) {
      var page = pages[Math.min(index, pages.length - 1)];
      if (page.podium) {
        area.style.setProperty("--rank-size", (page.size || 0) + "px");
        // Drawn again mid-reveal (new totals, a resize), the reveal goes on where it was.
        if (revealStart === null) { revealStart = Date.now(); }
        drawPodium(page.podium, { step: step, elapsed: Date.now() - revealStart });
      } else {
        restMode();
        restPacker.draw(page);
      }
    },
    again: function () { revealStart = null; }
  };
};

// The last screen: how many ideas from how many people, and thanks.
export function wallClosing(board) {
  return {
    update: function (participants) {
      var ideas = board.order.filter(function (id) {
        var idea = board.ideas[id];
        return !idea.hidden && !idea.pending && (!board.tableFilter || idea.table_id === board.tableFilter);
      }).length;
      document.getElementById("closing-count").textContent = t("closing_count", {
        ideas: t("ideas_count", { n: ideas }), participants: t("participants_count", { n: participants })
      });
    }
  };
};
