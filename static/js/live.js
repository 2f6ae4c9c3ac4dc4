// The connection every screen shares: join, follow facts in seq order, resync after a gap.
// Screens pass handlers; user text is only ever set with textContent.
"use strict";

window.IdeaFactory = window.IdeaFactory || {};

IdeaFactory.t = function (key, values) {
  var strings = IdeaFactory.strings || {};
  if (values && values.n === 1 && strings[key + "_one"]) { key += "_one"; }  // Danish and English: 1 is singular
  var text = strings[key] || key;
  Object.keys(values || {}).forEach(function (name) {
    text = text.split("{" + name + "}").join(String(values[name]));
  });
  return text;
};

// The message to show for a refused command: in the page's language where we know the code.
IdeaFactory.errorText = function (error) {
  var key = "error_" + error.code;
  return (IdeaFactory.strings || {})[key] || error.message;
};

// Emit a command and resolve with its ack; a lost connection or a silent server rejects.
IdeaFactory.call = function (socket, event, payload, timeoutMs) {
  return new Promise(function (resolve, reject) {
    socket.timeout(timeoutMs || 8000).emit(event, payload, function (err, ack) {
      if (err) { reject(err); } else { resolve(ack); }
    });
  });
};

// options: code, joinPayload(): object, onJoined(ack), onSnapshot(snapshot), onFact(event, data),
// onStatus("online" | "offline" | "error", message)
IdeaFactory.connect = function (options) {
  var socket = io({ transports: ["websocket", "polling"], reconnectionDelayMax: 4000 });
  var state = { seq: null, joined: false, syncing: false, queue: [] };

  function status(kind, message) { if (options.onStatus) { options.onStatus(kind, message); } }

  function applySnapshot(snapshot) {
    state.seq = snapshot.seq;
    options.onSnapshot(snapshot);
  }

  function resync() {
    if (state.syncing) { return; }
    state.syncing = true;
    IdeaFactory.call(socket, "sync", { since: state.seq }).then(function (ack) {
      state.syncing = false;
      if (!ack.ok) { status("error", ack.error.message); return; }
      if (ack.snapshot) {
        applySnapshot(ack.snapshot);
      } else {
        ack.facts.forEach(function (fact) { apply(fact.event, fact.data); });
      }
      var queued = state.queue; state.queue = [];
      queued.forEach(function (item) { receive(item[0], item[1]); });
    }, function () { state.syncing = false; });
  }

  function apply(event, data) {
    if (data.seq <= state.seq) { return; }  // already seen (a fact can arrive twice around a resync)
    state.seq = data.seq;
    options.onFact(event, data);
  }

  function receive(event, data) {
    if (!state.joined || state.syncing) { state.queue.push([event, data]); return; }
    if (data.seq === state.seq + 1 || data.seq <= state.seq) { apply(event, data); return; }
    state.queue.push([event, data]);  // a gap: facts were missed, fetch them
    resync();
  }

  socket.on("connect", function () {
    state.joined = false;
    IdeaFactory.call(socket, "join", options.joinPayload()).then(function (ack) {
      if (!ack.ok) { status("error", IdeaFactory.errorText(ack.error)); return; }
      state.joined = true;
      options.onJoined && options.onJoined(ack);
      applySnapshot(ack.snapshot);
      var queued = state.queue; state.queue = [];
      queued.forEach(function (item) { receive(item[0], item[1]); });
      status("online");
    }, function () { socket.disconnect().connect(); });
  });
  var erased = false;
  socket.on("disconnect", function () { state.joined = false; if (!erased) { status("offline"); } });
  // The organiser erased the workshop: say so, and stop reconnecting to something that is gone.
  socket.on("workshop_deleted", function () {
    erased = true;
    socket.io.reconnection(false);
    socket.disconnect();
    status("error", IdeaFactory.t("workshop_deleted"));
    if (options.onDeleted) { options.onDeleted(); }
  });
  socket.io.on("reconnect_attempt", function () { status("offline"); });

  socket.on("participant_count", function (data) {
    if (options.onCount) { options.onCount(data.participant_count); }
  });
  socket.onAny(function (event, data) {
    if (data && typeof data.seq === "number") { receive(event, data); }
  });

  return {
    socket: socket,
    isJoined: function () { return state.joined; },
    call: function (event, payload) { return IdeaFactory.call(socket, event, payload); }
  };
};

// The page's language in the reader's own variant of it (en-GB reads 14:05, en-US 2:05 PM);
// English without a variant as in Britain, as the server writes it.
IdeaFactory.readingLocale = function () {
  var lang = document.documentElement.lang || "da";
  var own = (navigator.languages || [navigator.language]).filter(function (tag) {
    return tag && tag.split("-")[0] === lang && tag.indexOf("-") > 0;
  })[0];
  return own || (lang === "en" ? "en-GB" : lang);
};

// Format an ISO timestamp as local time of day.
IdeaFactory.time = function (iso) {
  return new Date(iso).toLocaleTimeString(IdeaFactory.readingLocale(), { hour: "2-digit", minute: "2-digit" });
};

// A list item for an idea, text set as text, never as HTML.
IdeaFactory.ideaElement = function (idea, tag) {
  var item = document.createElement(tag || "li");
  item.className = "idea";
  item.dataset.id = idea.id;
  var text = document.createElement("p");
  text.className = "idea-text";
  text.textContent = idea.text;
  item.appendChild(text);
  return item;
};
