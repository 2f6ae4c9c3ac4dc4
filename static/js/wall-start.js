// Starts the projector screen (a file of its own: the CSP allows no inline script).
"use strict";
IdeaFactory.wall();
