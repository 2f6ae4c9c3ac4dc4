// The projector wall: counts, themes and ideas, live, sized to stay legible from the back of a hall.
"use strict";

IdeaFactory.wall = function () {
  var root = document.getElementById("wall");
  var code = root.dataset.code;
  var area = document.getElementById("ideas");
  var overflowNote = document.getElementById("ideas-overflow");
  var t = IdeaFactory.t;
  var board = new IdeaFactory.Board();
  var drawn = {};   // id -> true once its card has been on the wall (only new cards animate)
  var fitScheduled = false;
  var MIN_FONT = 18, MAX_FONT = 44;

  function cardElement(card) {
    var item = IdeaFactory.cardElement(card);
    if (!drawn[card.idea.id]) { item.classList.add("arrived"); }
    return item;
  }

  // Draw every group with at most `cap` cards each (newest first); returns how many were left out.
  function draw(groups, cap) {
    var left = 0;
    area.textContent = "";
    area.classList.toggle("themed", groups.length > 1);
    groups.forEach(function (group) {
      if (!group.cards.length && !group.cluster) { return; }
      var section = document.createElement("section");
      section.className = group.cluster ? "theme" : "theme unsorted";
      if (groups.length > 1) {
        var heading = document.createElement("h2");
        var label = document.createElement("span");
        label.textContent = group.cluster ? group.cluster.label : t("unsorted");
        var count = document.createElement("span");
        count.className = "theme-count";
        count.textContent = String(board.ideaCount(group));
        heading.appendChild(label);
        heading.appendChild(count);
        section.appendChild(heading);
      }
      var list = document.createElement("ul");
      list.className = "cards";
      var shown = group.cards.slice().reverse().slice(0, cap);
      shown.forEach(function (card) { list.appendChild(cardElement(card)); });
      section.appendChild(list);
      if (shown.length < group.cards.length) {
        var more = document.createElement("p");
        more.className = "theme-more";
        more.textContent = t("more_ideas", { n: group.cards.length - shown.length });
        section.appendChild(more);
        left += group.cards.length - shown.length;
      }
      area.appendChild(section);
    });
    return left;
  }

  function overflows() {
    return area.scrollHeight > area.clientHeight + 1 || area.scrollWidth > area.clientWidth + 1;
  }

  // Whether a word is wider than its card (long Danish compounds): a word broken mid-way is hard
  // to read, so the text is still too big. Below the minimum size words do break (CSS).
  function splitsWords() {
    var texts = area.querySelectorAll(".idea-text");
    var split = false;
    area.classList.add("measuring");
    for (var i = 0; i < texts.length && !split; i++) { split = texts[i].scrollWidth > texts[i].clientWidth + 1; }
    area.classList.remove("measuring");
    return split;
  }

  // Whether a theme runs on into the next column, where its cards would sit above the next
  // theme's heading, away from their own (CSS keeps a theme in one column when it fits). The last
  // group, usually the unsorted ideas, may run on: nothing follows it.
  function splitsThemes() {
    var sections = area.querySelectorAll(".theme");
    for (var i = 0; i < sections.length - 1; i++) {
      var heading = sections[i].querySelector("h2");
      var parts = sections[i].querySelectorAll(".idea, .theme-more");
      if (heading && parts.length &&
          Math.abs(parts[parts.length - 1].getBoundingClientRect().left - heading.getBoundingClientRect().left) > 1) {
        return true;
      }
    }
    return false;
  }

  // Largest text that fits; at the minimum size, the most cards per group that fit.
  function fit() {
    fitScheduled = false;
    if (area.hidden) { return; }  // the results are showing instead
    // Themes stay off the projector until the facilitator shows them: a draft never surprises the room.
    var groups = board.workshop && board.workshop.themes_on_wall ? board.groups(false) : [{ cluster: null, cards: board.cards(false) }];
    var largest = Math.max.apply(null, groups.map(function (g) { return g.cards.length; }).concat([0]));
    var size = MAX_FONT;
    area.style.setProperty("--idea-size", size + "px");
    var left = draw(groups, largest);
    while ((overflows() || splitsWords() || splitsThemes()) && size > MIN_FONT) {
      size = Math.max(MIN_FONT, Math.floor(size * 0.9));
      area.style.setProperty("--idea-size", size + "px");
    }
    if (overflows()) {
      var low = 0, high = largest;
      while (low < high) {
        var mid = Math.ceil((low + high) / 2);
        draw(groups, mid);
        if (overflows()) { high = mid - 1; } else { low = mid; }
      }
      left = draw(groups, low);
    }
    overflowNote.hidden = left === 0;
    overflowNote.textContent = t("more_ideas", { n: left });
    drawn = {};
    board.order.forEach(function (id) { drawn[id] = true; });
  }

  function refresh() {
    if (!fitScheduled) { fitScheduled = true; requestAnimationFrame(fit); }
  }

  var table = Number(new URLSearchParams(location.search).get("table")) || null;
  board.tableFilter = table;
  var screen = IdeaFactory.screen({ board: board });
  var extras = IdeaFactory.wallExtras(board, code);
  var live = IdeaFactory.connect({
    code: code,
    joinPayload: function () { return { code: code, viewer: true }; },
    onSnapshot: function (snapshot) { board.load(snapshot); screen.update(); extras.update("snapshot"); refresh(); },
    onFact: function (event, data) { board.apply(event, data); screen.fact(event); extras.update(event); refresh(); },
    onCount: screen.count,
    onStatus: screen.status
  });
  live.socket.on("vote_totals", function () { if (board.workshop) { extras.update("vote_totals"); } });
  window.addEventListener("resize", refresh);
};

