// The phone in the vote and results phases: place and take back dots; see the ranked result.
"use strict";

IdeaFactory.phoneVoting = function (live, board) {
  var t = IdeaFactory.t;
  var list = document.getElementById("vote-list");
  var dotsLeft = document.getElementById("dots-left");
  var message = document.getElementById("vote-message");
  var mine = { ideas: {}, clusters: {} };
  var left = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function dotButton(text, label, kind, key, id) {
    var button = el("button", "dot-button", text);
    button.type = "button";
    button.setAttribute("aria-label", label);
    button.addEventListener("click", function () { vote(kind, key, id); });
    return button;
  }

  // One votable row: the text, my dots on it, and buttons to add or take back a dot.
  function row(kind, id, text) {
    var key = kind === "cluster_id" ? "clusters" : "ideas";
    var count = mine[key][String(id)] || 0;
    var item = el("li", "vote-item" + (kind === "cluster_id" ? " vote-theme" : ""));
    item.appendChild(el("span", "vote-text", text));
    item.appendChild(el("span", "my-dots", "●".repeat(count)));
    var controls = el("span", "vote-controls");
    controls.appendChild(dotButton("−", t("retract_dot", { text: text }), "retract_vote", key, id));
    controls.appendChild(dotButton("+", t("cast_dot", { text: text }), "cast_vote", key, id));
    controls.firstChild.disabled = count === 0;
    controls.lastChild.disabled = left === 0 || count >= ((board.workshop && board.workshop.max_per_item) || 1);
    item.appendChild(controls);
    return item;
  }

  function vote(command, key, id) {
    var payload = {};
    payload[key === "clusters" ? "cluster_id" : "idea_id"] = id;
    live.call(command, payload).then(function (ack) {
      if (!ack.ok) { message.textContent = IdeaFactory.errorText(ack.error); return; }
      message.textContent = "";
      var counts = mine[key];
      counts[String(id)] = (counts[String(id)] || 0) + (command === "cast_vote" ? 1 : -1);
      left = ack.dots_left;
      render();
    }, function () { message.textContent = t("not_connected"); });
  }

  function render() {
    dotsLeft.textContent = t("dots_left", { n: left });
    var focused = document.activeElement;
    var focusLabel = focused && focused.classList.contains("dot-button") ? focused.getAttribute("aria-label") : null;
    list.textContent = "";
    board.groups(false).forEach(function (group) {
      if (group.cluster) { list.appendChild(row("cluster_id", group.cluster.id, group.cluster.label)); }
      group.cards.forEach(function (card) { list.appendChild(row("idea_id", card.idea.id, card.idea.text)); });
    });
    if (focusLabel) {
      var again = Array.prototype.find.call(list.querySelectorAll(".dot-button"), function (b) {
        return b.getAttribute("aria-label") === focusLabel;
      });
      if (again) { again.focus(); }
    }
  }

  return {
    load: function (votes) {
      mine = { ideas: votes.ideas || {}, clusters: votes.clusters || {} };
      left = votes.dots_left;
    },
    budget: function (dots) {
      var used = 0;
      [mine.ideas, mine.clusters].forEach(function (counts) {
        Object.keys(counts).forEach(function (k) { used += counts[k]; });
      });
      left = Math.max(0, dots - used);
    },
    render: render
  };
};

// The ranked result, as the server computes it, once the facilitator shows it.
IdeaFactory.showResults = function (code, list) {
  var t = IdeaFactory.t;
  fetch("/api/workshops/" + encodeURIComponent(code) + "/results").then(function (response) {
    return response.ok ? response.json() : null;
  }).then(function (results) {
    list.textContent = "";
    if (!results) { return; }
    var items = results.themes.map(function (theme) {
      return { rank: theme.rank, text: theme.label, votes: theme.votes, theme: true };
    }).concat(results.ideas.slice(0, 10).map(function (idea) {
      return { rank: idea.rank, text: idea.text, votes: idea.votes };
    }));
    var heading = null;
    items.forEach(function (item, index) {
      var tied = items.some(function (other, j) { return j !== index && !other.theme === !item.theme && other.rank === item.rank; });
      if (heading !== !!item.theme && results.themes.length) {
        heading = !!item.theme;
        var title = document.createElement("li");
        title.className = "results-heading";
        title.textContent = t(item.theme ? "results_themes" : "results_ideas");
        list.appendChild(title);
      }
      var entry = document.createElement("li");
      var rank = document.createElement("span");
      rank.className = "rank";
      rank.textContent = item.rank + (tied ? "=" : ".");  // as on the wall: "1=" marks a shared rank
      var text = document.createElement("span");
      text.className = "result-text";
      text.textContent = item.text;
      var votes = document.createElement("span");
      votes.className = "result-votes";
      votes.textContent = t("dots", { n: item.votes });
      entry.appendChild(rank);
      entry.appendChild(text);
      entry.appendChild(votes);
      list.appendChild(entry);
    });
  });
};
