// The console's controls for the room's screens: hold the wall's paging on one page, and a sound
// from the console when the countdown reaches zero (the projector has no controls of its own).

export function installWallControls(app) {
  var paging = document.getElementById("wall-paging");
  var soundButton = document.getElementById("sound-toggle");
  var sound = false;

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    var audio = new Context(), tone = audio.createOscillator(), gain = audio.createGain();
    tone.frequency.value = 660;
    gain.gain.setValueAtTime(0.3, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 1.2);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 1.2);
  }

  soundButton.addEventListener("click", function () {
    sound = !sound;
    soundButton.setAttribute("aria-pressed", String(sound));
  });
  document.getElementById("console-timer").addEventListener("timer-zero", function () { if (sound) { beep(); } });

  paging.addEventListener("click", function () {
    app.call("set_rules", { wall_paused: !app.board.workshop.wall_paused });
  });
  app.listeners.push(function () {
    paging.setAttribute("aria-pressed", String(!!app.board.workshop.wall_paused));
  });
}
