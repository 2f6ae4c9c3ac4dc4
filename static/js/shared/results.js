// The ranked result as every screen lists it: themes first, then the best-voted ideas, ties marked.
import { t } from "./live.js";

// A rank's place with its tie mark, as an element: "2." and, shared, a small "(delt)" after it.
export function placeElement(row, className) {
  var rank = document.createElement("span");
  rank.className = className;
  rank.textContent = row.place;
  if (row.tied) {
    var tie = document.createElement("small");
    tie.className = "tie";
    tie.textContent = " " + t("tie");
    rank.appendChild(tie);
  }
  return rank;
}


// How many ideas each screen lists under the themes (the wall lists more when there are no themes).
export const RESULT_IDEAS = { wall: 6, wallWithoutThemes: 12, phone: 10 };

// The rows of /api/workshops/<code>/results for a screen: {rank, text, votes, theme, tied}, the
// rank written as the report writes it ("1." and, when shared with another row of the same kind,
// "(tie)": "1. (delt)").
export function resultRows(results, ideaLimit) {
  var rows = results.themes.map(function (x) { return { rank: x.rank, text: x.label, votes: x.votes, theme: true }; })
    .concat(results.ideas.slice(0, ideaLimit).map(function (x) { return { rank: x.rank, text: x.text, votes: x.votes, theme: false }; }));
  rows.forEach(function (row, index) {
    row.tied = rows.some(function (other, j) { return j !== index && other.theme === row.theme && other.rank === row.rank; });
    row.place = row.rank + ".";
  });
  return rows;
};
