// "Fits theme X": once there are themes, each unsorted card the engine can place shows "→ Theme?".
// The facilitator accepts one with a click or T on the card, or all at once; nothing moves by itself.
import { t } from "../shared/live.js";

// "Fits theme X" embeds the unsorted ideas it has not seen before, as a suggestion does.
const FITS_WAIT_MS = 60000;

export function installFits(app) {
  var acceptAll = document.getElementById("accept-fits");
  var keyHint = document.getElementById("fits-key-hint");
  var fits = {};        // idea id -> theme id, as the server last suggested
  var timer = null;
  var asking = false, again = false;
  var pressing = false, redraw = false;
  app.hintsSettled = false;
  var QUIET_MS = 700;   // a burst of facts (a hall posting) asks once, after it settles

  // The hint of an idea, if it still applies: the idea is unsorted and the theme still exists.
  function hintOf(idea) {
    var theme = fits[idea.id];
    return theme && idea.cluster_id === null && app.board.clusters[theme] ? theme : null;
  }

  function accept(ids) {
    var byTheme = {};
    ids.forEach(function (id) {
      var idea = app.board.ideas[id], theme = idea && hintOf(idea);
      if (theme) { (byTheme[theme] = byTheme[theme] || []).push(id); }
    });
    var moves = Object.keys(byTheme).map(function (theme) {
      return app.call("move_ideas", { idea_ids: byTheme[theme], cluster_id: Number(theme) });
    });
    return Promise.all(moves).then(function (acks) {
      var moved = [].concat.apply([], acks.filter(function (a) { return a.ok; }).map(function (a) { return a.idea_ids; }));
      if (!moved.length) { return; }
      moved.forEach(function (id) { delete fits[id]; });
      app.undo.push(t("undo_fits"), function () {
        return app.undo.sequence([["move_ideas", { idea_ids: moved, cluster_id: null }]]);
      });
    });
  }

  // Called by the console for every card it draws: a button in the card's tools when it has a hint.
  app.cardHint = function (card, tools, item) {
    var theme = hintOf(card.idea);
    if (!theme) { return; }
    var label = app.board.clusters[theme].label;
    var hint = document.createElement("button");
    hint.type = "button";
    hint.className = "small fits-hint";
    hint.textContent = t("fits_theme", { theme: label });
    // The visible text first, so a voice user can say what they see (WCAG 2.5.3).
    hint.setAttribute("aria-label", hint.textContent + " " + t("fits_theme_label", { idea: card.idea.text }));
    hint.addEventListener("click", function () { accept([card.idea.id]); });
    tools.insertBefore(hint, tools.firstChild);
    item.setAttribute("aria-keyshortcuts", "T");
  };

  function showAcceptAll() {
    var ids = Object.keys(fits).filter(function (id) { var idea = app.board.ideas[id]; return idea && hintOf(idea); });
    acceptAll.hidden = keyHint.hidden = !ids.length;
    acceptAll.textContent = t("accept_fits", { n: ids.length });
    return ids.map(Number);
  }

  function ask() {
    timer = null;
    if (asking) { again = true; return; }
    if (!app.board.themeIds().length) { show({}); app.hintsSettled = true; return; }
    asking = true;
    app.ask("suggest_fits", {}, FITS_WAIT_MS).then(function (ack) {
      asking = false;
      if (ack.ok) {
        var next = {};
        ack.fits.forEach(function (f) { next[f.idea_id] = f.cluster_id; });
        show(next);
      }
      if (again) { again = false; soon(); } else { app.hintsSettled = true; }
    });
  }

  // Redraw only when a hint changed, and never under a finger or mouse: a redraw in the middle of
  // a drag would drop the card being dragged.
  function show(next) {
    var changed = JSON.stringify(next) !== JSON.stringify(fits);
    fits = next;
    if (changed && pressing) { redraw = true; } else if (changed) { app.render(); }
    showAcceptAll();
  }
  document.addEventListener("pointerdown", function () { pressing = true; }, true);
  ["pointerup", "pointercancel"].forEach(function (type) {
    document.addEventListener(type, function () {
      pressing = false;
      // After the drop has been handled, not before it.
      if (redraw) { redraw = false; setTimeout(app.render, 0); }
    }, true);
  });

  function soon() {
    app.hintsSettled = false;  // tests wait for this before measuring the layout hints change
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(ask, QUIET_MS);
  }

  // Timers and votes change no theme; anything else may change what fits where.
  app.listeners.push(function (event) {
    if (event === "timer_changed" || event === "phase_changed") { showAcceptAll(); return; }
    showAcceptAll();
    soon();
  });
  acceptAll.addEventListener("click", function () { accept(showAcceptAll()); });
  document.getElementById("groups").addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest(".idea");
    if (!card || event.target !== card || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "t" || event.key === "T") {
      var idea = app.board.ideas[Number(card.dataset.id)];
      if (idea && hintOf(idea)) { event.preventDefault(); accept([idea.id]); }
    }
  });
}
