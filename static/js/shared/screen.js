// What the wall and the console share beside the ideas: counts, posting state, connection line,
// and screen-reader announcements that summarise a busy room instead of reading every idea.
import { acceptsIdeas } from "./board.js";
import { t } from "./live.js";
export function screen(options) {
  var board = options.board;
  var announcer = document.getElementById("announcer");
  var pending = 0;

  function update() {
    document.getElementById("idea-count").textContent = String(board.visibleCount());
    if (board.workshop) {
      var open = acceptsIdeas(board.workshop);
      document.getElementById("participant-count").textContent = String(board.workshop.participant_count);
      var state = document.getElementById("posting-state");
      state.textContent = open ? t("posting_open") : t("posting_closed");
      state.classList.toggle("closed", !open);
    }
  }

  function announce(text) {
    announcer.textContent = text;
  }

  return {
    update: update,
    announce: announce,
    count: function (n, data) {
      if (board.workshop) {
        board.workshop.participant_count = n;
        board.workshop.participants_by_table = (data || {}).participants_by_table || {};
        board.workshop.newcomers_held = (data || {}).newcomers_held || 0;
        board.workshop.newcomers_since = (data || {}).newcomers_since || null;
        update();
      }
    },
    fact: function (event) {
      update();
      if (event === "posting_opened" || event === "posting_closed") {
        announce(event === "posting_opened" ? t("posting_open") : t("posting_closed"));
      }
      if (event !== "idea_posted") { return; }
      pending++;
      if (pending > 1) { return; }
      setTimeout(function () { announce(t("new_ideas", { n: pending })); pending = 0; }, 5000);
    },
    status: function (kind, text) {
      var line = document.getElementById("connection");
      line.textContent = kind === "online" ? "" : (kind === "offline" ? t("reconnecting") : text);
      line.className = "connection " + kind;
    }
  };
};
