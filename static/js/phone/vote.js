// The phone in the vote and results phases: place and take back dots; see the ranked result.
import { button, el } from "../shared/dom.js";
import { errorText, t } from "../shared/live.js";
import { RESULT_IDEAS, placeElement, resultRows } from "../shared/results.js";

// How the dots stand, always in view at the bottom of the screen: a row of dots, how many are
// left, the per-item cap, and "My dots" with a button to take each one back.
function dotBar(onRetract) {
  var bar = document.getElementById("dot-bar");
  var meter = document.getElementById("dot-meter");
  var count = document.getElementById("dots-left");
  var rule = document.getElementById("dot-rule");
  var toggle = document.getElementById("my-dots-toggle");
  var panel = document.getElementById("my-dots-panel");
  var list = document.getElementById("my-dots-list");

  toggle.addEventListener("click", function () {
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", String(!panel.hidden));
  });

  function entry(item) {
    var li = el("li", "my-dot" + (item.theme ? " my-dot-theme" : ""));
    li.appendChild(el("span", "vote-text", item.text));
    li.appendChild(el("span", "my-dots", "●".repeat(item.count)));
    li.appendChild(button(t("remove"), function () { onRetract(item.key, item.id); },
                                      "small secondary", t("remove_dot", { text: item.text })));
    return li;
  }

  // state: dots (the budget), left, cap, voteOn, placed: [{key, id, text, count, theme}]
  return function render(state) {
    var used = state.dots - state.left;
    var done = state.left === 0 && used > 0;
    // Filled for each dot placed, as on the rows it went to; hollow for each still to give.
    meter.textContent = "●".repeat(Math.max(0, used)) + "○".repeat(Math.max(0, state.left));
    meter.classList.toggle("many", state.dots > 10);
    // In table mode the phones at a table share one budget: say whose dots these are.
    var whose = state.shared ? "table_" : "";
    var text = done ? t(whose + "all_dots_placed", { n: state.dots }) : t(whose + "dots_left", { n: state.left });
    if (count.textContent !== text) { count.textContent = text; }  // a live region: say it once
    rule.textContent = done ? t("move_a_dot") : t("cap_" + state.voteOn, { n: state.cap });
    bar.classList.toggle("done", done);
    toggle.textContent = t("my_dots", { n: used });
    toggle.disabled = !state.placed.length;
    toggle.classList.toggle("unused", !state.placed.length);  // kept in place, out of sight, until a dot is given
    if (!state.placed.length) { panel.hidden = true; toggle.setAttribute("aria-expanded", "false"); }
    list.textContent = "";
    state.placed.forEach(function (item) { list.appendChild(entry(item)); });
  };
};

