// The facilitator console: the live wall as sortable groups. Drag cards (mouse or touch) or select
// them with the keyboard and "Move to…"; rename, merge, delete and reorder themes; undo.
import { Board, cardElement as ideaCard } from "../shared/board.js";
import { button as domButton } from "../shared/dom.js";
import { connect, errorText, t } from "../shared/live.js";
import { screen as newScreen } from "../shared/screen.js";
import { installAfter } from "./after.js";
import { dragging } from "./drag.js";
import { installFits } from "./fits.js";
import { installFlow } from "./flow.js";
import { installGuide } from "./guide.js";
import { installSuggestions } from "./suggest.js";
import { Undo } from "./undo.js";
import { installWallControls } from "./wall-controls.js";

function startConsole() {
  var root = document.getElementById("wall");
  var code = root.dataset.code;
  var groupsArea = document.getElementById("groups");
  var feedback = document.getElementById("console-message");
  var moveTarget = document.getElementById("move-target");
  var selectionInfo = document.getElementById("selection-info");
  var undoButton = document.getElementById("undo");
  var board = new Board();
  var selected = {};        // card idea id -> true
  var flagged = {};         // idea id -> true when it looks like a duplicate of another
  var totals = { ideas: {}, clusters: {} };  // dots per idea and theme, during and after the vote
  var renaming = null;      // {id, draft} while a theme's name is being edited in place
  var console_ = { board: board, code: code, listeners: [], flag: function (ids) { ids.forEach(function (id) { flagged[id] = true; }); render(); } };
  var screen = newScreen({ board: board });
  var live, undo;

  function report(ack) {
    feedback.textContent = ack && !ack.ok ? errorText(ack.error) : "";
    return ack;
  }
  function failed(error) {
    feedback.textContent = error && error.error ? errorText(error.error) : t("not_connected");
  }
  // timeoutMs: how long to wait for the ack (8 s unless a command computes for longer).
  function call(event, payload, timeoutMs) {
    return live.call(event, payload, timeoutMs).then(report, function (e) { failed(e); return { ok: false }; });
  }
  console_.call = call;
  // A read the console makes by itself (theme hints): it leaves the facilitator's message alone.
  console_.ask = function (event, payload, timeoutMs) {
    return live.call(event, payload, timeoutMs).catch(function () { return { ok: false }; });
  };
  // Every idea of whoever wrote this one off the wall (a spammer's), with its undo: the undo shows
  // again only those this hid (changed_ids), not any that were hidden before.
  console_.hideAuthor = function (idea) {
    return call("hide_author_ideas", { idea_id: idea.id, hidden: true }).then(function (ack) {
      if (ack.ok && ack.changed) {
        undo.push(t("undo_hide_author"), function () {
          return undo.sequence([["hide_author_ideas", { idea_id: idea.id, hidden: false, idea_ids: ack.changed_ids }]]);
        });
      }
    });
  };

  function selectedIds() {
    return board.order.filter(function (id) { return selected[id] && board.ideas[id]; });
  }

  // Commands with their undo: one command per action, so one fact and one redraw on every screen.
  function moveCards(ids, clusterId) {
    var from = {};  // previous theme ("" for unsorted) -> the ids that were there
    ids.forEach(function (id) {
      var was = board.ideas[id].cluster_id;
      (from[was === null ? "" : was] = from[was === null ? "" : was] || []).push(id);
    });
    return call("move_ideas", { idea_ids: ids, cluster_id: clusterId }).then(function (ack) {
      if (!ack.ok) { return; }
      var target = clusterId === null ? t("unsorted") : board.clusters[clusterId].label;
      screen.announce(t("moved_to", { n: ids.length, theme: target }));
      undo.push(t("undo_move"), function () {
        return undo.sequence(Object.keys(from).map(function (key) {
          var back = key && board.clusters[key] ? Number(key) : null;
          return ["move_ideas", { idea_ids: from[key].filter(function (id) { return board.ideas[id]; }), cluster_id: back }];
        }).filter(function (step) { return step[1].idea_ids.length; }));
      });
    });
  }
  console_.moveCards = moveCards;

  // A theme with an answer is deleted only once the facilitator has confirmed the answer goes too.
  function deleteTheme(cluster) {
    return live.call("delete_cluster", { cluster_id: cluster.id }).then(function (ack) {
      if (ack.ok || ack.error.code !== "theme_answered") { return report(ack); }
      if (!window.confirm(t("confirm_delete_answered", { theme: cluster.label }))) { feedback.textContent = ""; return ack; }
      return call("delete_cluster", { cluster_id: cluster.id, discard_answer: true });
    }, function (e) { failed(e); return { ok: false }; });
  }

  function answerOf(clusterId) {
    var answer = board.answers.filter(function (a) { return a.cluster_id === clusterId; })[0];
    return answer ? { status: answer.status, text: answer.text } : null;
  }

  // The commands that give a recreated theme (id) its answer back and, after a merge into targetId,
  // the target its own: the source's answer moved over whole where the target had none.
  function answersBack(id, answer, targetId, targetAnswer) {
    var target = targetId && board.clusters[targetId];
    if (target && !targetAnswer) { return [["move_answer", { from_cluster_id: targetId, cluster_id: id }]]; }
    var steps = [["set_answer", { cluster_id: id, status: answer.status, text: answer.text }]];
    if (target) {
      steps.unshift(["set_answer", { cluster_id: targetId, status: targetAnswer.status, text: targetAnswer.text }]);
    }
    return steps;
  }

  // What an undone merge says when some dots could not go back (the undo's note, see the Undo button).
  function keptNote(results) {
    var kept = results[0] && results[0].kept;
    return kept ? t("merge_dots_kept", { n: kept }) : null;
  }

  // A theme is made again in the active question, so the undo of a theme of another waits for it.
  function inQuestion(promptId) {
    return function () {
      var active = board.workshop && board.workshop.active_prompt_id;
      if (!promptId || !active || promptId === active) { return null; }
      var n = board.prompts.map(function (p) { return p.id; }).indexOf(promptId) + 1;
      return t("undo_in_question", { n: n });
    };
  }

  // A merge's dots onto the theme made again. Refused (the question switched on another console
  // meanwhile), nothing moved and the merge keeps its record: the step stays for another try there.
  function returnDots(mergeSeq, id, promptId) {
    return undo.sequence([["return_merged_dots", { merge_seq: mergeSeq, cluster_id: id }]]).then(keptNote, function (refusal) {
      if (refusal && refusal.error && board.clusters[id]) {
        undo.push(t("undo_merge"), function () { return returnDots(mergeSeq, id, promptId); }, inQuestion(promptId));
      }
      throw refusal;
    });
  }

  function themeAction(kind, cluster, value) {
    var position = board.themeIds().indexOf(cluster.id);
    var members = board.order.filter(function (id) { return board.ideas[id].cluster_id === cluster.id; });
    if (kind === "rename") {
      var before = cluster.label;  // the fact renames this very object before the ack arrives
      return call("rename_cluster", { cluster_id: cluster.id, label: value }).then(function (ack) {
        if (ack.ok) { undo.push(t("undo_rename"), function () { return undo.sequence([["rename_cluster", { cluster_id: cluster.id, label: before }]]); }); }
      });
    }
    if (kind === "delete" || kind === "merge") {
      // The answers as they were: a deleted theme's (deleted with it once confirmed) and, merging, the
      // target's too come back with the undo.
      var answer = answerOf(cluster.id), targetAnswer = kind === "merge" ? answerOf(value) : null;
      var request = kind === "delete" ? deleteTheme(cluster)
        : call("merge_clusters", { source_id: cluster.id, target_id: value });
      return request.then(function (ack) {
        if (!ack.ok) { return; }
        var label = t(kind === "delete" ? "undo_delete" : "undo_merge"), waiting = inQuestion(cluster.prompt_id);
        var step = function () {
          return undo.recreate(cluster.label, members, position, cluster.prompt_id).then(function (id) {
            var steps = answer ? answersBack(id, answer, kind === "merge" && value, targetAnswer) : [];
            return undo.sequence(steps).then(function () {
              // A merge's dots go back to the theme they were on (a deleted theme's went back to their givers).
              return kind === "merge" ? returnDots(ack.merge_seq, id, cluster.prompt_id) : null;
            });
          }, function (refusal) {
            if (!refusal || !refusal.elsewhere) { throw refusal; }
            undo.push(label, step, waiting);  // the question switched on the way: wait for it again
            return waiting();
          });
        };
        undo.push(label, step, waiting);
        if (ack.answers_joined) { feedback.textContent = t("answers_joined", { theme: board.clusters[value].label }); }
      });
    }
    var order = board.themeIds().slice();
    var next = position + (kind === "up" ? -1 : 1);
    if (next < 0 || next >= order.length) { return Promise.resolve(); }
    order.splice(position, 1);
    order.splice(next, 0, cluster.id);
    var before = board.themeIds().slice();
    return call("reorder_clusters", { cluster_ids: order }).then(function (ack) {
      if (ack.ok) { undo.push(t("undo_reorder"), function () { return undo.sequence([["reorder_clusters", function () { return { cluster_ids: before.filter(function (x) { return board.clusters[x]; }) }; }]]); }); }
    });
  }

  // A tool button whose accessible name says what it acts on (label first: it reads so at the calls).
  function button(text, label, onClick, className) { return domButton(text, onClick, className, label); }

  // A card is a selectable row of a grid (one per group): a cell with the idea, its stack, dots and
  // duplicate flag, and a cell with its buttons. (An option of a listbox may not hold buttons.)
  function cardElement(card) {
    var idea = card.idea;
    var item = ideaCard(card, "div");  // a row of a grid: not a list item
    item.tabIndex = 0;
    item.setAttribute("role", "row");
    item.setAttribute("aria-selected", selected[idea.id] ? "true" : "false");
    item.classList.toggle("selected", !!selected[idea.id]);
    var body = document.createElement("div");
    body.className = "card-body";
    body.setAttribute("role", "gridcell");
    while (item.firstChild) { body.appendChild(item.firstChild); }
    item.appendChild(body);
    var dots = totals.ideas[String(idea.id)];
    if (dots) {
      var badge = document.createElement("span");
      badge.className = "vote-badge";
      badge.textContent = t(dots === 1 ? "dots_one" : "dots", { n: dots });
      body.appendChild(badge);
    }
    if (flagged[idea.id]) {
      var flag = document.createElement("span");
      flag.className = "duplicate-flag";
      flag.textContent = t("possible_duplicate");
      body.appendChild(flag);
    }
    var tools = document.createElement("div");
    tools.className = "card-tools";
    tools.setAttribute("role", "gridcell");
    tools.appendChild(button(idea.hidden ? t("show") : t("hide"), (idea.hidden ? t("show") : t("hide")) + ": " + idea.text, function () {
      var hiding = !idea.hidden;
      call(hiding ? "hide_idea" : "show_idea", { idea_id: idea.id }).then(function (ack) {
        if (ack.ok) {
          undo.push(t(hiding ? "undo_hide" : "undo_show"), function () {
            return undo.sequence([[hiding ? "show_idea" : "hide_idea", { idea_id: idea.id }]]);
          });
        }
      });
    }));
    if (idea.hidden) {  // one spam idea hidden: the rest of its author's go with one more click
      tools.appendChild(button(t("hide_author"), t("hide_author") + ": " + idea.text, function () {
        console_.hideAuthor(idea);
      }));
    }
    if (card.stacked.length) {
      tools.appendChild(button(t("unstack"), t("unstack") + ": " + idea.text, function () {
        var ids = card.stacked.map(function (d) { return d.id; });
        undo.sequence(ids.map(function (id) { return ["unstack_idea", { idea_id: id }]; })).then(function () {
          undo.push(t("undo_unstack"), function () { return undo.sequence([["stack_ideas", { idea_ids: [idea.id].concat(ids) }]]); });
        }, failed);
      }));
    }
    item.appendChild(tools);
    if (console_.cardHint) { console_.cardHint(card, tools, item); }  // "→ Theme?" (fits.js)
    dragging.attach(item, idea.id);
    return item;
  }

  // Rename in place: the heading becomes a text field (Enter or Save keeps it, Escape or Cancel
  // does not); redraws while typing keep the draft and the focus.
  function renameForm(cluster) {
    var form = document.createElement("form");
    form.className = "rename-form";
    var input = document.createElement("input");
    input.id = "rename-" + cluster.id;
    input.value = renaming.draft;
    input.maxLength = 80;
    input.setAttribute("aria-label", t("rename_prompt") + ": " + cluster.label);
    input.addEventListener("input", function () { renaming.draft = input.value; });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); stopRenaming(cluster); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var label = input.value.trim();
      stopRenaming(cluster);
      if (label && label !== cluster.label) { themeAction("rename", cluster, label); }
    });
    form.appendChild(input);
    form.appendChild(button(t("save"), t("save") + ": " + cluster.label, null, "small"));
    form.lastChild.type = "submit";
    form.appendChild(button(t("cancel"), t("cancel") + ": " + cluster.label, function () { stopRenaming(cluster); }, "small secondary"));
    return form;
  }

  function stopRenaming(cluster) {
    renaming = null;
    draw();
    var again = document.querySelector('[data-rename="' + cluster.id + '"]');
    if (again) { again.focus(); }
  }

  function groupHeader(group) {
    var header = document.createElement("header");
    if (group.cluster && renaming && renaming.id === group.cluster.id) {
      var named = document.createElement("h2");  // the grid's name while its field is open
      named.id = "group-" + group.cluster.id;
      named.className = "visually-hidden";
      named.textContent = group.cluster.label;
      header.appendChild(named);
      header.appendChild(renameForm(group.cluster));
      return header;
    }
    var heading = document.createElement("h2");
    heading.id = "group-" + (group.cluster ? group.cluster.id : "unsorted");
    heading.textContent = group.cluster ? group.cluster.label : t("unsorted");
    var count = document.createElement("span");
    count.className = "theme-count";
    count.textContent = String(board.ideaCount(group));
    count.setAttribute("aria-hidden", "true");  // read as the words below: "5 ideas", not "5"
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.textContent = " " + t("ideas_count", { n: board.ideaCount(group) });
    heading.appendChild(count);
    heading.appendChild(spoken);
    header.appendChild(heading);
    var themeDots = group.cluster && totals.clusters[String(group.cluster.id)];
    if (themeDots) { header.appendChild(document.createTextNode(t(themeDots === 1 ? "dots_one" : "dots", { n: themeDots }))); }
    if (group.cluster) { header.appendChild(themeTools(group.cluster)); }
    return header;
  }

  function themeTools(cluster) {
    var tools = document.createElement("div");
    tools.className = "theme-tools";
    var rename = button(t("rename"), t("rename") + ": " + cluster.label, function () {
      renaming = { id: cluster.id, draft: cluster.label };
      draw();
      var input = document.getElementById("rename-" + cluster.id);
      if (input) { input.focus(); input.select(); }
    });
    rename.dataset.rename = String(cluster.id);
    tools.appendChild(rename);
    tools.appendChild(button("↑", t("move_up") + ": " + cluster.label, function () { themeAction("up", cluster); }));
    tools.appendChild(button("↓", t("move_down") + ": " + cluster.label, function () { themeAction("down", cluster); }));
    var others = board.themeIds().filter(function (id) { return id !== cluster.id; });
    if (others.length) {
      var merge = document.createElement("select");
      merge.setAttribute("aria-label", t("merge_into") + ": " + cluster.label);
      var first = document.createElement("option");
      first.value = ""; first.textContent = t("merge_into");
      merge.appendChild(first);
      others.forEach(function (id) {
        var option = document.createElement("option");
        option.value = String(id); option.textContent = board.clusters[id].label;
        merge.appendChild(option);
      });
      // A refused merge (answers too long together) leaves the theme where it was: the list says so.
      merge.addEventListener("change", function () {
        if (merge.value) { themeAction("merge", cluster, Number(merge.value)).then(function () { merge.value = ""; }); }
      });
      tools.appendChild(merge);
    }
    tools.appendChild(button(t("delete"), t("delete") + ": " + cluster.label, function () { themeAction("delete", cluster); }, "small danger"));
    return tools;
  }

  // Facts arrive in bursts (a reconnect's sync, another console's work): each part of the console
  // draws at most once a frame, however many facts the frame brought.
  console_.perFrame = function (paint) {
    var frame = 0;
    return function () {
      if (!frame) { frame = window.requestAnimationFrame(function () { frame = 0; paint(); }); }
    };
  };
  var render = console_.perFrame(function () { draw(); });

  function draw() {
    var focused = document.activeElement && document.activeElement.closest ? document.activeElement : null;
    var focusKey = focused && focused.dataset && focused.dataset.id ? focused.dataset.id : null;
    var editing = focused && focused.id && focused.id.indexOf("rename-") === 0 ? focused : null;
    var caret = editing ? [editing.selectionStart, editing.selectionEnd] : null;
    groupsArea.textContent = "";
    var groups = board.groups(true);
    groups.unshift(groups.pop());  // unsorted first: the facilitator sorts from there
    groups.forEach(function (group) {
      var section = document.createElement("section");
      section.className = group.cluster ? "group theme" : "group unsorted";
      section.dataset.cluster = group.cluster ? String(group.cluster.id) : "";
      section.appendChild(groupHeader(group));
      var list = document.createElement("div");  // role grid is not allowed on a list
      list.className = "cards";
      list.setAttribute("role", "grid");
      list.setAttribute("aria-multiselectable", "true");
      list.setAttribute("aria-labelledby", "group-" + (group.cluster ? group.cluster.id : "unsorted"));
      group.cards.forEach(function (card) {
        // Waiting ones are in the queue; a waiting one the facilitator hid is a hidden card (to show again).
        if (!card.idea.pending || card.idea.hidden) { list.appendChild(cardElement(card)); }
      });
      section.appendChild(list);
      groupsArea.appendChild(section);
    });
    if (focusKey) {
      var again = groupsArea.querySelector('.idea[data-id="' + focusKey + '"]');
      if (again) { again.focus({ preventScroll: true }); }
    }
    if (editing) {
      var field = document.getElementById(editing.id);
      if (field) { field.focus({ preventScroll: true }); field.setSelectionRange(caret[0], caret[1]); }
    }
    renderSelectionTools();
  }
  console_.render = render;

  function renderSelectionTools() {
    var ids = selectedIds();
    selectionInfo.textContent = t("selected_count", { n: ids.length });
    var current = moveTarget.value;
    moveTarget.textContent = "";
    [[ "", t("unsorted") ]].concat(board.themeIds().map(function (id) { return [String(id), board.clusters[id].label]; }))
      .forEach(function (pair) {
        var option = document.createElement("option");
        option.value = pair[0]; option.textContent = pair[1];
        moveTarget.appendChild(option);
      });
    moveTarget.value = current && board.clusters[current] ? current : "";
    document.querySelectorAll("[data-needs-selection]").forEach(function (el) {
      el.disabled = ids.length < Number(el.dataset.needsSelection);
    });
  }

  function toggle(id) {
    if (selected[id]) { delete selected[id]; } else { selected[id] = true; }
    render();
  }

  groupsArea.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest(".idea");
    if (!card || event.target !== card) { return; }
    if (event.key === " " || event.key === "Enter") { event.preventDefault(); toggle(Number(card.dataset.id)); }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {  // the grid's rows, in page order
      var rows = Array.prototype.slice.call(groupsArea.querySelectorAll(".idea[role=row]"));
      var next = rows[rows.indexOf(card) + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) { event.preventDefault(); next.focus(); }
    }
  });
  groupsArea.addEventListener("click", function (event) {
    var card = event.target.closest(".idea");
    if (card && !event.target.closest("button, select") && !dragging.justDropped()) { toggle(Number(card.dataset.id)); }
  });

  document.getElementById("move-selected").addEventListener("click", function () {
    var ids = selectedIds();
    var target = moveTarget.value ? Number(moveTarget.value) : null;
    moveCards(ids, target).then(function () { selected = {}; render(); });
  });
  document.getElementById("stack-selected").addEventListener("click", function () {
    var ids = selectedIds();
    call("stack_ideas", { idea_ids: ids }).then(function (ack) {
      if (!ack.ok) { return; }
      selected = {};
      ack.duplicate_ids.forEach(function (id) { delete flagged[id]; });
      undo.push(t("undo_stack"), function () { return undo.sequence(ack.duplicate_ids.map(function (id) { return ["unstack_idea", { idea_id: id }]; })); });
      render();
    });
  });
  document.getElementById("clear-selection").addEventListener("click", function () { selected = {}; render(); });
  document.getElementById("new-theme").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("new-theme-label");
    var ids = selectedIds();
    call("create_cluster", { label: input.value }).then(function (ack) {
      if (!ack.ok) { return; }
      input.value = "";
      undo.push(t("undo_create"), function () { return undo.sequence([["delete_cluster", { cluster_id: ack.cluster.id }]]); });
      if (ids.length) { moveCards(ids, ack.cluster.id).then(function () { selected = {}; render(); }); }
    });
  });
  function undone(note) { feedback.textContent = typeof note === "string" ? note : ""; }
  undoButton.addEventListener("click", function () { undo.run().then(undone, failed); });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "z" && !event.target.closest("input, textarea")) {
      event.preventDefault();
      undo.run().then(undone, failed);
    }
  });
  live = connect({
    code: code,
    joinPayload: function () { return { code: code }; },
    onSnapshot: function (snapshot) {
      board.load(snapshot); screen.update(); render();
      console_.listeners.forEach(function (listener) { listener("snapshot", snapshot); });
    },
    onFact: function (event, data) {
      board.apply(event, data); screen.fact(event); render();
      console_.listeners.forEach(function (listener) { listener(event, data); });
    },
    onCount: function (n, data) {
      screen.count(n, data);
      console_.listeners.forEach(function (listener) { listener("participant_count", data); });
    },
    onStatus: screen.status
  });
  live.socket.on("storage_full", function () { feedback.textContent = t("storage_full_console"); });
  live.socket.on("vote_totals", function (data) { totals = data; if (board.workshop) { render(); } });
  undo = new Undo(live, board, function () {
    var last = undo.last();
    undoButton.disabled = !last;
    undoButton.textContent = last ? t("undo_named", { action: last.label }) : t("undo");
  });
  console_.undo = undo;
  dragging.init(groupsArea, function (ideaId, clusterId) {
    var ids = selected[ideaId] ? selectedIds() : [ideaId];
    var moving = ids.filter(function (id) { return board.ideas[id].cluster_id !== clusterId; });
    if (moving.length) { moveCards(moving, clusterId).then(function () { selected = {}; render(); }); }
  });
  installSuggestions(console_);
  installFits(console_);
  installFlow(console_);
  installGuide(console_);
  installWallControls(console_);
  installAfter(console_);
  // A handle on the console's state for the browser tests and a developer's console; no script reads it.
  window.IdeaFactory = { console: console_ };
}

startConsole();
