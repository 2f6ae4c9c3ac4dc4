// The phone's "about you": an optional (or required) display name and the table one sits at; the
// background questions in it are after.js's.
import { errorText, t } from "../shared/live.js";

export function phoneProfile(live) {
  var section = document.getElementById("profile-section");
  var nameField = document.getElementById("profile-name-field");
  var nameInput = document.getElementById("profile-name");
  var tableField = document.getElementById("profile-table-field");
  var tableSelect = document.getElementById("profile-table");
  var status = document.getElementById("profile-status");
  var mine = { name: null, table_id: null };
  var shown = null;  // the board last rendered, to render again after a table is chosen for us

  function report(ack) {
    status.textContent = ack.ok ? t("saved") : errorText(ack.error);
  }

  nameInput.addEventListener("change", function () {
    live.call("set_name", { name: nameInput.value.trim() || null }).then(function (ack) {
      if (ack.ok) { mine.name = ack.name; }
      report(ack);
    });
  });
  tableSelect.addEventListener("change", function () {
    live.call("set_table", { table_id: tableSelect.value ? Number(tableSelect.value) : null }).then(function (ack) {
      if (ack.ok) { mine.table_id = ack.table_id; }
      report(ack);
    });
  });

  function render(board) {
    var rules = board.workshop;
    var collecting = rules.phase === "collect";  // a name or a table changes nothing after that
    nameField.hidden = rules.names === "forbidden" || !collecting;
    nameInput.required = rules.names === "required";
    if (document.activeElement !== nameInput) { nameInput.value = mine.name || ""; }
    tableField.hidden = !board.tables.length || !collecting;
    tableSelect.textContent = "";
    [{ id: "", name: t("no_table") }].concat(board.tables).forEach(function (table) {
      var option = document.createElement("option");
      option.value = String(table.id);
      option.textContent = table.name;
      tableSelect.appendChild(option);
    });
    tableSelect.value = mine.table_id ? String(mine.table_id) : "";
    // The background questions (after.js) can be answered at any time, even after the evening.
    section.hidden = nameField.hidden && tableField.hidden && !(board.background || []).length;
    section.open = rules.names === "required" || (rules.table_mode && !mine.table_id) || section.open;
    shown = board;
  }

  return {
    load: function (profile) { mine = { name: profile.name || null, table_id: profile.table_id || null }; },
    render: render,
    tableId: function () { return mine.table_id; },
    // Sit at the table a table's QR code named; resolves with the ack.
    choose: function (tableId) {
      return live.call("set_table", { table_id: tableId }).then(function (ack) {
        if (ack.ok) { mine.table_id = ack.table_id; if (shown) { render(shown); } } else { report(ack); }
        return ack;
      });
    }
  };
};
