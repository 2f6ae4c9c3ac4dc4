// The DOM helpers every screen shares. User text is only ever set as text (textContent), never HTML.


// The page's elements by id, under the names a screen's script uses: byIds({ list: "idea-list" }).list.
export function byIds(ids) {
  var found = {};
  Object.keys(ids).forEach(function (name) { found[name] = document.getElementById(ids[name]); });
  return found;
};

// An element with a class and its text.
export function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined) { node.textContent = text; }
  return node;
};

// A button (type="button") that calls onClick; `label`, when given, is its accessible name.
export function button(text, onClick, className, label) {
  var node = el("button", className || "small", text);
  node.type = "button";
  if (label) { node.setAttribute("aria-label", label); }
  node.addEventListener("click", onClick);
  return node;
};
