// The projector wall: what the room should do now, and the ideas, themes or results in type the
// back of the hall can read, paged when they do not fit.
import { Board } from "../shared/board.js";
import { connect, t } from "../shared/live.js";
import { screen as newScreen } from "../shared/screen.js";
import { countdown as newCountdown } from "../shared/timer.js";
import { pageClock, wallCard, wallIdeas, wallSizes } from "./pages.js";
import { wallClosing, wallResults } from "./results.js";

function startWall() {
  var root = document.getElementById("wall");
  var code = root.dataset.code;
  var params = new URLSearchParams(location.search);
  var interval = Math.max(200, 1000 * (Number(params.get("page_seconds")) || 10));
  var board = new Board();
  board.tableFilter = Number(params.get("table")) || null;
  var byId = function (id) { return document.getElementById(id); };
  var ideas = wallIdeas(board, byId("ideas"));
  var results = wallResults(code, byId("wall-results"));
  var closing = wallClosing(board);
  var countdown = newCountdown(byId("wall-timer"));
  var votes = { voters: 0, voters_by_table: {} };
  var view = null, scheduled = false, shownPhase = null;
  var clock = pageClock(interval, byId("page-indicator"), function (index) { show(index); });

  function show(index) {
    if (view === "ideas") { ideas.show(index); ideas.settle(); }
    if (view === "results") { results.show(index, Math.min(1000, interval / 10)); }
  }

  function participants() {
    var w = board.workshop;
    if (!board.tableFilter) { return w.participant_count; }
    return (w.participants_by_table || {})[String(board.tableFilter)] || 0;
  }

  function voters() {
    return board.tableFilter ? votes.voters_by_table[String(board.tableFilter)] || 0 : votes.voters;
  }

  // The question, as large as fits in at most a fifth of the screen.
  function fitHeader() {
    var header = root.querySelector(".wall-header"), height = window.innerHeight;
    var sizes = wallSizes([0.055, 0.047, 0.04, 0.035]);
    for (var i = 0; i < sizes.length; i++) {
      header.style.setProperty("--question-size", sizes[i] + "px");
      if (header.scrollHeight <= height * 0.2) { break; }
    }
  }

  // What the room should do now, said in the header or a banner across the wall.
  function instructions(w, open) {
    var phase = w.phase;
    byId("wall-phase").textContent = phase === "collect" ? t(open ? "do_collect" : "posting_closed")
      : phase === "cluster" ? t("phase_cluster") : phase === "results" ? t("phase_results") : "";
    byId("wall-banner").hidden = phase !== "vote";
    byId("banner-main").textContent = t(w.dots === 1 ? "vote_banner_one" : "vote_banner", { n: w.dots })
      + (w.max_per_item > 1 ? " " + t("vote_cap", { n: w.max_per_item }) : "");
    byId("banner-count").textContent = t("voted_count", { n: voters(), total: participants() });
    byId("participant-count").textContent = String(participants());
  }

  // The join panel: large while posting is open and the ideas leave room, a corner badge once they
  // fill the wall (and while voting, for late arrivals), gone in the sorting, results and closing.
  function joinMode(mode) {
    ["join-big", "join-badge", "join-none"].forEach(function (name) {
      root.classList.toggle(name, name === "join-" + mode);
    });
  }

  // While posting is open and the ideas page, the newest ones stand in a strip above the board,
  // whatever page is up: "Sendt! Din idé er på væggen" holds within a second, not a cycle later.
  // It stays on once shown (the board keeps its size while ideas keep coming).
  var strip = byId("wall-new"), stripOn = false;
  function showStrip(on) {
    stripOn = on;
    root.style.setProperty("--floor", Math.ceil(window.innerHeight * 0.03) + "px");  // as wallSizes
    strip.hidden = !on;
    root.querySelector(".board").classList.toggle("with-new", on);
  }
  function drawStrip() {
    var list = strip.querySelector(".cards");
    var size = parseFloat(getComputedStyle(strip).fontSize);
    var count = Math.max(1, Math.floor(list.clientWidth / (13 * size)));
    var width = (list.clientWidth - (count - 1) * 0.5 * size) / count - 0.9 * size - 2;
    var language = document.documentElement.lang || "da";
    list.textContent = "";
    ideas.newest(count).forEach(function (card) {
      var element = wallCard(card, language, size, width);
      if (!seenInStrip[card.idea.id]) { element.classList.add("arrived"); }
      seenInStrip[card.idea.id] = true;
      list.appendChild(element);
    });
  }
  var seenInStrip = {};

  function layout() {
    scheduled = false;
    var w = board.workshop;
    if (!w) { return; }
    var open = w.phase === "collect" && w.posting_open;
    root.dataset.phase = w.phase;
    instructions(w, open);
    fitHeader();
    var next = w.phase === "results" ? "results" : w.phase === "closed" ? "closed" : "ideas";
    byId("ideas").hidden = next !== "ideas";
    byId("wall-results").hidden = next !== "results";
    byId("wall-closing").hidden = next !== "closed";
    byId("wall-invite").hidden = !(next === "ideas" && open && !board.visibleCount());
    // The frame on the invitation; the outcome page's QR code on the closing screen once published.
    byId("invite-frame").hidden = !w.frame;
    byId("invite-frame").classList.toggle("long", (w.frame || "").length > 300);
    byId("invite-frame-text").textContent = w.frame || "";
    byId("closing-outcome").hidden = !w.outcome_public;
    var fresh = next !== view || w.phase !== shownPhase;
    view = next;
    shownPhase = w.phase;
    var pages = 1;
    if (next === "ideas") {
      joinMode(open ? "big" : w.phase === "vote" ? "badge" : "none");
      if (!open) { showStrip(false); }
      var fit = ideas.layout();
      if (open && (fit.pages > 1 || fit.size < window.innerHeight * 0.045)) {
        joinMode("badge");
        fit = ideas.layout();
      }
      if (open && fit.pages > 1 && !stripOn) {
        showStrip(true);
        fit = ideas.layout();
      }
      if (stripOn) { drawStrip(); }
      pages = fit.pages;
    } else {
      showStrip(false);
      joinMode("none");
      if (next === "results") {
        if (fresh) { results.again(); }
        pages = results.layout();
      } else {
        closing.update(participants());
      }
    }
    show(clock.set(pages, fresh, next === "results" ? 2 : 1));
  }

  // A table wall names its table beside the workshop's title.
  function nameTable() {
    var label = byId("wall-table");
    var table = board.tables.filter(function (x) { return x.id === board.tableFilter; })[0];
    label.hidden = !table;
    label.textContent = table ? " · " + table.name : "";
  }

  function refresh() {
    if (!scheduled) { scheduled = true; requestAnimationFrame(layout); }
  }

  function update(event) {
    var w = board.workshop;
    if (event === "rules_changed" && w.language !== document.documentElement.lang && !params.get("lang")) {
      location.reload();  // the wall's texts are rendered in the workshop's language
      return;
    }
    if (event === "snapshot" || event === "timer_changed") { countdown.set(w.timer); }
    root.querySelector(".wall-header .question").textContent = w.prompt;
    clock.pause(w.wall_paused);
    if ((w.phase === "results" || w.phase === "closed") &&
        (event === "snapshot" || event === "phase_changed" || event === "vote_totals" || !results.ready())) {
      results.fetch(refresh);
    }
    refresh();
  }

  nameTable();
  var screen = newScreen({ board: board });
  var live = connect({
    code: code,
    joinPayload: function () { return { code: code, viewer: true }; },
    onSnapshot: function (snapshot) { board.load(snapshot); screen.update(); nameTable(); update("snapshot"); },
    onFact: function (event, data) { board.apply(event, data); screen.fact(event); nameTable(); update(event); },
    onCount: function (n, data) { screen.count(n, data); refresh(); },
    onStatus: screen.status
  });
  live.socket.on("vote_totals", function (data) {
    votes = data;
    if (board.workshop) { update("vote_totals"); }
  });
  // Lay out again whenever the board changes size: a window resize, the QR code loading, the header
  // wrapping differently. The pages are measured on the board as it is.
  var boardSize = "";
  new ResizeObserver(function (entries) {
    var box = entries[0].contentRect, size = Math.round(box.width) + "x" + Math.round(box.height);
    if (size !== boardSize) { boardSize = size; refresh(); }
  }).observe(root.querySelector(".board"));
  fullscreenButton(byId("fullscreen"));
  window.turnWallPage = clock.turn;  // what the clock does every interval, for tests that cannot wait
};

// A full-screen button that shows itself only while the mouse moves and the wall is not full screen.
function fullscreenButton(button) {
  var hide = null;
  if (!document.documentElement.requestFullscreen) { return; }
  document.addEventListener("mousemove", function () {
    button.hidden = !!document.fullscreenElement;
    clearTimeout(hide);
    hide = setTimeout(function () { button.hidden = true; }, 3000);
  });
  button.addEventListener("click", function () {
    document.documentElement.requestFullscreen().catch(function () {});
    button.hidden = true;
  });
};

startWall();
