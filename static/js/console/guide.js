// What guides a first-time facilitator through the evening: a first-run checklist, the phase
// stepper ("Next: Sort →") with a question before closing, posting as a switch, and "Saved".
import { byIds } from "../shared/dom.js";
import { t } from "../shared/live.js";
import { PHASES } from "../shared/phases.js";

export function installGuide(app) {
  var board = app.board;
  var code = app.code;
  var ui = byIds({ checklist: "checklist", next: "next-phase", posting: "posting-toggle" });
  var key = "idea-factory:checklist:" + code;

  function phaseName(phase) {
    return t(phase === "cluster" || phase === "closed" ? "phase_" + phase + "_name" : "phase_" + phase);
  }

  // Closing ends the evening for the room (the wall thanks it, phones stop): ask first.
  app.setPhase = function (phase) {
    if (phase === "closed" && board.workshop.phase !== "closed" && !window.confirm(t("confirm_closed"))) {
      return Promise.resolve({ ok: false });
    }
    return app.call("set_phase", { phase: phase });
  };

  // A settings form's status says "Saved" once the server has it, until the form is edited again.
  app.saved = function (formId) {
    var status = document.querySelector('[data-saved-for="' + formId + '"]');
    return function (ack) {
      if (ack && ack.ok && status) { status.textContent = t("saved"); }
      return ack;
    };
  };
  document.querySelectorAll("[data-saved-for]").forEach(function (status) {
    document.getElementById(status.dataset.savedFor).addEventListener("input", function () { status.textContent = ""; });
  });

  // The checklist: ticked steps are remembered on this device until it is hidden for good.
  function loadSteps() {
    try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; }
  }
  function saveSteps(steps) {
    try { localStorage.setItem(key, JSON.stringify(steps)); } catch (e) { /* private mode: forget */ }
  }
  var steps = loadSteps();
  var ROOM_ARRIVED = 5;  // ideas from the room: the checklist's moment has passed
  ui.checklist.querySelectorAll("input[data-step]").forEach(function (box) {
    box.checked = !!steps[box.dataset.step];
    box.addEventListener("change", function () { steps[box.dataset.step] = box.checked; saveSteps(steps); });
  });
  document.getElementById("checklist-done").addEventListener("click", function () {
    steps.done = true;
    saveSteps(steps);
    ui.checklist.hidden = true;
    ui.next.focus();
  });
  document.getElementById("copy-link").addEventListener("click", function (event) {
    var link = document.querySelector(".reopen input").value;
    var done = function () {
      event.target.textContent = t("copied");
      ui.checklist.querySelector('[data-step="link"]').checked = steps.link = true;
      saveSteps(steps);
    };
    if (navigator.clipboard) { navigator.clipboard.writeText(link).then(done, function () {}); }
  });
  document.getElementById("open-wall").addEventListener("click", function () {
    ui.checklist.querySelector('[data-step="wall"]').checked = steps.wall = true;
    saveSteps(steps);
  });

  ui.next.addEventListener("click", function () {
    var index = PHASES.indexOf(board.workshop.phase);
    if (index >= 0 && index < PHASES.length - 1) { app.setPhase(PHASES[index + 1]); }
  });
  ui.posting.addEventListener("change", function () {
    app.call("set_posting", { open: ui.posting.checked }).then(function (ack) {
      if (!ack.ok) { ui.posting.checked = !ui.posting.checked; }
    });
  });

  function render() {
    var w = board.workshop;
    var index = PHASES.indexOf(w.phase);
    ui.next.hidden = index < 0 || index >= PHASES.length - 1;
    if (!ui.next.hidden) { ui.next.textContent = t("next_phase", { phase: phaseName(PHASES[index + 1]) }); }
    document.querySelectorAll(".phase-button").forEach(function (button) {
      button.classList.toggle("done", PHASES.indexOf(button.dataset.phase) < index);
    });
    ui.checklist.hidden = !!steps.done || w.phase !== "collect" || board.visibleCount() >= ROOM_ARRIVED;
    ui.posting.checked = !!w.posting_open;
    document.getElementById("posting-row").hidden = w.phase !== "collect";
  }
  app.listeners.push(app.perFrame(render));
}
