// The facilitator's undo: each of their own changes pushes the commands that take it back.

export function Undo(live, board, onChange) {
  this.live = live;
  this.board = board;
  this.steps = [];
  this.onChange = onChange;
};

Undo.LIMIT = 30;

// waiting (optional): what keeps the step from running now, as a message (else null); the step then
// stays on top and the console shows the message (e.g. a theme of a question no longer active).
Undo.prototype.push = function (label, undo, waiting) {
  this.steps.push({ label: label, undo: undo, waiting: waiting || function () { return null; } });
  if (this.steps.length > Undo.LIMIT) { this.steps.shift(); }
  this.onChange();
};

Undo.prototype.last = function () {
  return this.steps.length ? this.steps[this.steps.length - 1] : null;
};

// Resolves with a note for the console to show, if any.
Undo.prototype.run = function () {
  var last = this.last(), waiting = last && last.waiting();
  if (waiting) { return Promise.resolve(waiting); }
  var step = this.steps.pop();
  this.onChange();
  return step ? step.undo() : Promise.resolve();
};

// Commands in order, each after the previous one's ack; stops at the first refusal.
Undo.prototype.sequence = function (calls) {
  var live = this.live;
  return calls.reduce(function (done, call) {
    return done.then(function (results) {
      return live.call(call[0], typeof call[1] === "function" ? call[1](results) : call[1]).then(function (ack) {
        if (!ack.ok) { throw ack; }
        return results.concat([ack]);
      });
    });
  }, Promise.resolve([]));
};

// Recreate a removed theme with its label, ideas and place in the order, in question promptId.
// Another question made active on the way (another console), the theme is made there: it is
// removed again, and the promise rejects with {elsewhere: true} (the step waits for its question).
Undo.prototype.recreate = function (label, ideaIds, position, promptId) {
  var undo = this, board = this.board;
  return this.sequence([["create_cluster", { label: label }]]).then(function (results) {
    var id = results[0].cluster.id;
    if (promptId && results[0].cluster.prompt_id !== promptId) {
      return undo.sequence([["delete_cluster", { cluster_id: id }]]).then(function () { throw { elsewhere: true }; });
    }
    var ids = ideaIds.filter(function (ideaId) { return board.ideas[ideaId]; });
    var moves = ids.length ? [["move_ideas", { idea_ids: ids, cluster_id: id }]] : [];
    var order = board.themeIds().filter(function (x) { return x !== id; });
    order.splice(Math.min(position, order.length), 0, id);
    moves.push(["reorder_clusters", function () {
      return { cluster_ids: order.filter(function (x) { return board.clusters[x]; }) };
    }]);
    return undo.sequence(moves).then(function () { return id; });
  });
};
