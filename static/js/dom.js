// The DOM helpers every screen shares. User text is only ever set as text (textContent), never HTML.
"use strict";

window.IdeaFactory = window.IdeaFactory || {};

// An element with a class and its text.
IdeaFactory.el = function (tag, className, text) {
  var node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined) { node.textContent = text; }
  return node;
};

// A button (type="button") that calls onClick; `label`, when given, is its accessible name.
IdeaFactory.button = function (text, onClick, className, label) {
  var node = IdeaFactory.el("button", className || "small", text);
  node.type = "button";
  if (label) { node.setAttribute("aria-label", label); }
  node.addEventListener("click", onClick);
  return node;
};
