// The participant's phone: write ideas, keep them in an outbox until the server has them on disk.
import { acceptsIdeas, Board } from "../shared/board.js";
import { button, el } from "../shared/dom.js";
import { connect, errorText, ideaElement, t, time } from "../shared/live.js";
import { countdown as newCountdown } from "../shared/timer.js";
import { phoneAfter } from "./after.js";
import { phoneProfile } from "./profile.js";
import { phoneVoting, showResults } from "./vote.js";

function startPhone() {
  var page = document.getElementById("phone");
  var code = page.dataset.code;
  var maxLength = Number(page.dataset.maxLength);
  var tokenKey = "idea-factory:" + code + ":participant";
  var outboxKey = "idea-factory:" + code + ":outbox";
  var draftKey = "idea-factory:" + code + ":draft";
  var form = document.getElementById("idea-form");
  var input = document.getElementById("idea-text");
  var counter = document.getElementById("idea-counter");
  var sendButton = document.getElementById("idea-send");
  var message = document.getElementById("form-message");
  var statusLine = document.getElementById("connection");
  var closedNotice = document.getElementById("posting-closed");
  var list = document.getElementById("my-ideas");
  var emptyNote = document.getElementById("my-ideas-empty");
  var mine = {};        // id -> idea, as the server has them
  var ownIds = [];
  var flushing = false;
  var board = new Board();
  var phaseNote = document.getElementById("phase-note");
  var countdown = newCountdown(document.getElementById("timer"));
  var voting, profile, after;
  var editing = false;
  var wantedTable = Number(page.dataset.table) || null;  // from a table's QR code (?table=)
  var choosingTable = false;
  var diskFull = false; // the server's disk is full: the outbox waits and tries again
  var held = false;     // the rate limit holds the outbox back: its first idea and all behind it wait

  // The themes the facilitator has made so far, read-only, with how many ideas each holds.
  function renderThemes() {
    var themes = board.groups(false).filter(function (group) { return group.cluster; });
    var listElement = document.getElementById("phone-themes");
    listElement.textContent = "";
    themes.forEach(function (group) {
      listElement.appendChild(el("li", null, group.cluster.label + " (" + board.ideaCount(group) + ")"));
    });
    // Phones follow "Show themes on the wall": a draft never reaches a phone before the room sees it.
    // (The vote and the results list the themes themselves.)
    var phase = board.workshop.phase;
    document.getElementById("themes-section").hidden = !themes.length || !board.workshop.themes_on_wall
      || (phase !== "collect" && phase !== "cluster");
  }

  function loadOutbox() {
    try { return JSON.parse(localStorage.getItem(outboxKey) || "[]"); } catch (e) { return []; }
  }
  function saveOutbox(items) { localStorage.setItem(outboxKey, JSON.stringify(items)); }
  function newClientId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function render() {
    if (editing) { return; }  // never throw away text being edited
    list.textContent = "";
    loadOutbox().slice().reverse().forEach(function (pending) {
      var item = ideaElement({ id: pending.client_id, text: pending.text });
      item.classList.add("pending");
      // Held back by the rate limit is not offline: it goes out by itself in a moment.
      item.appendChild(el("p", "idea-meta", held ? t("waiting_to_send") : diskFull ? t("storage_full_kept")
        : live && live.isJoined() ? t("sending") : t("saved_offline")));
      list.appendChild(item);
    });
    ownIds.slice().reverse().forEach(function (id) {
      var idea = mine[id];
      if (idea) { list.appendChild(ownIdea(idea)); }
    });
    emptyNote.hidden = list.children.length > 0;
    after.render(ownIds.length, render);
  }

  function editable() {
    return acceptsIdeas(board.workshop);
  }

  function smallButton(text, label, onClick) { return button(text, onClick, "small secondary", label); }

  // One of my ideas, with its state, and edit and delete while posting is open.
  function ownIdea(idea) {
    var item = ideaElement(idea);
    item.appendChild(el("p", "idea-meta", idea.hidden ? t("hidden_by_facilitator")
      : idea.pending ? t("waiting_for_approval") : t("sent_at", { time: time(idea.created_at) })));
    if (!idea.hidden) { after.decorate(item, idea); }  // after closing: its theme, dots and answer
    if (!editable()) { return item; }
    var tools = el("div", "card-tools");
    tools.appendChild(smallButton(t("edit"), t("edit") + ": " + idea.text, function () { startEdit(item, idea); }));
    tools.appendChild(smallButton(t("delete"), t("delete") + ": " + idea.text, function () {
      if (!window.confirm(t("confirm_delete_idea"))) { return; }
      live.call("delete_idea", { idea_id: idea.id }).then(function (ack) {
        if (!ack.ok) { showMessage(errorText(ack.error), "error"); return; }
        delete mine[idea.id];
        ownIds = ownIds.filter(function (x) { return x !== idea.id; });
        render();
      });
    }));
    item.appendChild(tools);
    return item;
  }

  function startEdit(item, idea) {
    var box = document.createElement("textarea");
    box.value = idea.text;
    box.maxLength = maxLength;
    box.rows = 3;
    box.setAttribute("aria-label", t("edit"));
    editing = true;
    item.textContent = "";
    item.appendChild(box);
    item.appendChild(smallButton(t("save"), t("save"), function () {
      live.call("edit_idea", { idea_id: idea.id, text: box.value }).then(function (ack) {
        if (!ack.ok) { showMessage(errorText(ack.error), "error"); return; }
        mine[idea.id] = ack.idea;
        editing = false;
        render();
      });
    }));
    item.appendChild(smallButton(t("cancel"), t("cancel"), function () { editing = false; render(); }));
    box.focus();
  }

  // Typed text survives a reload and a language switch (a new page): kept until it is sent.
  function saveDraft() {
    try {
      if (input.value) { localStorage.setItem(draftKey, input.value); } else { localStorage.removeItem(draftKey); }
    } catch (e) { /* storage full or off: the text stays in the box */ }
  }

  function updateCounter() {
    var left = maxLength - input.value.length;
    counter.textContent = t("characters_left", { n: left });
    counter.classList.toggle("warning", left < 50);
  }

  function showMessage(text, kind) {
    message.textContent = text || "";
    message.className = "form-message " + (kind || "");
  }

  function remember(idea) {
    mine[idea.id] = idea;
    if (ownIds.indexOf(idea.id) < 0) { ownIds.push(idea.id); }
  }

  // Send the outbox in order, one at a time; an item leaves it only once the server acked it.
  function flush() {
    var items = loadOutbox();
    if (flushing || choosingTable || !items.length || !live.isJoined()) { return; }
    flushing = true;
    var item = items[0];
    live.call("post_idea", { text: item.text, client_id: item.client_id }).then(function (ack) {
      flushing = false;
      var permanent = !ack.ok && ["rate_limited", "server_error", "not_joined", "storage_full"].indexOf(ack.error.code) < 0;
      held = !ack.ok && ack.error.code === "rate_limited";
      diskFull = !ack.ok && ack.error.code === "storage_full";
      if (ack.ok || permanent) {
        saveOutbox(loadOutbox().filter(function (x) { return x.client_id !== item.client_id; }));
      }
      if (ack.ok) { remember(ack.idea); showMessage(ack.idea.pending ? t("waiting_for_approval") : t("sent"), "success"); render(); flush(); return; }
      if (held) {
        showMessage(t("waiting_to_send"), "info");
        render();
        setTimeout(flush, 2500);  // the bucket refills one idea every 2 s
        return;
      }
      if (diskFull) {  // kept in the outbox: tried again until the organiser frees space
        showMessage(t("storage_full_kept"), "error");
        render();
        setTimeout(flush, 5000);
        return;
      }
      showMessage(errorText(ack.error), "error");
      if (permanent) { input.value = input.value || item.text; saveDraft(); updateCounter(); render(); flush(); }
      else { setTimeout(flush, 3000); }
    }, function () { flushing = false; });
  }

  // Sit at the table whose QR code was scanned, before any idea goes out (in table mode the table
  // is what lets it post); then drop ?table= so that a reload keeps a table chosen by hand since.
  function chooseTable() {
    var wanted = wantedTable;
    if (!wanted) { return; }
    choosingTable = true;
    var done = function (ack) {
      choosingTable = false;
      if (ack) {  // an answer, yes or no (a refusal is shown under "About you"); a lost connection retries
        wantedTable = null;
        history.replaceState(null, "", location.pathname);
      }
      flush();
    };
    if (profile.tableId() === wanted) { done({ ok: true }); return; }
    profile.choose(wanted).then(done, function () { done(null); });
  }

  // Each phase shows its own screen; the phone follows the facilitator live.
  function showPhase() {
    var workshop = board.workshop;
    var phase = workshop.phase;
    var open = acceptsIdeas(workshop);
    var ended = editing && !editable();  // the phase moved on under an open edit box: close it, say so
    if (ended) { editing = false; }
    if (!open) { showMessage(""); }  // "Sent!" belongs to the moment it was said
    form.hidden = phase !== "collect";
    closedNotice.hidden = open || phase !== "collect";
    input.disabled = !open;
    sendButton.disabled = !open;
    var note = { cluster: t("phase_cluster") + " " + t("next_vote"), vote: t("phase_vote_note"),
                 results: t("phase_results_note"), closed: t("phase_closed") }[phase];
    if (phase === "collect" && !open) { note = t("next_after_posting"); }  // what comes next
    if (ended) { note = t("edit_ended") + (note ? " " + note : ""); }
    // The note stays in the page (empty and folded away when there is none): a live region that
    // appears together with its text is often not announced.
    if (phaseNote.textContent !== (note || "")) { phaseNote.textContent = note || ""; }
    phaseNote.classList.toggle("visually-hidden", phase === "vote");  // the vote's heading says it
    document.getElementById("vote-section").hidden = phase !== "vote";
    document.body.classList.toggle("voting", phase === "vote");
    document.getElementById("mine-section").hidden = phase === "vote";  // the vote has the screen
    renderThemes();
    profile.render(board);
    document.getElementById("results-section").hidden = phase !== "results" && phase !== "closed";
    if (phase === "vote") { voting.render(); }
    render();
    if (phase === "results" || phase === "closed") { showResults(code, document.getElementById("results-list")); }
  }

  var live = connect({
    code: code,
    joinPayload: function () {
      // A phone page is a participant's, even in the organiser's or the facilitator's browser.
      return { code: code, participant: true, participant_token: localStorage.getItem(tokenKey) || undefined };
    },
    onJoined: function (ack) {
      localStorage.setItem(tokenKey, ack.participant_token);
      ownIds = ack.own_idea_ids || [];
      mine = {};
      (ack.own_ideas || []).forEach(function (idea) { mine[idea.id] = idea; });
      profile.load(ack.profile || {});
      board.held = !!(ack.profile && ack.profile.held);  // a newcomer past a hall's pace
      board.turnedAway = !!(ack.profile && ack.profile.turned_away);
      after.load(ack.profile);
      chooseTable();
      voting.load(ack.votes || { ideas: {}, clusters: {}, dots_left: 0 }, ack.snapshot.seq);
    },
    onSnapshot: function (snapshot, from) {
      board.load(snapshot);
      // Resynced with a snapshot, not facts: my_votes_changed among those missed are skipped too.
      if (from === "sync") { voting.refresh(); }
      renderThemes();
      profile.render(board);
      countdown.set(snapshot.workshop.timer);
      showPhase();
      render();
      flush();
    },
    onFact: function (event, data) {
      board.apply(event, data);
      if (event.indexOf("cluster") >= 0 || event === "idea_moved" || event === "ideas_stacked") { renderThemes(); }
      if (event === "posting_opened" || event === "posting_closed" || event === "phase_changed") { showPhase(); }
      if (event === "timer_changed") { countdown.set(data.timer); }
      voting.fact(event, data);
      if (board.workshop.phase === "vote" && event !== "timer_changed") { voting.render(); }
      if (event === "idea_hidden" && mine[data.idea_id]) { mine[data.idea_id].hidden = true; }
      if (event === "idea_shown" && mine[data.idea_id]) { mine[data.idea_id].hidden = false; }  // shown, still waiting
      if (data.idea && mine[data.idea.id]) { mine[data.idea.id] = data.idea; }
      if (event === "active_prompt_changed") {
        document.querySelector("#phone .question").textContent = data.prompt;
        renderThemes();
        // Each question's vote starts with the full budget: ask for this question's dots.
        voting.refresh();
      }
      if (event === "themes_on_wall_changed") { renderThemes(); }
      if (event === "tables_set" || event === "rules_changed" || event === "background_set") { profile.render(board); }
      after.fact(event, render);
      var mineTouched = (data.idea && mine[data.idea.id]) || mine[data.idea_id];
      var outcome = ["answer_set", "frame_set", "background_set", "rules_changed"].indexOf(event) >= 0
        || (board.workshop.phase === "closed" && (event === "idea_moved" || event.indexOf("cluster") >= 0));
      if (mineTouched || outcome || event === "phase_changed" || event === "posting_opened" || event === "posting_closed") { render(); }
    },
    onDeleted: function () {
      localStorage.removeItem(outboxKey);  // nothing left to send it to
      localStorage.removeItem(tokenKey);
      localStorage.removeItem(draftKey);
      form.hidden = true;
    },
    onStatus: function (kind, text) {
      statusLine.textContent = kind === "online" ? "" : (kind === "offline" ? t("reconnecting") : text);
      statusLine.className = "connection " + kind;
      render();  // outbox notes say "sending" or "offline" as it is now
      if (kind === "online") { flush(); }
    }
  });

  voting = phoneVoting(live, board, function () { return board.workshop.table_mode && !!profile.tableId(); });
  profile = phoneProfile(live);
  after = phoneAfter(live, board, code);
  input.addEventListener("input", function () { updateCounter(); saveDraft(); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { showMessage(t("empty_idea"), "error"); input.focus(); return; }
    if (text.length > maxLength) { showMessage(t("too_long", { n: maxLength, length: text.length }), "error"); return; }
    var items = loadOutbox();
    items.push({ client_id: newClientId(), text: text });
    saveOutbox(items);
    input.value = "";
    saveDraft();
    updateCounter();
    showMessage(live.isJoined() ? t("sending") : t("saved_offline"), "info");
    render();
    flush();
    input.focus();
  });
  window.addEventListener("online", flush);
  input.value = localStorage.getItem(draftKey) || "";
  updateCounter();
  render();
}

startPhone();
