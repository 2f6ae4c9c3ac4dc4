// A screen's copy of a workshop: ideas, themes and stacks, kept current by applying facts.
// The wall, the console and the phone all read it; none of them changes it except through facts.
import { ideaElement, t } from "./live.js";

// Whether participants may post (or change their) ideas now: the server's Workshop.accepts_ideas.
export function acceptsIdeas(workshop) {
  return !!workshop && workshop.phase === "collect" && !!workshop.posting_open;
};

export function Board() {
  this.ideas = {};        // id -> idea (all questions; screens pick the active one)
  this.order = [];        // idea ids, oldest first
  this.clusters = {};     // id -> {id, label, position, prompt_id}
  this.clusterOrder = []; // theme ids in wall order (all questions; screens pick the one shown)
  this.lookBack = null;   // the console's view of an earlier question (its prompt id), else null
  this.workshop = null;
  this.prompts = [];
  this.tables = [];
  this.answers = [];      // answers to themes and ideas (status, text), written after the evening
  this.background = [];   // the background questions phones offer under "About you"
};

Board.prototype.load = function (snapshot) {
  var board = this;
  this.ideas = {}; this.order = []; this.clusters = {}; this.clusterOrder = [];
  this.workshop = snapshot.workshop;
  this.prompts = snapshot.prompts || [];
  this.tables = snapshot.tables || [];
  this.answers = snapshot.answers || [];
  this.background = snapshot.background || [];
  snapshot.ideas.forEach(function (idea) { board.ideas[idea.id] = idea; board.order.push(idea.id); });
  (snapshot.clusters || []).forEach(function (c) { board.clusters[c.id] = c; board.clusterOrder.push(c.id); });
};

Board.prototype.setCluster = function (ids, clusterId) {
  var ideas = this.ideas;
  ids.forEach(function (id) { if (ideas[id]) { ideas[id].cluster_id = clusterId; } });
};

Board.prototype.removeCluster = function (id) {  // its answer went with it, or moved to the target
  delete this.clusters[id];
  this.answers = this.answers.filter(function (a) { return a.cluster_id !== id; });
  this.clusterOrder = this.clusterOrder.filter(function (x) { return x !== id; });
};

// Apply one fact; the caller has already checked its seq.
Board.prototype.apply = function (event, data) {
  var ideas = this.ideas;
  switch (event) {
    case "idea_queued":
    case "idea_posted":
    case "idea_shown":
    case "idea_approved":
    case "idea_edited":
      if (!data.idea) {  // waiting or hidden: a wall or phone learns only not to show it
        if (ideas[data.idea_id]) { ideas[data.idea_id].pending = true; }
        break;
      }
      if (!ideas[data.idea.id]) { this.order.push(data.idea.id); this.order.sort(function (a, b) { return a - b; }); }
      ideas[data.idea.id] = data.idea;
      break;
    case "idea_deleted":
      delete ideas[data.idea_id];
      this.order = this.order.filter(function (id) { return id !== data.idea_id; });
      break;
    case "prompt_added":
      this.prompts.push(data.prompt);
      break;
    case "active_prompt_changed":
      if (this.workshop) { this.workshop.active_prompt_id = data.prompt_id; this.workshop.prompt = data.prompt; }
      break;
    case "tables_set":
      this.tables = data.tables;
      break;
    case "rules_changed":
      if (this.workshop) { Object.assign(this.workshop, data.rules); }
      break;
    case "idea_hidden":
      if (ideas[data.idea_id]) { ideas[data.idea_id].hidden = true; }
      break;
    case "cluster_created":
      this.clusters[data.cluster.id] = data.cluster;
      this.clusterOrder.push(data.cluster.id);
      break;
    case "clusters_created":  // accepted suggestions: the themes and what moved into them, at once
      data.clusters.forEach(function (c) {
        this.clusters[c.id] = { id: c.id, label: c.label, position: c.position, prompt_id: c.prompt_id };
        this.clusterOrder.push(c.id);
        this.setCluster(c.idea_ids, c.id);
      }, this);
      break;
    case "cluster_renamed":
      if (this.clusters[data.cluster_id]) { this.clusters[data.cluster_id].label = data.label; }
      break;
    case "idea_moved":
      this.setCluster(data.idea_ids, data.cluster_id);
      break;
    case "clusters_merged":  // the source's answer, if any, follows as the target's answer_set
      this.setCluster(data.idea_ids, data.target_id);
      this.removeCluster(data.source_id);
      break;
    case "cluster_deleted":
      this.setCluster(data.idea_ids, null);
      this.removeCluster(data.cluster_id);
      break;
    case "clusters_reordered":  // the active question's themes; the others keep their places
      this.clusterOrder = this.clusterOrder.filter(function (id) { return data.cluster_ids.indexOf(id) < 0; })
        .concat(data.cluster_ids);
      break;
    case "ideas_stacked":
      data.duplicate_ids.forEach(function (id) {
        if (ideas[id]) { ideas[id].duplicate_of = data.idea_id; ideas[id].cluster_id = data.cluster_id; }
      });
      break;
    case "idea_unstacked":
      if (ideas[data.idea_id]) { ideas[data.idea_id].duplicate_of = null; }
      break;
    case "themes_on_wall_changed":
      if (this.workshop) { this.workshop.themes_on_wall = data.themes_on_wall; }
      break;
    case "phase_changed":
      if (this.workshop) { this.workshop.phase = data.phase; }
      break;
    case "timer_changed":
      if (this.workshop) { this.workshop.timer = data.timer; }
      break;
    case "voting_set":
      if (this.workshop) {
        this.workshop.dots = data.dots; this.workshop.max_per_item = data.max_per_item;
        this.workshop.vote_on = data.vote_on || this.workshop.vote_on;
      }
      break;
    case "frame_set":
      if (this.workshop) { this.workshop.frame = data.frame; }
      break;
    case "newcomer_decided":  // this phone's own: the facilitator let it in or turned it away
      this.held = false;
      this.turnedAway = !data.accept;
      break;
    case "answer_set":
      this.answers = this.answers.filter(function (a) { return a.id !== data.answer.id; }).concat([data.answer]);
      break;
    case "background_set":
      this.background = data.questions;
      break;
    case "posting_opened":
    case "posting_closed":
      if (this.workshop) { this.workshop.posting_open = event === "posting_opened"; }
      break;
  }
};

