// A screen's copy of a workshop: ideas, themes and stacks, kept current by applying facts.
// The wall, the console and the phone all read it; none of them changes it except through facts.
"use strict";

IdeaFactory.Board = function () {
  this.ideas = {};        // id -> idea
  this.order = [];        // idea ids, oldest first
  this.clusters = {};     // id -> {id, label, position}
  this.clusterOrder = []; // theme ids in wall order
  this.workshop = null;
};

IdeaFactory.Board.prototype.load = function (snapshot) {
  var board = this;
  this.ideas = {}; this.order = []; this.clusters = {}; this.clusterOrder = [];
  this.workshop = snapshot.workshop;
  snapshot.ideas.forEach(function (idea) { board.ideas[idea.id] = idea; board.order.push(idea.id); });
  (snapshot.clusters || []).forEach(function (c) { board.clusters[c.id] = c; board.clusterOrder.push(c.id); });
};

IdeaFactory.Board.prototype.setCluster = function (ids, clusterId) {
  var ideas = this.ideas;
  ids.forEach(function (id) { if (ideas[id]) { ideas[id].cluster_id = clusterId; } });
};

IdeaFactory.Board.prototype.removeCluster = function (id) {
  delete this.clusters[id];
  this.clusterOrder = this.clusterOrder.filter(function (x) { return x !== id; });
};

// Apply one fact; the caller has already checked its seq.
IdeaFactory.Board.prototype.apply = function (event, data) {
  var ideas = this.ideas;
  switch (event) {
    case "idea_posted":
    case "idea_shown":
      if (!ideas[data.idea.id]) { this.order.push(data.idea.id); this.order.sort(function (a, b) { return a - b; }); }
      ideas[data.idea.id] = data.idea;
      break;
    case "idea_hidden":
      if (ideas[data.idea_id]) { ideas[data.idea_id].hidden = true; }
      break;
    case "cluster_created":
      this.clusters[data.cluster.id] = data.cluster;
      this.clusterOrder.push(data.cluster.id);
      break;
    case "cluster_renamed":
      if (this.clusters[data.cluster_id]) { this.clusters[data.cluster_id].label = data.label; }
      break;
    case "idea_moved":
      this.setCluster(data.idea_ids, data.cluster_id);
      break;
    case "clusters_merged":
      this.setCluster(data.idea_ids, data.target_id);
      this.removeCluster(data.source_id);
      break;
    case "cluster_deleted":
      this.setCluster(data.idea_ids, null);
      this.removeCluster(data.cluster_id);
      break;
    case "clusters_reordered":
      this.clusterOrder = data.cluster_ids.slice();
      break;
    case "ideas_stacked":
      data.duplicate_ids.forEach(function (id) {
        if (ideas[id]) { ideas[id].duplicate_of = data.idea_id; ideas[id].cluster_id = data.cluster_id; }
      });
      break;
    case "idea_unstacked":
      if (ideas[data.idea_id]) { ideas[data.idea_id].duplicate_of = null; }
      break;
    case "phase_changed":
      if (this.workshop) { this.workshop.phase = data.phase; }
      break;
    case "timer_changed":
      if (this.workshop) { this.workshop.timer = data.timer; }
      break;
    case "voting_set":
      if (this.workshop) { this.workshop.dots = data.dots; this.workshop.max_per_item = data.max_per_item; }
      break;
    case "posting_opened":
    case "posting_closed":
      if (this.workshop) { this.workshop.posting_open = event === "posting_opened"; }
      break;
  }
};

IdeaFactory.Board.prototype.visibleCount = function () {
  var ideas = this.ideas;
  return this.order.filter(function (id) { return !ideas[id].hidden; }).length;
};

// Cards: ideas not stacked under another, each with the ideas stacked under it.
IdeaFactory.Board.prototype.cards = function (showHidden) {
  var ideas = this.ideas, stacks = {};
  this.order.forEach(function (id) {
    var idea = ideas[id];
    if (idea.duplicate_of && ideas[idea.duplicate_of] && (showHidden || !idea.hidden)) {
      (stacks[idea.duplicate_of] = stacks[idea.duplicate_of] || []).push(idea);
    }
  });
  return this.order.filter(function (id) {
    var idea = ideas[id];
    return (showHidden || !idea.hidden) && !(idea.duplicate_of && ideas[idea.duplicate_of]);
  }).map(function (id) { return { idea: ideas[id], stacked: stacks[id] || [] }; });
};

// Groups in wall order, themes first, then the unsorted cards (cluster null).
IdeaFactory.Board.prototype.groups = function (showHidden) {
  var byCluster = {}, board = this;
  var groups = this.clusterOrder.map(function (id) {
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

IdeaFactory.Board.prototype.ideaCount = function (group) {
  return group.cards.reduce(function (n, card) { return n + 1 + card.stacked.length; }, 0);
};

// A card element: the idea's text set as text, a badge when duplicates are stacked under it.
IdeaFactory.cardElement = function (card, tag) {
  var item = IdeaFactory.ideaElement(card.idea, tag);
  item.classList.toggle("hidden-idea", !!card.idea.hidden);
  if (card.stacked.length) {
    var badge = document.createElement("span");
    badge.className = "stack-count";
    badge.textContent = "×" + (card.stacked.length + 1);
    badge.title = IdeaFactory.t("stacked", { n: card.stacked.length + 1 });
    item.appendChild(badge);
  }
  return item;
};
