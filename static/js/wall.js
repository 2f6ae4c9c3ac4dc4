// The wall: counts and every visible idea, live, sized to stay legible from the back of a hall.
// The facilitator console uses the same wall with controls on each card.
"use strict";

IdeaFactory.wall = function (options) {
  var root = document.getElementById("wall");
  var code = root.dataset.code;
  var board = document.getElementById("ideas");
  var overflowNote = document.getElementById("ideas-overflow");
  var ideaCount = document.getElementById("idea-count");
  var participantCount = document.getElementById("participant-count");
  var postingState = document.getElementById("posting-state");
  var announcer = document.getElementById("announcer");
  var t = IdeaFactory.t;
  var ideas = {};   // id -> idea
  var order = [];   // ids, oldest first
  var pendingAnnouncements = 0;
  var fitScheduled = false;
  var drawn = {};   // id -> true once its card has been on the board (only new cards animate)
  var MIN_FONT = 18, MAX_FONT = 44;

  function card(idea) {
    var item = IdeaFactory.ideaElement(idea);
    item.classList.toggle("hidden-idea", !!idea.hidden);
    if (!drawn[idea.id]) { item.classList.add("arrived"); }
    if (options.decorate) { options.decorate(item, idea); }
    return item;
  }

  function visibleIds() {
    return order.filter(function (id) { return options.showHidden || !ideas[id].hidden; });
  }

  function counts() {
    var visible = order.filter(function (id) { return !ideas[id].hidden; }).length;
    ideaCount.textContent = String(visible);
  }

  // Newest first; shrink the text until everything fits, and below the minimum show what fits
  // (the console scrolls instead: options.scroll, so the facilitator can reach every idea).
  function fit() {
    fitScheduled = false;
    var ids = visibleIds().reverse();
    board.textContent = "";
    ids.forEach(function (id) { board.appendChild(card(ideas[id])); });
    drawn = {};
    ids.forEach(function (id) { drawn[id] = true; });
    var size = MAX_FONT;
    board.style.setProperty("--idea-size", size + "px");
    while ((overflows() || splitsWords()) && size > MIN_FONT) {
      size = Math.max(MIN_FONT, Math.floor(size * 0.9));
      board.style.setProperty("--idea-size", size + "px");
    }
    var hiddenByLack = 0;
    while (!options.scroll && overflows() && board.lastChild) { board.removeChild(board.lastChild); hiddenByLack++; }
    overflowNote.hidden = hiddenByLack === 0;
    overflowNote.textContent = t("more_ideas", { n: hiddenByLack });
  }

  function overflows() {
    return board.scrollHeight > board.clientHeight + 1 || board.scrollWidth > board.clientWidth + 1;
  }

  // Whether a word is wider than its card (long Danish compounds): then the text is still too big,
  // as a word broken mid-way is hard to read. Below the minimum size, words do break (CSS).
  function splitsWords() {
    var texts = board.querySelectorAll(".idea-text");
    var split = false;
    board.classList.add("measuring");
    for (var i = 0; i < texts.length && !split; i++) {
      split = texts[i].scrollWidth > texts[i].clientWidth + 1;
    }
    board.classList.remove("measuring");
    return split;
  }

  function refresh() {
    counts();
    if (!fitScheduled) { fitScheduled = true; requestAnimationFrame(fit); }
  }

  // Screen readers hear a summary every few seconds, not every idea of a busy room.
  function announce() {
    pendingAnnouncements++;
    if (pendingAnnouncements > 1) { return; }
    setTimeout(function () {
      announcer.textContent = t("new_ideas", { n: pendingAnnouncements });
      pendingAnnouncements = 0;
    }, 5000);
  }

  function setPosting(open) {
    postingState.textContent = open ? t("posting_open") : t("posting_closed");
    postingState.classList.toggle("closed", !open);
    if (options.onPosting) { options.onPosting(open); }
  }

  var live = IdeaFactory.connect({
    code: code,
    joinPayload: function () { return { code: code, viewer: true }; },
    onJoined: options.onJoined,
    onSnapshot: function (snapshot) {
      ideas = {}; order = [];
      snapshot.ideas.forEach(function (idea) { ideas[idea.id] = idea; order.push(idea.id); });
      participantCount.textContent = String(snapshot.workshop.participant_count);
      setPosting(snapshot.workshop.posting_open);
      refresh();
    },
    onFact: function (event, data) {
      if (event === "idea_posted") {
        if (!ideas[data.idea.id]) { order.push(data.idea.id); }
        ideas[data.idea.id] = data.idea;
        announce();
      } else if (event === "idea_hidden" && ideas[data.idea_id]) {
        ideas[data.idea_id].hidden = true;
      } else if (event === "idea_shown") {
        if (!ideas[data.idea.id]) { order.push(data.idea.id); order.sort(function (a, b) { return a - b; }); }
        ideas[data.idea.id] = data.idea;
      } else if (event === "participant_joined") {
        participantCount.textContent = String(data.participant_count);
      } else if (event === "posting_opened" || event === "posting_closed") {
        setPosting(event === "posting_opened");
      }
      refresh();
    },
    onStatus: function (kind, text) {
      var line = document.getElementById("connection");
      line.textContent = kind === "online" ? "" : (kind === "offline" ? t("reconnecting") : text);
      line.className = "connection " + kind;
    }
  });

  window.addEventListener("resize", refresh);
  return { live: live, ideas: function () { return ideas; }, refresh: refresh };
};