// shared(): whether this phone shares its table's dots (table mode, seated at a table).
export function phoneVoting(live, board, shared) {
  var FOLD_FROM = 16;    // more ideas than this: themes start folded
  var SEARCH_FROM = 13;  // more rows than this: a search box
  var list = document.getElementById("vote-list");
  var how = document.getElementById("vote-how");
  var message = document.getElementById("vote-message");
  var searchField = document.getElementById("vote-search-field");
  var search = document.getElementById("vote-search");
  var searchStatus = document.getElementById("vote-search-status");
  var mine = { ideas: {}, clusters: {} };
  var left = 0;
  var unfolded = {};     // theme id -> true/false, as the participant left it
  // My dots as a whole (join, my_votes, my_votes_changed) stand at a workshop seq; a dot placed or
  // taken back is acked with the seq it was written at: a whole state with a later seq holds it, one
  // with that seq or earlier lacks it. A whole state older than the one shown is skipped; one that
  // arrives after the ack of a later dot lacks that dot: the phone asks for its dots again once
  // none is on its way (docs/protocol.md, `merge_clusters`).
  var shownSeq = -1, voteSeq = -1, busy = 0, taps = 0, stale = false;
  var bar = dotBar(function (key, id) { vote("retract_vote", key, id); });

  function rules() {
    var w = board.workshop || {};
    return { dots: w.dots || 0, cap: w.max_per_item || 1, voteOn: w.vote_on || "both" };
  }

  function dotButton(text, label, command, key, id) {
    return button(text, function () { vote(command, key, id); }, "dot-button", label);
  }

  // One votable row: the text, my dots on it, and buttons to add or take back a dot.
  function row(tag, key, id, text, votable) {
    var count = mine[key][String(id)] || 0;
    var item = el(tag, "vote-item" + (key === "clusters" ? " vote-theme" : "") + (count ? " voted" : "") +
                  (!votable && !count ? " readonly" : ""));
    item.appendChild(el("span", "vote-text", text));
    if (count) {
      var dots = el("span", "my-dots", "●".repeat(count));
      dots.setAttribute("aria-label", t("your_dots", { n: count }));
      dots.setAttribute("role", "img");
      item.appendChild(dots);
    }
    if (!votable && !count) { return item; }
    var controls = el("span", "vote-controls");
    controls.appendChild(dotButton("−", t("retract_dot", { text: text }), "retract_vote", key, id));
    controls.appendChild(dotButton("+", t("cast_dot", { text: text }), "cast_vote", key, id));
    controls.firstChild.disabled = count === 0;
    controls.lastChild.disabled = !votable || left === 0 || count >= rules().cap;
    item.appendChild(controls);
    return item;
  }

  function vote(command, key, id) {
    var payload = {};
    payload[key === "clusters" ? "cluster_id" : "idea_id"] = id;
    busy += 1; taps += 1;
    live.call(command, payload).then(function (ack) {
      busy -= 1;
      if (!ack.ok) { say(errorText(ack.error), "error"); settle(); return; }
      say("");
      // My dots as a whole written after this dot (its own my_votes_changed, which goes to every
      // phone of mine and comes before the ack) already hold it.
      if (ack.seq >= shownSeq) {
        var counts = mine[key];
        counts[String(id)] = Math.max(0, (counts[String(id)] || 0) + (command === "cast_vote" ? 1 : -1));
        if (!counts[String(id)]) { delete counts[String(id)]; }
        left = ack.dots_left;
      }
      voteSeq = Math.max(voteSeq, ack.seq);
      render();
      settle();
    }, function () {
      // No answer: the dot may be placed or not, and a state that crossed it waits for the dots
      // to settle: ask for them once nothing is on its way.
      busy -= 1; stale = true;
      say(t("not_connected"), "error");
      settle();
    });
  }

  // Ask for my dots as a whole (a new question's vote, a snapshot that skipped my facts, or a state
  // that crossed a dot of mine). Unanswered, asked again after 1, 2, 4, 8 and 16 s while connected
  // (then at the next tap); offline, the join after the reconnection brings them.
  var failures = 0, retry = null;
  function refresh() {
    var asked = taps;
    busy += 1;
    live.call("my_votes", {}).then(function (ack) {
      busy -= 1; failures = 0;
      // A dot went out meanwhile (it may be counted twice or not at all), or a newer state came
      // first: ask again once nothing is on its way.
      if (ack.ok && (taps !== asked || ack.seq < shownSeq)) { stale = true; }
      else if (ack.ok) {
        if (message.textContent === t("not_connected")) { say(""); }  // answered: the dots are sure again
        load(ack.votes, ack.seq, true);
        if (board.workshop && board.workshop.phase === "vote") { render(); }
      }
      settle();
    }, function () {
      busy -= 1; stale = true;
      if (failures < 5 && retry === null) {
        retry = setTimeout(function () { retry = null; settle(); }, 1000 * Math.pow(2, failures));
        failures += 1;
      }
    });
  }

  function settle() {
    if (stale && busy === 0 && retry === null && live.isJoined()) { stale = false; refresh(); }
  }

  // One line above the list, read out as it changes (role=alert): a refusal, or news of the dots.
  function say(text, kind) {
    message.textContent = text;
    message.className = kind || "";
  }

  function matches(text, query) { return text.toLocaleLowerCase().indexOf(query) >= 0; }

  // A theme: its own row (votable when the vote is on themes), a fold button, and its ideas.
  function themeGroup(group, ideasVotable, themesVotable, query, total) {
    var id = group.cluster.id, label = group.cluster.label;
    var labelHit = query && matches(label, query);
    var cards = group.cards.filter(function (card) { return !query || labelHit || matches(card.idea.text, query); });
    if (query && !cards.length && !labelHit) { return null; }
    if (!group.cards.length && !themesVotable && !mine.clusters[String(id)]) { return null; }  // nothing to do
    var inside = cards.reduce(function (n, card) { return n + (mine.ideas[String(card.idea.id)] || 0); }, 0);
    var open = query ? true : (id in unfolded ? unfolded[id] : total < FOLD_FROM);
    var li = el("li", "vote-group");
    var head = row("div", "clusters", id, label, themesVotable);
    var sub = el("ul", "vote-sublist");
    sub.id = "vote-theme-" + id;
    sub.hidden = !open;
    var text = t(open ? "hide_ideas" : "show_ideas", { n: group.cards.length }) +
               (inside ? " · " + t("your_dots", { n: inside }) : "");
    // The label names the theme too, for a screen reader that lists buttons on their own.
    var fold = button(text, function () { unfolded[id] = !open; render(); }, "fold-button", text + ": " + label);
    fold.setAttribute("aria-expanded", String(open));
    fold.setAttribute("aria-controls", sub.id);
    fold.dataset.theme = String(id);
    if (!query && group.cards.length) { head.appendChild(fold); }
    li.appendChild(head);
    cards.forEach(function (card) {
      sub.appendChild(row("li", "ideas", card.idea.id, card.idea.text, ideasVotable));
    });
    li.appendChild(sub);
    return { element: li, rows: cards.length + (labelHit || !query ? 1 : 0) };
  }

  function draw(query) {
    var r = rules(), groups = board.groups(false);
    var ideasVotable = r.voteOn !== "themes", themesVotable = r.voteOn !== "ideas";
    var total = groups.reduce(function (n, group) { return n + group.cards.length; }, 0);
    var fragment = document.createDocumentFragment(), shown = 0;
    groups.forEach(function (group) {
      if (group.cluster) {
        var built = themeGroup(group, ideasVotable, themesVotable, query, total);
        if (built) { fragment.appendChild(built.element); shown += built.rows; }
        return;
      }
      if (!ideasVotable) { return; }  // a vote on themes: ideas outside them have nothing to give to
      group.cards.forEach(function (card) {
        if (query && !matches(card.idea.text, query)) { return; }
        fragment.appendChild(row("li", "ideas", card.idea.id, card.idea.text, true));
        shown += 1;
      });
    });
    list.textContent = "";
    list.appendChild(fragment);
    searchField.hidden = total + board.themeIds().length < SEARCH_FROM && !query;
    var found = query ? (shown ? t("search_found", { n: shown }) : t("search_none")) : "";
    if (searchStatus.textContent !== found) { searchStatus.textContent = found; }
    return shown;
  }

  // My dots, from what I placed and what the board knows of it.
  function placed() {
    var items = [];
    board.themeIds().forEach(function (id) {
      var n = mine.clusters[String(id)];
      if (n) { items.push({ key: "clusters", id: id, text: board.clusters[id].label, count: n, theme: true }); }
    });
    board.order.forEach(function (id) {
      var n = mine.ideas[String(id)];
      if (n && board.ideas[id]) { items.push({ key: "ideas", id: id, text: board.ideas[id].text, count: n }); }
    });
    return items;
  }

  function render() {
    var r = rules();
    var note = board.held ? " " + t("dots_held") : board.turnedAway ? " " + t("dots_turned_away") : "";
    how.textContent = t("vote_how_" + r.voteOn, { n: r.dots }) + note;
    var focused = document.activeElement;
    var focusLabel = focused && focused.closest && focused.closest("#vote-section") && focused.getAttribute("aria-label");
    var focusTheme = focused && focused.dataset ? focused.dataset.theme : null;
    var inBar = !!(focusLabel && focused.closest("#dot-bar"));
    var shown = draw(search.value.trim().toLocaleLowerCase());
    document.getElementById("vote-empty").hidden = shown > 0 || !!search.value.trim();
    bar({ dots: r.dots, left: left, cap: r.cap, voteOn: r.voteOn, placed: placed(), shared: !!(shared && shared()) });
    var again = null;
    if (focusTheme) { again = list.querySelector('.fold-button[data-theme="' + focusTheme + '"]'); }
    else if (focusLabel) {
      again = Array.prototype.find.call(document.querySelectorAll("#vote-section button"), function (b) {
        return b.getAttribute("aria-label") === focusLabel;
      });
    }
    var toggle = document.getElementById("my-dots-toggle");
    // A dot taken back from "My dots" takes its button with it: the focus goes back to the bar.
    if (!again && inBar && !toggle.disabled) { again = toggle; }
    if (again) { again.focus(); }
  }

  search.addEventListener("input", render);

  // How many dots a whole state has elsewhere than the one shown (1: one placed or taken back).
  function changed(votes) {
    var n = 0;
    [["ideas", votes.ideas || {}], ["clusters", votes.clusters || {}]].forEach(function (pair) {
      var now = pair[1], shown = mine[pair[0]];
      var keys = {};
      Object.keys(now).concat(Object.keys(shown)).forEach(function (k) { keys[k] = true; });
      Object.keys(keys).forEach(function (k) { n += Math.abs((now[k] || 0) - (shown[k] || 0)); });
    });
    return n;
  }

  // Apply my dots as a whole, as they stood at `seq` (`always`: a join's or an answer to my_votes).
  function load(votes, seq, always) {
    if (!always && seq <= shownSeq) { return; }  // older than what is shown (a late or replayed fact)
    mine = { ideas: votes.ideas || {}, clusters: votes.clusters || {} };
    left = votes.dots_left;
    shownSeq = seq;
    if (!always && seq <= voteSeq) { stale = true; settle(); }
  }

  return {
    // A join's dots (a rejoin may follow dots placed from another tab: always applied).
    load: function (votes, seq) {
      voteSeq = -1; load(votes, seq, true);
      if (busy === 0) { stale = false; failures = 0; }  // nothing on its way: these are my dots
    },
    refresh: refresh,
    // Facts that change this phone's dots (the caller renders the vote afterwards).
    fact: function (event, data) {
      switch (event) {
        case "voting_set":  // a new budget: what is placed stays placed
          var used = 0;
          [mine.ideas, mine.clusters].forEach(function (counts) {
            Object.keys(counts).forEach(function (k) { used += counts[k]; });
          });
          left = Math.max(0, data.dots - used);
          break;
        case "my_votes_changed":  // the facilitator merged or deleted a theme with its dots, or undid a
          // merge; or a dot placed or taken back by this phone, another of mine or my table
          if (data.seq <= shownSeq) { break; }
          var moved = changed(data.votes);
          load(data.votes, data.seq, false);
          // Said only while the vote is on screen (an author deletes an idea only while collecting),
          // and not of one dot placed or taken back: the dots left say that (a live region).
          if (moved > 1 && board.workshop && board.workshop.phase === "vote") { say(t("dots_moved")); }
          break;
      }
    },
    render: render
  };
};

// The ranked result, as the server computes it, once the facilitator shows it.
export function showResults(code, list) {
  fetch("/api/workshops/" + encodeURIComponent(code) + "/results").then(function (response) {
    return response.ok ? response.json() : null;
  }).then(function (results) {
    list.textContent = "";
    if (!results) { return; }
    var heading = null;
    resultRows(results, RESULT_IDEAS.phone).forEach(function (item) {
      if (heading !== !!item.theme && results.themes.length) {
        heading = !!item.theme;
        var title = document.createElement("li");
        title.className = "results-heading";
        title.textContent = t(item.theme ? "results_themes" : "results_ideas");
        list.appendChild(title);
      }
      var entry = document.createElement("li");
      var rank = placeElement(item, "rank");  // as on the wall and in the report: "1. (delt)"
      var text = document.createElement("span");
      text.className = "result-text";
      text.textContent = item.text;
      var votes = document.createElement("span");
      votes.className = "result-votes";
      votes.textContent = t("dots", { n: item.votes });
      entry.appendChild(rank);
      entry.appendChild(text);
      entry.appendChild(votes);
      list.appendChild(entry);
    });
  });
};
