// The phone's "about you": an optional (or required) display name and the table one sits at; the
// background questions in it are after.js's.
import { byIds } from "../shared/dom.js";
import { errorText, t } from "../shared/live.js";

export function phoneProfile(live) {
  var ui = byIds({
    section: "profile-section", nameField: "profile-name-field", nameInput: "profile-name",
    tableField: "profile-table-field", tableSelect: "profile-table", status: "profile-status"
  });
  var mine = { name: null, table_id: null };
  var shown = null;  // the board last rendered, to render again after a table is chosen for us

  function report(ack) {
    ui.status.textContent = ack.ok ? t("saved") : errorText(ack.error);
  }

  ui.nameInput.addEventListener("change", function () {
    live.call("set_name", { name: ui.nameInput.value.trim() || null }).then(function (ack) {
      if (ack.ok) { mine.name = ack.name; }
      report(ack);
    });
  });
  ui.tableSelect.addEventListener("change", function () {
    live.call("set_table", { table_id: ui.tableSelect.value ? Number(ui.tableSelect.value) : null }).then(function (ack) {
      if (ack.ok) { mine.table_id = ack.table_id; }
      report(ack);
    });
  });

  function render(board) {
    var rules = board.workshop;
    var collecting = rules.phase === "collect";  // a name or a table changes nothing after that
    ui.nameField.hidden = rules.names === "forbidden" || !collecting;
    ui.nameInput.required = rules.names === "required";
    if (document.activeElement !== ui.nameInput) { ui.nameInput.value = mine.name || ""; }
    ui.tableField.hidden = !board.tables.length || !collecting;
    ui.tableSelect.textContent = "";
    [{ id: "", name: t("no_table") }].concat(board.tables).forEach(function (table) {
      var option = document.createElement("option");
      option.value = String(table.id);
      option.textContent = table.name;
      ui.tableSelect.appendChild(option);
    });
    ui.tableSelect.value = mine.table_id ? String(mine.table_id) : "";
    // The background questions (after.js) can be answered at any time, even after the evening.
    ui.section.hidden = ui.nameField.hidden && ui.tableField.hidden && !(board.background || []).length;
    ui.section.open = rules.names === "required" || (rules.table_mode && !mine.table_id) || ui.section.open;
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
