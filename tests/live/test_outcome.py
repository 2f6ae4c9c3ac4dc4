"""After the evening over the real server and Socket.IO: an answer reaches a closed phone at once and
after a reconnect, background answers stay the phone's own, and the outcome page is published."""

from __future__ import annotations

from typing import Any

import requests


def joined(peers: Any, url: str, payload: dict[str, Any], **options: Any) -> tuple[Any, dict[str, Any]]:
    peer = peers(url, **options)
    ack = peer.call("join", payload)
    assert ack["ok"], ack
    return peer, ack


def test_an_answer_reaches_a_closed_phone_live_and_after_it_comes_back(live_server: Any, peers: Any) -> None:
    workshop = live_server.create_workshop()
    code, token = workshop["code"], workshop["facilitator_token"]
    console, _ = joined(peers, live_server.url, {"code": code, "facilitator_token": token})
    phone, joined_ack = joined(peers, live_server.url, {"code": code}, transports=["polling"])
    idea = phone.call("post_idea", {"text": "Flere træer i gården", "client_id": "a"})["idea"]
    assert console.call("set_frame", {"text": "Udvalget beslutter i maj."})["ok"]
    frame = phone.wait_for("frame_set")
    assert frame["frame"] == "Udvalget beslutter i maj." and "pseq" in frame
    theme = console.call("create_cluster", {"label": "Grønt"})["cluster"]
    console.call("move_idea", {"idea_id": idea["id"], "cluster_id": theme["id"]})
    assert console.call("set_phase", {"phase": "closed"})["ok"]
    phone.wait_for("phase_changed", lambda d: d["phase"] == "closed")
    ack = console.call("set_answer", {"cluster_id": theme["id"], "status": "adopted", "text": "Vi planter 40 træer."})
    assert ack["ok"], ack
    answer = phone.wait_for("answer_set")["answer"]
    assert (answer["cluster_id"], answer["status"], answer["text"]) == (theme["id"], "adopted", "Vi planter 40 træer.")
    phone.close()
    # Later, the same phone (its token kept) opens its page again: the answer is in its snapshot.
    again, ack = joined(peers, live_server.url, {"code": code, "participant_token": joined_ack["participant_token"]})
    assert ack["own_idea_ids"] == [idea["id"]]
    assert [a["text"] for a in ack["snapshot"]["answers"]] == ["Vi planter 40 træer."]
    assert ack["snapshot"]["workshop"]["frame"] == "Udvalget beslutter i maj."


def test_background_answers_and_the_outcome_page(live_server: Any, peers: Any) -> None:
    workshop = live_server.create_workshop()
    code, token = workshop["code"], workshop["facilitator_token"]
    console, _ = joined(peers, live_server.url, {"code": code, "facilitator_token": token})
    wall, _ = joined(peers, live_server.url, {"code": code, "viewer": True})
    phone, _ = joined(peers, live_server.url, {"code": code})
    ack = console.call("set_background", {"questions": [{"label": "Bydel", "options": ["Valby", "Amager"]}]})
    assert ack["ok"] and [o["label"] for o in ack["questions"][0]["options"]] == ["Valby", "Amager"]
    question = phone.wait_for("background_set")["questions"][0]
    answers = {str(question["id"]): question["options"][1]["id"]}
    assert phone.call("set_background_answers", {"answers": answers}) == {"ok": True, "answers": answers}
    refused = console.call("set_background_answers", {"answers": answers})
    assert refused["error"]["code"] == "participants_only"
    assert requests.get(f"{live_server.url}/w/{code}/outcome", timeout=5).status_code == 404
    assert console.call("set_rules", {"outcome_public": True})["ok"]
    assert wall.wait_for("rules_changed")["rules"]["outcome_public"] is True
    page = requests.get(f"{live_server.url}/w/{code}/outcome", timeout=5)
    assert page.status_code == 200 and "Borgermøde" in page.text
    counts = requests.get(f"{live_server.url}/w/{code}/background", timeout=5,
                          headers={"Authorization": f"Bearer {token}"}).json()
    assert [c["count"] for c in counts["questions"][0]["counts"]] == [None, None, None]  # 1 is under 5
