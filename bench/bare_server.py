"""The floor for bench/hall.py: a bare Flask-SocketIO server with the same events and audiences.

    python bench/bare_server.py --port P --async-mode gevent [--naive]

No database, no validation, no rate limits: `join` puts a wall in the walls room and a phone in the
phones room and acks; `post_idea` relays the idea to the walls (with `--naive`, to everyone, as a
server without audiences would) and acks; `set_phase` and `set_rules` relay to everyone;
`cast_vote` counts dots in memory and acks; `vote_totals` go to the walls once a second. Whatever
our server spends beyond this is the cost of storing, checking and logging.
"""

from __future__ import annotations

import argparse
import itertools
import sys


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", default="gevent")
    parser.add_argument("--naive", action="store_true", help="every idea to every client")
    args = parser.parse_args(argv)
    if args.async_mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    else:
        from gevent import monkey

        monkey.patch_all()
    from flask import Flask, request
    from flask_socketio import SocketIO, emit, join_room

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode=args.async_mode)
    seq = itertools.count(1)
    ideas = itertools.count(1)
    dots: dict[str, int] = {}
    totals = {"changed": False, "ideas": {}}
    rules = {"phones_see_ideas": False}

    @app.get("/")
    def home() -> str:
        return "bare"

    @socketio.on("join")
    def join(payload: dict) -> dict:
        join_room("all")
        join_room("walls" if payload.get("viewer") or payload.get("facilitator_token") else "phones")
        return {"ok": True, "role": "viewer" if payload.get("viewer") else "participant",
                "participant_token": payload.get("participant_token") or request.sid,
                "snapshot": {"seq": 0, "ideas": []}}

    @socketio.on("post_idea")
    def post_idea(payload: dict) -> dict:
        idea = {"id": next(ideas), "text": payload["text"], "hidden": False}
        room = "all" if args.naive or rules["phones_see_ideas"] else "walls"
        emit("idea_posted", {"idea": idea, "seq": next(seq)}, to=room)
        return {"ok": True, "idea": idea}

    @socketio.on("set_phase")
    def set_phase(payload: dict) -> dict:
        emit("phase_changed", {"phase": payload["phase"], "seq": next(seq)}, to="all")
        return {"ok": True, "phase": payload["phase"]}

    @socketio.on("set_rules")
    def set_rules(payload: dict) -> dict:
        rules.update(payload)
        emit("rules_changed", {"rules": rules, "seq": next(seq)}, to="all")
        return {"ok": True, "rules": rules}

    @socketio.on("set_voting")
    def set_voting(payload: dict) -> dict:
        return {"ok": True, **payload}

    @socketio.on("cast_vote")
    def cast_vote(payload: dict) -> dict:
        left = dots.get(request.sid, 3)
        if left <= 0:
            return {"ok": False, "error": {"code": "no_dots_left", "message": "No dots left."}}
        dots[request.sid] = left - 1
        key = str(payload.get("idea_id"))
        totals["ideas"][key] = totals["ideas"].get(key, 0) + 1
        totals["changed"] = True
        return {"ok": True, "dots_left": left - 1}

    def send_totals() -> None:
        while True:
            socketio.sleep(1.0)
            if totals["changed"]:
                totals["changed"] = False
                socketio.emit("vote_totals", {"ideas": totals["ideas"], "clusters": {}}, to="walls")

    socketio.start_background_task(send_totals)
    socketio.run(app, host="127.0.0.1", port=args.port, log_output=False,
                 **({"allow_unsafe_werkzeug": True} if args.async_mode == "threading" else {}))


if __name__ == "__main__":
    main(sys.argv[1:])
