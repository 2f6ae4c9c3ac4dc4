// The connection every screen shares: join, follow facts in seq order, resync after a gap.
// Screens pass handlers; user text is only ever set with textContent.

// The page's translated texts, from its JSON data block (templates/_strings.html).
const strings = JSON.parse((document.getElementById("strings") || {}).textContent || "{}");

export function t(key, values) {
  if (values && values.n === 1 && strings[key + "_one"]) { key += "_one"; }  // Danish and English: 1 is singular
  var text = strings[key] || key;
  Object.keys(values || {}).forEach(function (name) {
    text = text.split("{" + name + "}").join(String(values[name]));
  });
  return text;
};

// The message to show for a refused command: the server's, from its error catalogue, already in
// the language of this connection (docs/protocol.md, "Errors").
export function errorText(error) {
  return error.message;
};

// Emit a command and resolve with its ack; a lost connection or a silent server rejects.
export function call(socket, event, payload, timeoutMs) {
  return new Promise(function (resolve, reject) {
    socket.timeout(timeoutMs || 8000).emit(event, payload, function (err, ack) {
      if (err) { reject(err); } else { resolve(ack); }
    });
  });
};

// options: code, joinPayload(): object, onJoined(ack), onSnapshot(snapshot, from), onFact(event, data),
// onStatus("online" | "offline" | "error", message)
export function connect(options) {
  var socket = io({ transports: ["websocket", "polling"], reconnectionDelayMax: 4000 });
  // Walls and consoles follow `seq`; a phone follows two streams of its own (docs/protocol.md, "What
  // phones receive"): `pseq` for what all phones get, `oseq` for what only it gets.
  var state = { seq: null, pseq: undefined, oseq: undefined, joined: false, syncing: false, queue: [] };

  function status(kind, message) { if (options.onStatus) { options.onStatus(kind, message); } }

  // `from`: "join", "sync" (after a gap: facts of the phone's own stream may be skipped) or "board".
  function applySnapshot(snapshot, oseq, from) {
    state.seq = snapshot.seq;
    state.pseq = snapshot.pseq;
    if (oseq !== undefined) { state.oseq = oseq; }
    options.onSnapshot(snapshot, from);
  }

  function resync() {
    if (state.syncing) { return; }
    state.syncing = true;
    var since = { since: state.seq, pseq: state.pseq, oseq: state.oseq };
    call(socket, "sync", since).then(function (ack) {
      state.syncing = false;
      if (!ack.ok) {
        status("error", ack.error.message);
        // Snapshots are rationed per address and phone: ask again in a few seconds, spread out.
        if (ack.error.code === "rate_limited") { setTimeout(resync, 2000 + Math.random() * 4000); }
        return;
      }
      if (ack.snapshot) {
        applySnapshot(ack.snapshot, ack.oseq, "sync");
      } else {
        ack.facts.forEach(function (fact) { apply(fact.event, fact.data); });
      }
      var queued = state.queue; state.queue = [];
      queued.forEach(function (item) { receive(item[0], item[1]); });
    }, function () { state.syncing = false; });
  }

  function stream(data) { return data.pseq !== undefined ? "pseq" : data.oseq !== undefined ? "oseq" : "seq"; }

  function apply(event, data) {
    var key = stream(data);
    if (data[key] <= state[key]) { return; }  // already seen (a fact can arrive twice around a resync)
    state[key] = data[key];
    if (data.seq > state.seq) { state.seq = data.seq; }
    options.onFact(event, data);
  }

  function receive(event, data) {
    if (!state.joined || state.syncing) { state.queue.push([event, data]); return; }
    if (event === "ideas_posted") {  // no number: each idea is applied as it now stands
      data.ideas.forEach(function (idea) { options.onFact("idea_posted", { idea: idea }); });
      return;
    }
    if (event === "phone_board") {  // phones now show every idea: the board, right after the fact
      if (data.snapshot.pseq >= state.pseq) { applySnapshot(data.snapshot, undefined, "board"); }
      return;
    }
    var key = stream(data);
    if (data[key] === state[key] + 1 || data[key] <= state[key]) { apply(event, data); return; }
    // Participants' own facts take numbers a wall or console never receives: `prev_seq` names the
    // fact before this one that it did, so their numbers are no gap (docs/protocol.md, `sync`).
    if (key === "seq" && data.prev_seq !== undefined && data.prev_seq <= state.seq) { apply(event, data); return; }
    state.queue.push([event, data]);  // a gap: facts were missed, fetch them
    resync();
  }

  socket.on("connect", function () {
    state.joined = false;
    call(socket, "join", options.joinPayload()).then(function (ack) {
      if (!ack.ok) {
        status("error", errorText(ack.error));
        // A crowd joining at once: try again in a few seconds, spread out.
        if (ack.error.code === "rate_limited") {
          setTimeout(function () { socket.disconnect().connect(); }, 2000 + Math.random() * 4000);
        }
        return;
      }
      state.joined = true;
      options.onJoined && options.onJoined(ack);
      applySnapshot(ack.snapshot, ack.oseq, "join");
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
    status("error", t("workshop_deleted"));
    if (options.onDeleted) { options.onDeleted(); }
  });
  socket.io.on("reconnect_attempt", function () { status("offline"); });

  // Others' ideas, batched once a second (phones_see_ideas): no seq, each applied as it stands.
  socket.on("ideas_posted", function (data) { receive("ideas_posted", data); });
  socket.on("phone_board", function (data) { receive("phone_board", data); });
  socket.on("participant_count", function (data) {
    if (options.onCount) { options.onCount(data.participant_count, data); }
  });
  socket.onAny(function (event, data) {
    if (data && typeof data.seq === "number") { receive(event, data); }
  });

  return {
    socket: socket,
    isJoined: function () { return state.joined; },
    call: function (event, payload, timeoutMs) { return call(socket, event, payload, timeoutMs); }
  };
};

// The page's language in the reader's own variant of it (en-GB reads 14:05, en-US 2:05 PM);
// English without a variant as in Britain, as the server writes it.
function readingLocale() {
  var lang = document.documentElement.lang || "da";
  var own = (navigator.languages || [navigator.language]).filter(function (tag) {
    return tag && tag.split("-")[0] === lang && tag.indexOf("-") > 0;
  })[0];
  return own || (lang === "en" ? "en-GB" : lang);
};

// Format an ISO timestamp as local time of day.
export function time(iso) {
  return new Date(iso).toLocaleTimeString(readingLocale(), { hour: "2-digit", minute: "2-digit" });
};

// A list item for an idea, text set as text, never as HTML.
export function ideaElement(idea, tag) {
  var item = document.createElement(tag || "li");
  item.className = "idea";
  item.dataset.id = idea.id;
  var text = document.createElement("p");
  text.className = "idea-text";
  text.textContent = idea.text;
  item.appendChild(text);
  return item;
};
