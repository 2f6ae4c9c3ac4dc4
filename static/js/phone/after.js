// The phone before and after the evening: the frame before its first idea, the background questions
// under "About you", and once the workshop is closed "Your ideas and what became of them".
import { el } from "../shared/dom.js";
import { errorText, t } from "../shared/live.js";

export function phoneAfter(live, board, code) {
  var frameSection = document.getElementById("frame-section");
  var frameText = document.getElementById("frame-text");
  var heading = document.getElementById("mine-heading");
  var keepNote = document.getElementById("mine-after");
  var outcomeLink = document.getElementById("outcome-link");
  var box = document.getElementById("profile-background");
  var status = document.getElementById("profile-status");
  var chosen = {};          // question id -> option id: this phone's own answers
  var drawn = null;         // the questions last drawn (JSON), so a redraw never steals focus
  var dots = null;          // {ideas: {id: n}} once the results are public
  var hadIdeas = null;      // whether the phone had ideas when the frame was last shown

  function closed() { return !!board.workshop && board.workshop.phase === "closed"; }

  // Shown before the first idea, folded (still there) once the phone has sent one.
  function frame(ownCount) {
    var text = (board.workshop && board.workshop.frame) || "";
    frameSection.hidden = !text;
    frameText.textContent = text;
    var has = ownCount > 0;
    if (has !== hadIdeas) { frameSection.open = !has; hadIdeas = has; }
  }

  function save() {
    live.call("set_background_answers", { answers: chosen }).then(function (ack) {
      status.textContent = ack.ok ? t("saved") : errorText(ack.error);
    }, function () { status.textContent = t("not_connected"); });
  }

  // One group of radio buttons per question, and last "I'd rather not say" to take an answer back.
  function question(q) {
    var set = el("fieldset", "background-question");
    set.appendChild(el("legend", null, q.label));
    q.options.concat([{ id: "", label: t("background_none") }]).forEach(function (option) {
      var label = el("label", "check");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "background-" + q.id;
      radio.value = String(option.id);
      radio.checked = String(chosen[q.id] || "") === radio.value;
      radio.addEventListener("change", function () {
        if (radio.value) { chosen[q.id] = Number(radio.value); } else { delete chosen[q.id]; }
        save();
      });
      label.appendChild(radio);
      label.appendChild(document.createTextNode(" " + option.label));
      set.appendChild(label);
    });
    return set;
  }

  function background() {
    var questions = board.background || [];
    var json = JSON.stringify(questions);
    if (json === drawn) { return; }
    drawn = json;
    box.textContent = "";
    if (!questions.length) { return; }
    box.appendChild(el("p", "muted", t("background_why")));
    questions.forEach(function (q) { box.appendChild(question(q)); });
  }

  // Dots per idea, public once the results are shown: each question is its own vote.
  function loadDots(then) {
    var base = "/api/workshops/" + encodeURIComponent(code) + "/results";
    var ids = board.prompts.length ? board.prompts.map(function (p) { return p.id; }) : [null];
    Promise.all(ids.map(function (id) {
      return fetch(id === null ? base : base + "?prompt_id=" + id).then(function (response) {
        return response.ok ? response.json() : null;
      });
    })).then(function (all) {
      dots = { ideas: {} };
      all.forEach(function (results) {
        if (!results) { return; }
        results.ideas.forEach(function (idea) { dots.ideas[idea.id] = idea.votes; });
      });
      then();
    }, function () { /* offline: shown without dots, fetched again on the next change */ });
  }

  // Under one of my ideas after the evening: its theme, its dots and what became of it.
  function decorate(item, idea) {
    if (!closed()) { return; }
    var now = board.ideas[idea.id] || idea;
    var card = now.duplicate_of || now.id;
    var theme = now.cluster_id && board.clusters[now.cluster_id];
    var facts = [];
    if (theme) { facts.push(t("in_theme", { theme: theme.label })); }
    if (dots && dots.ideas[card] !== undefined) { facts.push(t("idea_dots", { n: dots.ideas[card] })); }
    if (facts.length) { item.appendChild(el("p", "idea-meta", facts.join(" · "))); }
    var answer = board.answerFor(now);
    var reply = el("div", "answer" + (answer ? " answer-" + answer.status : " answer-none"));
    reply.appendChild(el("p", "answer-status", answer ? t("status_" + answer.status) : t("no_answer_yet")));
    if (answer && answer.text) { reply.appendChild(el("p", "answer-text", answer.text)); }
    item.appendChild(reply);
  }

  function render(ownCount, redraw) {
    frame(ownCount);
    background();
    var after = closed();
    heading.textContent = after ? heading.dataset.after : t("your_ideas");
    // After the evening one's own ideas and their answers come first, above the results.
    var mine = document.getElementById("mine-section"), results = document.getElementById("results-section");
    if (after !== (mine.nextElementSibling === results)) { mine.parentNode.insertBefore(mine, after ? results : null); }
    keepNote.hidden = !after || !ownCount;
    outcomeLink.hidden = !after || !board.workshop.outcome_public;
    if (after && dots === null) { dots = { ideas: {} }; loadDots(redraw); }
  }

  return {
    load: function (profile) { chosen = {}; Object.assign(chosen, (profile && profile.background) || {}); drawn = null; },
    render: render,
    decorate: decorate,
    fact: function (event, redraw) {  // dots can change until the end; answers are redrawn by the caller
      if (event === "phase_changed" && closed()) { loadDots(redraw); }
    }
  };
}
