// "Suggest themes": a preview of proposed themes the facilitator edits, accepts or discards (each
// with the words its ideas share, highlighted), at the granularity chosen, and likely duplicates
// to stack. Nothing changes until the facilitator accepts.
import { button, byIds, el } from "../shared/dom.js";
import { errorText, t } from "../shared/live.js";

// How long a suggestion may take to come back (see suggest() below).
const SUGGEST_WAIT_MS = 120000;

export function installSuggestions(app) {
  var ui = byIds({
    panel: "suggestions", list: "suggestion-list", duplicates: "duplicate-list", status: "suggestion-status",
    granularity: "granularity"
  });
  var current = [];   // [{label, idea_ids, words, forms, keep: {id: bool}}]
  var asked = false, answered = false;  // suggestions came back; some were accepted or discarded
  var WORD = /([\p{L}\p{M}]+)/u;

  function chosen(suggestion) {
    return suggestion.idea_ids.filter(function (id) { return suggestion.keep[id] && app.board.ideas[id]; });
  }

  function accept(items) {
    var payload = items.map(function (s) { return { label: s.label, idea_ids: chosen(s) }; })
      .filter(function (s) { return s.idea_ids.length && s.label.trim(); });
    if (!payload.length) { return; }
    app.call("apply_suggestions", { suggestions: payload }).then(function (ack) {
      if (!ack.ok) { return; }
      current = current.filter(function (s) { return items.indexOf(s) < 0; });
      answered = true;
      render();
      var created = ack.clusters.map(function (c) { return c.id; });
      app.undo.push(t("undo_suggestions"), function () {
        return app.undo.sequence(created.map(function (id) { return ["delete_cluster", { cluster_id: id }]; }));
      });
    });
  }

  // The text as text nodes, with each word the members share in a <mark> (never innerHTML).
  function highlighted(text, forms, into) {
    text.split(WORD).forEach(function (part, i) {
      var shared = i % 2 === 1 && forms.indexOf(part.toLowerCase()) >= 0;
      into.appendChild(shared ? el("mark", null, part) : document.createTextNode(part));
    });
    return into;
  }

  function suggestionElement(suggestion, index) {
    var box = el("fieldset", "suggestion");
    var legend = el("legend", null, t("suggestion_n", { n: index + 1 }));
    box.appendChild(legend);
    var labelId = "suggestion-label-" + index;
    var label = el("label", null, t("theme_name"));
    label.htmlFor = labelId;
    var input = el("input");
    input.id = labelId;
    input.value = suggestion.label;
    input.maxLength = 80;
    input.addEventListener("input", function () { suggestion.label = input.value; });
    box.appendChild(label);
    box.appendChild(input);
    if (suggestion.words.length) {
      var why = el("p", "shared-words", t("shared_words") + " ");
      suggestion.words.forEach(function (word) { why.appendChild(el("mark", null, word)); why.appendChild(document.createTextNode(" ")); });
      box.appendChild(why);
    }
    var members = el("ul", "suggestion-members");
    suggestion.idea_ids.forEach(function (id) {
      var idea = app.board.ideas[id];
      if (!idea) { return; }
      var item = el("li");
      var check = el("input");
      check.type = "checkbox";
      check.id = "suggestion-" + index + "-" + id;
      check.checked = suggestion.keep[id];
      check.addEventListener("change", function () { suggestion.keep[id] = check.checked; });
      var text = highlighted(idea.text, suggestion.forms, el("label"));
      text.htmlFor = check.id;
      item.appendChild(check);
      item.appendChild(text);
      members.appendChild(item);
    });
    box.appendChild(members);
    box.appendChild(button(t("accept_theme"), function () { accept([suggestion]); }));
    box.appendChild(button(t("discard"), function () {
      current.splice(current.indexOf(suggestion), 1);
      answered = true;
      render();
    }, "small secondary"));
    return box;
  }

  function duplicateElement(group) {
    var item = el("li", "duplicate-group");
    var texts = el("ul");
    group.forEach(function (id) { if (app.board.ideas[id]) { texts.appendChild(el("li", null, app.board.ideas[id].text)); } });
    item.appendChild(texts);
    item.appendChild(button(t("stack_duplicates"), function () {
      app.call("stack_ideas", { idea_ids: group }).then(function (ack) {
        if (!ack.ok) { return; }
        item.remove();
        app.undo.push(t("undo_stack"), function () {
          return app.undo.sequence(ack.duplicate_ids.map(function (id) { return ["unstack_idea", { idea_id: id }]; }));
        });
      });
    }));
    return item;
  }

  // The list and its count say what is left: after "Accept all" no "11 suggested themes" stays.
  function render() {
    ui.list.textContent = "";
    current.forEach(function (s, i) { ui.list.appendChild(suggestionElement(s, i)); });
    document.getElementById("accept-all").disabled = !current.length;
    if (asked) {
      ui.status.textContent = current.length ? t("suggested_n", { n: current.length })
        : answered ? t("suggestions_done") : t("nothing_to_suggest");
    }
  }

  function suggest(focus) {
    ui.status.textContent = t("suggesting");
    ui.panel.hidden = false;
    // Suggestions are computed while the facilitator waits: hundreds of new ideas on a busy
    // server take longer than a command's usual 8 s, and "not connected" would then be untrue.
    app.call("suggest_clusters", { granularity: Number(ui.granularity.value) }, SUGGEST_WAIT_MS).then(function (ack) {
      if (!ack.ok) { ui.status.textContent = ack.error ? errorText(ack.error) : t("not_connected"); return; }
      current = ack.suggestions.map(function (s) {
        var keep = {};
        s.idea_ids.forEach(function (id) { keep[id] = true; });
        return { label: s.label, idea_ids: s.idea_ids, words: s.words, forms: s.forms, keep: keep };
      });
      asked = true;
      answered = false;
      ui.duplicates.textContent = "";
      ack.duplicates.forEach(function (group) { ui.duplicates.appendChild(duplicateElement(group)); });
      document.getElementById("duplicates-heading").hidden = !ack.duplicates.length;
      app.flag([].concat.apply([], ack.duplicates));
      render();
      if (focus) { document.getElementById("suggestions-heading").focus(); }
    });
  }

  document.getElementById("suggest").addEventListener("click", function () { suggest(true); });
  // Fewer, broader or more, narrower themes: ask again; the choice stays for the next "Suggest".
  ui.granularity.addEventListener("change", function () { suggest(false); });
  // "Show themes on the wall": the switch follows the workshop, whichever console flipped it.
  var onWall = document.getElementById("themes-on-wall");
  app.listeners.push(function () { onWall.checked = !!(app.board.workshop && app.board.workshop.themes_on_wall); });
  onWall.addEventListener("change", function () {
    app.call("set_themes_on_wall", { themes_on_wall: onWall.checked }).then(function (ack) {
      if (!ack.ok) { onWall.checked = !onWall.checked; }
    });
  });
  document.getElementById("accept-all").addEventListener("click", function () { accept(current.slice()); });
  document.getElementById("discard-all").addEventListener("click", function () {
    current = [];
    render();
    ui.panel.hidden = true;
    document.getElementById("suggest").focus();
  });
}
