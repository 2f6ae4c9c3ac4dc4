// The console's flow controls: phase, countdown, voting, questions, tables, rules, and the queue of
// ideas waiting for approval.
import { el } from "../shared/dom.js";
import { errorText, ideaElement, t } from "../shared/live.js";
import { PHASES } from "../shared/phases.js";
import { countdown as newCountdown } from "../shared/timer.js";

export function installFlow(app) {
  var board = app.board;
  var countdown = newCountdown(document.getElementById("console-timer"));

  function byId(id) { return document.getElementById(id); }

  PHASES.forEach(function (phase) {
    var button = el("button", "phase-button secondary", t(phase === "cluster" || phase === "closed" ? "phase_" + phase + "_name" : "phase_" + phase));
    button.type = "button";
    button.dataset.phase = phase;
    button.addEventListener("click", function () { app.setPhase(phase); });
    byId("phase-buttons").appendChild(button);
  });

  byId("timer-start").addEventListener("click", function () {
    var minutes = Number(byId("timer-minutes").value);
    app.call("start_timer", { seconds: Math.round(minutes * 60) });
  });
  byId("timer-pause").addEventListener("click", function () {
    var timer = board.workshop.timer;
    app.call(timer.running ? "pause_timer" : "resume_timer", {});
  });
  byId("timer-add").addEventListener("click", function () { app.call("add_time", { seconds: 60 }); });
  byId("timer-stop").addEventListener("click", function () { app.call("stop_timer", {}); });

  byId("voting-form").addEventListener("submit", function (event) {
    event.preventDefault();
    app.call("set_voting", { dots: Number(byId("voting-dots").value), max_per_item: Number(byId("voting-max").value),
                             vote_on: byId("voting-on").value })
      .then(app.saved("voting-form"));
  });
  byId("rules-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var cap = byId("rules-cap").value;
    app.call("set_rules", {
      names: byId("rules-names").value, pre_moderation: byId("rules-premod").checked,
      language: byId("rules-language").value,
      table_mode: byId("rules-tablemode").checked, idea_cap: cap ? Number(cap) : null,
      phones_see_ideas: byId("rules-phones-see").checked,
      vote_closed_to_newcomers: byId("rules-newcomers-vote").checked
    }).then(app.saved("rules-form"));
  });
  ["accept", "refuse"].forEach(function (choice) {
    byId("newcomers-" + choice).addEventListener("click", function () {
      app.call("admit_newcomers", { accept: choice === "accept" });
    });
  });
  byId("tables-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var names = byId("tables-names").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    app.call("set_tables", { tables: names }).then(app.saved("tables-form"));
  });
  byId("prompt-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = byId("prompt-text");
    app.call("add_prompt", { text: input.value }).then(function (ack) { if (ack.ok) { input.value = ""; } });
  });

  byId("import-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = byId("import-form"), status = byId("import-status");
    var body = new FormData();
    body.append("csrf", form.elements.csrf.value);
    if (byId("import-file").files.length) { body.append("file", byId("import-file").files[0]); }
    else { body.append("text", byId("import-text").value); }
    if (byId("import-table").value) { body.append("table_id", byId("import-table").value); }
    status.textContent = t("importing");
    fetch("/w/" + encodeURIComponent(board.workshop.code) + "/import", { method: "POST", body: body })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (result.error) { status.textContent = errorText(result.error); return; }
        status.textContent = t("imported", { n: result.imported, again: result.already_there, skipped: result.skipped.length });
        form.reset();
      }, function () { status.textContent = t("not_connected"); });
  });

  function renderPrompts() {
    var list = byId("prompt-list");
    list.textContent = "";
    board.prompts.forEach(function (prompt) {
      var item = el("li", null);
      item.appendChild(el("span", "prompt-text", prompt.text));
      if (prompt.id === board.workshop.active_prompt_id) {
        item.appendChild(el("strong", "active-prompt", t("active_question")));
      } else {
        var button = el("button", "small secondary", t("make_active"));
        button.type = "button";
        button.setAttribute("aria-label", t("make_active") + ": " + prompt.text);
        button.addEventListener("click", function () { app.call("set_active_prompt", { prompt_id: prompt.id }); });
        item.appendChild(button);
        var back = el("button", "small secondary", t("look_back"));
        back.type = "button";
        back.setAttribute("aria-label", t("look_back") + ": " + prompt.text);
        back.addEventListener("click", function () { lookBack(prompt.id); });
        item.appendChild(back);
      }
      list.appendChild(item);
    });
  }

  // Earlier rounds stay readable: the console shows an earlier question's themes and ideas (the
  // wall and the phones stay on the active one) until "Back to the active question".
  function lookBack(promptId) {
    var active = board.workshop.active_prompt_id;
    board.lookBack = promptId && promptId !== active ? promptId : null;
    var prompt = board.prompts.filter(function (p) { return p.id === board.lookBack; })[0];
    byId("look-back").hidden = !prompt;
    byId("look-back-text").textContent = prompt ? t("looking_back", { question: prompt.text }) : "";
    app.render();
    if (prompt) { byId("look-back").scrollIntoView({ block: "start" }); }
  }
  byId("look-back-end").addEventListener("click", function () { lookBack(null); });

  // A wall per table: the projector (or a screen at the table) shows only that table's ideas.
  function renderTableLinks() {
    var list = byId("table-walls");
    list.textContent = "";
    board.tables.forEach(function (table) {
      var item = el("li");
      var link = el("a", null, t("wall_for", { table: table.name }));
      link.href = "/w/" + encodeURIComponent(board.workshop.code) + "/wall?table=" + table.id;
      link.target = "_blank";
      link.rel = "noopener";
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  // Ideas from a table's paper form go under that table.
  function renderImportTables() {
    var select = byId("import-table"), chosen = select.value;
    byId("import-table-field").hidden = !board.tables.length;
    if (document.activeElement === select) { return; }  // never rebuilt under the facilitator's hand
    select.textContent = "";
    [{ id: "", name: t("no_table") }].concat(board.tables).forEach(function (table) {
      var option = el("option", null, table.name);
      option.value = String(table.id);
      select.appendChild(option);
    });
    select.value = board.tables.some(function (table) { return String(table.id) === chosen; }) ? chosen : "";
  }

  function renderQueue() {
    var waiting = board.order.map(function (id) { return board.ideas[id]; })
      .filter(function (idea) { return idea.pending && !idea.hidden && board.shows(idea, true); });
    var list = byId("queue-list");
    var held = board.workshop.newcomers_held || 0;
    byId("queue").hidden = !waiting.length && !held;  // an empty queue is not news: the rules say it is on
    byId("newcomers").hidden = !held;
    if (held) {
      var since = new Date(board.workshop.newcomers_since);
      byId("newcomers-text").textContent = t(held === 1 ? "newcomers_held_one" : "newcomers_held",
        { n: held, time: since.toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" }) });
    }
    byId("queue-count").textContent = String(waiting.length);
    list.textContent = "";
    waiting.forEach(function (idea) {
      var item = ideaElement(idea);
      var tools = el("div", "card-tools");
      [["approve", "approve_idea"], ["hide", "hide_idea"], ["hide_author", "hide_author_ideas"]].forEach(function (pair) {
        var button = el("button", "small", t(pair[0]));
        button.type = "button";
        button.setAttribute("aria-label", t(pair[0]) + ": " + idea.text);
        button.addEventListener("click", function () {
          if (pair[1] === "hide_author_ideas") { app.hideAuthor(idea); } else { app.call(pair[1], { idea_id: idea.id }); }
        });
        tools.appendChild(button);
      });
      item.appendChild(tools);
      list.appendChild(item);
    });
  }

  // Settings forms show the current values, except while the facilitator is editing them.
  function fill(id, value) {
    var input = byId(id);
    if (document.activeElement === input) { return; }
    if (input.type === "checkbox") { input.checked = !!value; } else { input.value = value === null || value === undefined ? "" : value; }
  }

  function render() {
    var w = board.workshop;
    document.querySelectorAll(".phase-button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.phase === w.phase));
    });
    var timer = w.timer || {};
    var paused = !timer.running && timer.remaining_ms > 0;
    byId("timer-pause").textContent = paused ? t("resume") : t("pause");
    byId("timer-pause").disabled = !timer.running && !paused;
    byId("timer-stop").disabled = !timer.running && !paused;
    renderTableLinks();
    renderImportTables();
    fill("voting-dots", w.dots); fill("voting-max", w.max_per_item); fill("voting-on", w.vote_on || "both");
    fill("rules-names", w.names); fill("rules-language", w.language); fill("rules-premod", w.pre_moderation);
    fill("rules-tablemode", w.table_mode); fill("rules-cap", w.idea_cap);
    fill("rules-phones-see", w.phones_see_ideas); fill("rules-newcomers-vote", w.vote_closed_to_newcomers);
    fill("tables-names", board.tables.map(function (table) { return table.name; }).join("\n"));
    document.querySelector(".console-header .question").textContent = w.prompt;
    renderPrompts();
    renderQueue();
  }

  var redraw = app.perFrame(render);  // like the sorter: a burst of facts is drawn once
  app.listeners.push(function (event, data) {
    if (event === "snapshot" || event === "timer_changed") { countdown.set(board.workshop.timer); }
    if (event === "active_prompt_changed" && board.lookBack === board.workshop.active_prompt_id) { lookBack(null); }
    redraw();
  });
}