// What the wall shows besides ideas: the countdown (with an optional sound at zero), the phase,
// the active question, and in the results phase a bar chart of the ranked result.
IdeaFactory.wallExtras = function (board, code) {
  var t = IdeaFactory.t;
  var soundButton = document.getElementById("sound-toggle");
  var sound = false;
  var countdown = IdeaFactory.countdown(document.getElementById("wall-timer"), { onZero: function () { if (sound) { beep(); } } });
  var results = document.getElementById("wall-results");
  var lastFetch = 0;

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    var audio = new Context(), tone = audio.createOscillator(), gain = audio.createGain();
    tone.frequency.value = 660;
    gain.gain.setValueAtTime(0.3, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 1.2);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 1.2);
  }
  soundButton.addEventListener("click", function () {
    sound = !sound;
    soundButton.setAttribute("aria-pressed", String(sound));
  });

  function bars(data) {
    var list = document.getElementById("wall-results-list");
    list.textContent = "";
    var sizes = IdeaFactory.RESULT_IDEAS, themes = data.themes;
    var items = IdeaFactory.resultRows(data, themes.length ? sizes.wall : sizes.wallWithoutThemes);
    var most = Math.max.apply(null, items.map(function (x) { return x.votes; }).concat([1]));
    items.forEach(function (item, index) {
      if (themes.length && (index === 0 || index === themes.length)) {
        var heading = document.createElement("li");
        heading.className = "bar-heading";
        heading.textContent = t(index === 0 ? "results_themes" : "results_ideas");
        list.appendChild(heading);
      }
      var row = document.createElement("li");
      row.className = "bar-row";
      var rank = document.createElement("span");
      rank.className = "bar-rank";
      rank.textContent = item.place;
      var label = document.createElement("span");
      label.className = "bar-label";
      label.textContent = item.text;
      var bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = Math.max(2, 100 * item.votes / most) + "%";
      var votes = document.createElement("span");
      votes.className = "bar-votes";
      votes.textContent = t("dots", { n: item.votes });
      [rank, label, bar, votes].forEach(function (part) { row.appendChild(part); });
      list.appendChild(row);
    });
  }

  function showResults() {
    var now = Date.now();
    if (now - lastFetch < 500) { return; }
    lastFetch = now;
    fetch("/api/workshops/" + encodeURIComponent(code) + "/results").then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (data) { if (data) { bars(data); } });
  }

  return {
    update: function (event) {
      var w = board.workshop;
      if (event === "rules_changed" && w.language !== document.documentElement.lang
          && !new URLSearchParams(location.search).get("lang")) {
        location.reload();  // the wall's texts are rendered in the workshop's language
        return;
      }
      if (event === "snapshot" || event === "timer_changed") { countdown.set(w.timer); }
      document.querySelector(".wall-header .question").textContent = w.prompt;
      var showing = w.phase === "results" || w.phase === "closed";
      // In the results phase the results' own heading says it; no need to say it twice.
      document.getElementById("wall-phase").textContent = w.phase === "results" ? ""
        : t(w.phase === "cluster" || w.phase === "closed" ? "phase_" + w.phase + "_name" : "phase_" + w.phase);
      results.hidden = !showing;
      document.getElementById("ideas").hidden = showing;
      if (showing && (event === "snapshot" || event === "phase_changed" || event === "vote_totals")) { showResults(); }
    }
  };
};

// What the wall and the console share beside the ideas: counts, posting state, connection line,
// and screen-reader announcements that summarise a busy room instead of reading every idea.
IdeaFactory.screen = function (options) {
  var t = IdeaFactory.t;
  var board = options.board;
  var announcer = document.getElementById("announcer");
  var pending = 0;

  function update() {
    document.getElementById("idea-count").textContent = String(board.visibleCount());
    if (board.workshop) {
      var open = IdeaFactory.acceptsIdeas(board.workshop);
      document.getElementById("participant-count").textContent = String(board.workshop.participant_count);
      var state = document.getElementById("posting-state");
      state.textContent = open ? t("posting_open") : t("posting_closed");
      state.classList.toggle("closed", !open);
    }
  }

  function announce(text) {
    announcer.textContent = text;
  }

  return {
    update: update,
    announce: announce,
    count: function (n) {
      if (board.workshop) { board.workshop.participant_count = n; update(); }
    },
    fact: function (event) {
      update();
      if (event === "posting_opened" || event === "posting_closed") {
        announce(event === "posting_opened" ? t("posting_open") : t("posting_closed"));
      }
      if (event !== "idea_posted") { return; }
      pending++;
      if (pending > 1) { return; }
      setTimeout(function () { announce(t("new_ideas", { n: pending })); pending = 0; }, 5000);
    },
    status: function (kind, text) {
      var line = document.getElementById("connection");
      line.textContent = kind === "online" ? "" : (kind === "offline" ? t("reconnecting") : text);
      line.className = "connection " + kind;
    }
  };
};
