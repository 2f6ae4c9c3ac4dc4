// The facilitator console: the wall plus moderation and posting controls.
"use strict";

(function () {
  var t = IdeaFactory.t;
  var feedback = document.getElementById("console-message");
  var postingButton = document.getElementById("posting-toggle");
  var postingOpen = true;
  var wall;

  function report(ack) {
    feedback.textContent = ack.ok ? "" : ack.error.message;
  }
  function failed() { feedback.textContent = t("not_connected"); }

  function decorate(item, idea) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "idea-action";
    button.textContent = idea.hidden ? t("show") : t("hide");
    button.setAttribute("aria-label", (idea.hidden ? t("show") : t("hide")) + ": " + idea.text);
    button.addEventListener("click", function () {
      wall.live.call(idea.hidden ? "show_idea" : "hide_idea", { idea_id: idea.id }).then(report, failed);
    });
    item.appendChild(button);
  }

  wall = IdeaFactory.wall({
    showHidden: true,
    scroll: true,
    decorate: decorate,
    onPosting: function (open) {
      postingOpen = open;
      postingButton.textContent = open ? t("close_posting") : t("open_posting");
      postingButton.setAttribute("aria-pressed", String(!open));
    }
  });

  postingButton.addEventListener("click", function () {
    wall.live.call("set_posting", { open: !postingOpen }).then(report, failed);
  });
})();
