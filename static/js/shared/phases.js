// The evening's phases in their order, as the server's facilitation/flow.py names them (a unit test
// holds the two lists together).
export const PHASES = ["collect", "cluster", "vote", "results", "closed"];
