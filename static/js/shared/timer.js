// The countdown on every screen. It counts from the remaining time the server sent, measured on
// this device's own clock, so a phone whose clock is off still shows the right time.
import { t } from "./live.js";

export function countdown(element, options) {
  var endsAt = null, remaining = 0, running = false, ticker = null, rang = false;
  options = options || {};

  function format(ms) {
    var seconds = Math.ceil(ms / 1000);
    var minutes = Math.floor(seconds / 60);
    return minutes + ":" + String(seconds % 60).padStart(2, "0");
  }

  function left() { return running ? Math.max(0, endsAt - Date.now()) : remaining; }

  function draw() {
    var ms = left();
    element.hidden = !running && remaining <= 0 && !rang;
    element.querySelector(".timer-value").textContent = format(ms);
    element.classList.toggle("paused", !running && ms > 0);
    element.classList.toggle("done", running && ms <= 0);
    element.setAttribute("aria-label", t(running ? "time_left" : "time_paused", { time: format(ms) }));
    if (running && ms <= 0 && !rang) {
      rang = true;
      if (options.onZero) { options.onZero(); }
      element.dispatchEvent(new CustomEvent("timer-zero", { bubbles: true }));
    }
  }

  return {
    set: function (timer) {
      running = !!timer.running;
      remaining = timer.remaining_ms || 0;
      endsAt = Date.now() + remaining;
      rang = running && remaining <= 0;
      if (ticker) { clearInterval(ticker); ticker = null; }
      if (running) { ticker = setInterval(draw, 250); }
      draw();
    }
  };
};
