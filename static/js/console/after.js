// The console before and after the evening: the frame, the background questions, publishing the
// outcome page, the answers written theme by theme, and who took part (never a number under 5).
import { byIds, el } from "../shared/dom.js";
import { errorText, t } from "../shared/live.js";

export function installAfter(app) {
  var board = app.board;
  var code = app.code;
  var ui = byIds({
    frameForm: "frame-form", frameText: "frame-text", backgroundForm: "background-form",
    outcomeBox: "outcome-public", toggle: "after-toggle", body: "after-body", answerList: "answer-list",
    countsArea: "background-counts"
  });
  var STATUSES = ["considering", "adopted", "declined", "done"];
  var labels = Array.prototype.slice.call(ui.backgroundForm.querySelectorAll("[data-background-label]"));
  var optionBoxes = Array.prototype.slice.call(ui.backgroundForm.querySelectorAll("[data-background-options]"));

  function focusedIn(node) { return node.contains(document.activeElement) && document.activeElement !== node; }
  function statusText(form, ack) {
    var status = form.querySelector("[role=status]");
    if (status) { status.textContent = ack.ok ? t("saved") : errorText(ack.error); }
  }

  ui.frameForm.addEventListener("submit", function (event) {
    event.preventDefault();
    app.call("set_frame", { text: ui.frameText.value }).then(function (ack) { statusText(ui.frameForm, ack); });
  });

  // "borger; 85" is an option with the population's share (85 %) beside its count.
  function option(line) {
    var parts = line.split(";");
    var share = parts.length > 1 ? parts.pop().replace("%", "").replace(",", ".").trim() : "";
    var label = parts.join(";").trim();
    return share && !isNaN(Number(share)) ? { label: label, share: Number(share) } : label || line.trim();
  }
  ui.backgroundForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var questions = [];
    labels.forEach(function (input, i) {
      var lines = optionBoxes[i].value.split("\n").filter(function (line) { return line.trim(); });
      if (input.value.trim() || lines.length) { questions.push({ label: input.value, options: lines.map(option) }); }
    });
    app.call("set_background", { questions: questions }).then(function (ack) { statusText(ui.backgroundForm, ack); });
  });
  ui.outcomeBox.addEventListener("change", function () {
    app.call("set_rules", { outcome_public: ui.outcomeBox.checked }).then(app.saved("outcome-form"));
  });

  function fillForms() {
    var w = board.workshop;
    if (!focusedIn(ui.frameForm)) { ui.frameText.value = w.frame || ""; }
    ui.outcomeBox.checked = !!w.outcome_public;
    if (focusedIn(ui.backgroundForm)) { return; }
    labels.forEach(function (input, i) {
      var q = board.background[i];
      input.value = q ? q.label : "";
      optionBoxes[i].value = q ? q.options.map(function (o) {
        return o.label + (o.share !== null && o.share !== undefined ? "; " + o.share : "");
      }).join("\n") : "";
    });
  }

  // "Status" on screen, "Status: <theme or idea>" to a screen reader among many such forms.
  function named(word, what, id) {
    var label = el("label", null, word);
    label.appendChild(el("span", "visually-hidden", ": " + what));
    label.htmlFor = id;
    return label;
  }

  // What the facilitator changed in an answer form and has not saved yet, by the form's id: the
  // list is drawn again when the board changes (a vote, another console's answer), and a status
  // chosen before that, with the focus gone elsewhere since, was lost. Each keeps the answer it
  // was begun from (`base`) and the one last sent from it (`sent`): a board answer that is neither
  // was saved on another console since, and the form says so beside the draft.
  var drafts = {};

  function sameAnswer(a, b) {
    return (a ? a.status + "\n" + a.text : null) === (b ? b.status + "\n" + b.text : null);
  }

  // The note under a draft that a newer answer hides, with a button that takes that answer instead.
  function newerNote(form, id, answer, select, text) {
    var draft = drafts[id];
    var newer = draft && answer && !sameAnswer(answer, draft.base) && !sameAnswer(answer, draft.sent)
      && !sameAnswer(answer, draft);
    var note = form.querySelector(".newer-answer");
    if (!newer) { if (note) { note.remove(); } return; }
    var words = t(answer.text ? "newer_answer" : "newer_answer_status",
                  { status: t("status_" + answer.status), text: answer.text });
    if (note && note.firstChild.textContent === words) { return; }
    if (note) { note.remove(); }
    note = el("div", "newer-answer");
    note.setAttribute("role", "status");
    note.appendChild(el("p", null, words));
    var take = el("button", "small secondary", t("use_newer_answer"));
    take.type = "button";
    take.addEventListener("click", function () {
      delete drafts[id];
      form.begun(answer);
      select.value = answer.status;
      text.value = answer.text;
      note.remove();
      text.focus();
    });
    note.appendChild(take);
    form.insertBefore(note, form.querySelector(".save-row"));
  }

  // One answer form: a status (or none yet) and a text, saved with set_answer.
  function answerForm(target, title, answer) {
    var form = el("form", "answer-form stack");
    var id = "answer-" + (target.cluster_id ? "theme-" + target.cluster_id : "idea-" + target.idea_id);
    var key = target.cluster_id ? "cluster_id" : "idea_id";
    var select = document.createElement("select");
    select.id = id + "-status";
    select.appendChild(new Option(t("no_answer_yet"), ""));
    STATUSES.forEach(function (s) { select.appendChild(new Option(t("status_" + s), s)); });
    select.value = answer ? answer.status : "";
    var text = document.createElement("textarea");
    text.id = id + "-text";
    text.rows = 3;
    text.maxLength = 2000;
    text.value = answer ? answer.text : "";
    if (drafts[id]) { select.value = drafts[id].status; text.value = drafts[id].text; }
    var statusLabel = named(t("answer_status"), title, select.id);
    var textLabel = named(t("answer"), title, text.id);
    var saved = el("span", "saved");
    saved.setAttribute("role", "status");
    var submit = el("button", "small", t("save_answer"));
    submit.type = "submit";
    var row = el("div", "save-row");
    row.appendChild(submit);
    row.appendChild(saved);
    [statusLabel, select, textLabel, text, row].forEach(function (node) { form.appendChild(node); });
    var shown = answer ? { status: answer.status, text: answer.text } : null;  // the answer the form began from
    form.begun = function (now) { shown = now; };
    // Also called when the board changed with the focus in the list (not drawn again then).
    form.check = function () { newerNote(form, id, answerOf(key, target[key]), select, text); };
    form.check();
    form.addEventListener("input", function () {
      saved.textContent = "";
      var before = drafts[id];
      drafts[id] = { status: select.value, text: text.value, base: before ? before.base : shown,
                     sent: before ? before.sent : null };
      form.check();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!select.value) { saved.textContent = t("choose_status"); select.focus(); return; }
      var sent = { status: select.value, text: text.value };
      if (drafts[id]) { drafts[id].sent = sent; }  // its answer_set is this console's own
      app.call("set_answer", Object.assign({}, sent, target)).then(function (ack) {
        saved.textContent = ack.ok ? t("saved") : errorText(ack.error);
        if (ack.ok) { shown = sent; }  // what the form now shows, saved: a new draft begins from it
        // Saved: the board's answer stands for it now, unless it was changed again meanwhile.
        if (ack.ok && drafts[id] && drafts[id].status === sent.status && drafts[id].text === sent.text) {
          delete drafts[id];
        }
        form.check();
      });
    });
    return form;
  }

  function answerOf(key, id) { return board.answers.filter(function (a) { return a[key] === id; })[0]; }

  // The ideas of a theme, each with an answer of its own (folded: most answers are the theme's).
  function ideaAnswers(cards) {
    var fold = el("details", "idea-answers");
    var answered = cards.filter(function (card) { return answerOf("idea_id", card.idea.id); }).length;
    fold.appendChild(el("summary", null, t("answer_ideas", { n: cards.length, answered: answered })));
    fold.addEventListener("toggle", function () {
      if (!fold.open || fold.querySelector("ul")) { return; }
      var list = el("ul", "answer-ideas");
      cards.forEach(function (card) {
        var item = el("li");
        item.appendChild(el("p", "idea-text", card.idea.text));
        item.appendChild(answerForm({ idea_id: card.idea.id }, card.idea.text, answerOf("idea_id", card.idea.id)));
        list.appendChild(item);
      });
      fold.appendChild(list);
    });
    return fold;
  }

  // Every question's themes and unsorted ideas, not only the one the console shows now.
  function questionGroups() {
    var saved = board.lookBack;
    var prompts = board.prompts.length ? board.prompts : [{ id: null, text: "" }];
    var found = prompts.map(function (prompt) {
      board.lookBack = prompt.id;
      return { prompt: prompt, groups: board.groups(false) };
    });
    board.lookBack = saved;
    return found;
  }

  function renderAnswers() {
    if (ui.body.hidden) { return; }
    if (focusedIn(ui.answerList)) {
      Array.prototype.forEach.call(ui.answerList.querySelectorAll("form.answer-form"), function (form) { form.check(); });
      return;
    }
    ui.answerList.textContent = "";
    var questions = questionGroups(), many = questions.length > 1;
    questions.forEach(function (question, index) {
      if (many) {
        ui.answerList.appendChild(el("h3", "answer-question", t("question_n", { n: index + 1 }) + ": " + question.prompt.text));
      }
      var before = ui.answerList.children.length;
      question.groups.forEach(function (group) {
        if (!group.cards.length && !group.cluster) { return; }
        var section = el("section", "answer-theme");
        var title = group.cluster ? group.cluster.label : t("unsorted");
        section.appendChild(el(many ? "h4" : "h3", null, title + " (" + board.ideaCount(group) + ")"));
        if (group.cluster) {
          section.appendChild(answerForm({ cluster_id: group.cluster.id }, title, answerOf("cluster_id", group.cluster.id)));
        }
        if (group.cards.length) { section.appendChild(ideaAnswers(group.cards)); }
        ui.answerList.appendChild(section);
      });
      if (ui.answerList.children.length === before) { ui.answerList.appendChild(el("p", "muted", t("no_ideas_to_answer"))); }
    });
  }

  // Who took part: counts ("fewer than 5" below five) and where groups agree.
  function table(caption, head, rows) {
    var node = el("table", "counts-table");
    node.appendChild(el("caption", null, caption));
    var tr = el("tr");
    head.forEach(function (text) { var th = el("th", null, text); th.scope = "col"; tr.appendChild(th); });
    node.appendChild(el("thead")).appendChild(tr);
    var tbody = el("tbody");
    rows.forEach(function (cells) {
      var row = el("tr", cells.strong ? "agreed" : "");
      cells.forEach(function (text, i) {
        var cell = el(i ? "td" : "th", null, text === null || text === undefined ? "" : String(text));
        if (!i) { cell.scope = "row"; }
        row.appendChild(cell);
      });
      tbody.appendChild(row);
    });
    node.appendChild(tbody);
    return node;
  }
  function groupName(g) { return g.kind === "option" ? g.label : t(g.kind === "none" ? "no_answer" : "others"); }

  function renderCounts(data) {
    ui.countsArea.textContent = "";
    if (!data.questions.length) { ui.countsArea.appendChild(el("p", "muted", t("no_background"))); return; }
    data.questions.forEach(function (q) {
      ui.countsArea.appendChild(table(q.label, [t("answer"), t("participants_heading"), t("share"), t("population")],
        q.counts.map(function (c) {
          return [c.kind === "option" ? c.label : t("no_answer"), c.count === null ? t("fewer_than_5") : c.count,
                  c.percent === null ? "" : c.percent + " %", c.share === null ? "" : c.share + " %"];
        })));
    });
    data.groups.forEach(function (found) {
      var rows = found.themes.map(function (theme) {
        var row = [theme.theme].concat(theme.dots, [theme.every_group_ranks_high ? t("yes") : ""]);
        row.strong = theme.every_group_ranks_high;
        return row;
      });
      ui.countsArea.appendChild(table(t("groups_caption", { question: found.question }),
        [t("theme")].concat(found.groups.map(function (g) { return groupName(g) + " (" + g.participants + ")"; }),
                            [t("every_group_high")]), rows));
    });
  }
  function loadCounts() {
    fetch("/w/" + encodeURIComponent(code) + "/background", { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) { if (data) { renderCounts(data); } }, function () { /* offline: keep the last */ });
  }

  ui.toggle.addEventListener("click", function () {
    ui.body.hidden = !ui.body.hidden;
    ui.toggle.setAttribute("aria-expanded", String(!ui.body.hidden));
    if (!ui.body.hidden) { renderAnswers(); loadCounts(); }
  });
  document.getElementById("background-refresh").addEventListener("click", loadCounts);

  app.listeners.push(function (event) {
    if (!board.workshop) { return; }
    fillForms();
    if (event !== "timer_changed") { renderAnswers(); }
    if (event === "background_set" && !ui.body.hidden) { loadCounts(); }
  });
}