// What became of an idea: its own answer, else its card's (a stacked duplicate), else its theme's.
Board.prototype.answerFor = function (idea) {
  function find(key, id) {
    return id ? this.answers.filter(function (a) { return a[key] === id; })[0] : undefined;
  }
  return find.call(this, "idea_id", idea.id) || find.call(this, "idea_id", idea.duplicate_of)
    || find.call(this, "cluster_id", idea.cluster_id) || null;
};

// The question a screen shows: the active one, or the earlier one the console looks back at.
Board.prototype.promptShown = function () {
  return this.lookBack || (this.workshop && this.workshop.active_prompt_id);
};

// Whether a screen shows an idea: the shown question's, of the chosen table if one is chosen,
// and hidden or waiting ones only on the facilitator's console.
Board.prototype.shows = function (idea, showHidden) {
  var shown = this.promptShown();
  if (shown && idea.prompt_id && idea.prompt_id !== shown) { return false; }
  if (this.tableFilter && idea.table_id !== this.tableFilter) { return false; }
  return showHidden || (!idea.hidden && !idea.pending);
};

Board.prototype.visibleCount = function () {
  var board = this;
  return this.order.filter(function (id) { return board.shows(board.ideas[id], false); }).length;
};

// Cards: ideas not stacked under another, each with the ideas stacked under it.
Board.prototype.cards = function (showHidden) {
  var board = this, ideas = this.ideas, stacks = {};
  this.order.forEach(function (id) {
    var idea = ideas[id];
    if (idea.duplicate_of && ideas[idea.duplicate_of] && board.shows(idea, showHidden)) {
      (stacks[idea.duplicate_of] = stacks[idea.duplicate_of] || []).push(idea);
    }
  });
  return this.order.filter(function (id) {
    var idea = ideas[id];
    return board.shows(idea, showHidden) && !(idea.duplicate_of && ideas[idea.duplicate_of]);
  }).map(function (id) { return { idea: ideas[id], stacked: stacks[id] || [] }; });
};

// The shown question's themes in wall order: each question is its own round.
Board.prototype.themeIds = function () {
  var board = this, shown = this.promptShown();
  return this.clusterOrder.filter(function (id) {
    var prompt = board.clusters[id] && board.clusters[id].prompt_id;
    return !shown || !prompt || prompt === shown;
  });
};

// Groups in wall order, themes first, then the unsorted cards (cluster null).
Board.prototype.groups = function (showHidden) {
  var byCluster = {}, board = this;
  var groups = this.themeIds().map(function (id) {
    byCluster[id] = { cluster: board.clusters[id], cards: [] };
    return byCluster[id];
  });
  var unsorted = { cluster: null, cards: [] };
  this.cards(showHidden).forEach(function (card) {
    (byCluster[card.idea.cluster_id] || unsorted).cards.push(card);
  });
  groups.push(unsorted);
  return groups;
};

// A group's ideas as every screen counts them (docs/glossary.md): those on the wall, stacked
// duplicates included, never a hidden or waiting one (the console shows those, uncounted).
Board.prototype.ideaCount = function (group) {
  var onWall = function (idea) { return !idea.hidden && !idea.pending; };
  return group.cards.reduce(function (n, card) {
    return n + (onWall(card.idea) ? 1 : 0) + card.stacked.filter(onWall).length;
  }, 0);
};

// A card element: the idea's text set as text, a badge when duplicates are stacked under it.
export function cardElement(card, tag) {
  var item = ideaElement(card.idea, tag);
  item.classList.toggle("hidden-idea", !!card.idea.hidden);
  if (card.stacked.length) {
    var badge = document.createElement("span");
    badge.className = "stack-count";
    badge.textContent = "×" + (card.stacked.length + 1);
    badge.title = t("stacked", { n: card.stacked.length + 1 });
    item.appendChild(badge);
  }
  return item;
};
