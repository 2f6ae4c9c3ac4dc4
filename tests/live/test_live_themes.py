"""Live: a facilitator sorts ideas into themes while phones post; every screen converges."""

from __future__ import annotations

import threading
from typing import Any

import requests


class View:
    """A screen's copy of a workshop, kept by applying facts in seq order as the browser does."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.seq = snapshot["seq"]
        self.clusters = {c["id"]: c["label"] for c in snapshot["clusters"]}
        self.order = [c["id"] for c in snapshot["clusters"]]
        self.ideas = {i["id"]: i["cluster_id"] for i in snapshot["ideas"]}

    def apply(self, event: str, data: dict[str, Any]) -> None:
        if "seq" not in data or data["seq"] <= self.seq:
            return  # not a change (a count), or sent before the snapshot was taken
        assert data["seq"] == self.seq + 1, (event, data, self.seq)
        self.seq = data["seq"]
        if event == "idea_posted":
            self.ideas[data["idea"]["id"]] = data["idea"]["cluster_id"]
        elif event == "cluster_created":
            self.clusters[data["cluster"]["id"]] = data["cluster"]["label"]
            self.order.append(data["cluster"]["id"])
        elif event == "clusters_created":
            for cluster in data["clusters"]:
                self.clusters[cluster["id"]] = cluster["label"]
                self.order.append(cluster["id"])
                for idea_id in cluster["idea_ids"]:
                    self.ideas[idea_id] = cluster["id"]
        elif event == "cluster_renamed":
            self.clusters[data["cluster_id"]] = data["label"]
        elif event == "idea_moved":
            for idea_id in data["idea_ids"]:
                self.ideas[idea_id] = data["cluster_id"]
        elif event == "clusters_merged":
            for idea_id in data["idea_ids"]:
                self.ideas[idea_id] = data["target_id"]
            del self.clusters[data["source_id"]]
            self.order.remove(data["source_id"])
        elif event == "cluster_deleted":
            for idea_id in data["idea_ids"]:
                self.ideas[idea_id] = None
            del self.clusters[data["cluster_id"]]
            self.order.remove(data["cluster_id"])
        elif event == "clusters_reordered":
            self.order = data["cluster_ids"]

    def state(self) -> tuple[Any, ...]:
        return self.seq, [(c, self.clusters[c]) for c in self.order], sorted(self.ideas.items())


def test_second_screen_converges_while_facilitator_sorts(live_server: Any, peers: Any) -> None:
    created = live_server.create_workshop()
    code, token = created["code"], created["facilitator_token"]
    facilitator = peers(live_server.url)
    assert facilitator.call("join", {"code": code, "facilitator_token": token})["ok"]
    phones = [peers(live_server.url) for _ in range(3)]
    for phone in phones:
        assert phone.call("join", {"code": code})["ok"]
    watcher = peers(live_server.url)
    view = View(watcher.call("join", {"code": code, "viewer": True})["snapshot"])

    def post(phone: Any, n: int) -> None:
        for k in range(8):
            phone.call("post_idea", {"text": f"Cykelstier idé {n}-{k}", "client_id": f"{n}-{k}"})

    posters = [threading.Thread(target=post, args=(phone, n)) for n, phone in enumerate(phones)]
    for thread in posters:
        thread.start()
    themes = [facilitator.call("create_cluster", {"label": label})["cluster"]["id"]
              for label in ("Trafik", "Grønt", "Kultur")]
    for thread in posters:
        thread.join(20)
    ideas = requests.get(f"{live_server.url}/api/workshops/{code}", timeout=5).json()["ideas"]
    assert len(ideas) == 24
    for n, idea in enumerate(ideas[:9]):
        assert facilitator.call("move_idea", {"idea_id": idea["id"], "cluster_id": themes[n % 3]})["ok"]
    moved = facilitator.call("move_ideas", {"idea_ids": [i["id"] for i in ideas[9:12]], "cluster_id": themes[1]})
    assert moved["ok"] and moved["idea_ids"] == [i["id"] for i in ideas[9:12]]
    assert facilitator.call("rename_cluster", {"cluster_id": themes[0], "label": "Cykler"})["ok"]
    assert facilitator.call("merge_clusters", {"source_id": themes[1], "target_id": themes[0]})["ok"]
    assert facilitator.call("delete_cluster", {"cluster_id": themes[2]})["ok"]
    suggested = facilitator.call("suggest_clusters", {})
    assert suggested["ok"] and isinstance(suggested["suggestions"], list)
    applied = facilitator.call("apply_suggestions", {"suggestions": suggested["suggestions"]})
    assert applied["ok"]
    order = [themes[0]] + [c["id"] for c in applied["clusters"]]
    assert facilitator.call("reorder_clusters", {"cluster_ids": order[::-1]})["ok"]

    final = requests.get(f"{live_server.url}/api/workshops/{code}", timeout=5,
                         headers={"Authorization": f"Bearer {token}"}).json()
    while view.seq < final["seq"]:
        event, data = watcher.events.get(timeout=5)
        view.apply(event, data)
    assert view.state() == View(final).state()
    assert View(final).clusters[themes[0]] == "Cykler"


def test_a_merge_telling_hundreds_of_phones_tells_them_after_its_ack(live_server: Any, peers: Any) -> None:
    """The real server in each async mode: a merge of a theme with 251 participants' dots (more than
    dispatch.OWN_BATCH) answers the console, then its task tells each phone: a connected voter
    hears where its dot went, next on its own stream (`oseq`), and so does the undo's; a wall
    hears none of it. The other voters are written by a store of this test's own on the server's."""
    from facilitation import commands
    from facilitation.dispatch import OWN_BATCH
    from facilitation.store import Store, connect

    created = live_server.create_workshop()
    code, token = created["code"], created["facilitator_token"]
    console = peers(live_server.url)
    assert console.call("join", {"code": code, "facilitator_token": token})["ok"]
    source, target = (console.call("create_cluster", {"label": label})["cluster"]["id"] for label in ("A", "B"))
    assert console.call("set_voting", {"dots": 2, "max_per_item": 1})["ok"]
    assert console.call("set_phase", {"phase": "vote"})["ok"]
    phone = peers(live_server.url)
    oseq = phone.call("join", {"code": code})["oseq"]
    assert phone.call("cast_vote", {"cluster_id": source})["ok"]
    options = live_server.store_options
    store = Store(connect(options[1] if options else str(live_server.data_dir / "facilitation.db")))
    try:
        for _ in range(OWN_BATCH + 50):
            voter, _ = commands.join(store, {"code": code})
            commands.cast_vote(store, voter, {"cluster_id": source})
    finally:
        store.close()
    wall = peers(live_server.url)
    assert wall.call("join", {"code": code, "viewer": True})["ok"]
    merged = console.call("merge_clusters", {"source_id": source, "target_id": target}, timeout=30)
    assert merged["ok"], merged
    told = phone.wait_for("my_votes_changed", lambda d: d["seq"] > merged["merge_seq"], timeout=30)
    assert (told["votes"]["clusters"], told["oseq"]) == ({str(target): 1}, oseq + 2)  # its dot's, then this
    again = console.call("create_cluster", {"label": "A"})["cluster"]["id"]
    assert console.call("return_merged_dots", {"merge_seq": merged["merge_seq"], "cluster_id": again},
                        timeout=30)["ok"]
    back = phone.wait_for("my_votes_changed", lambda d: d["oseq"] == oseq + 3, timeout=30)
    assert back["votes"]["clusters"] == {str(again): 1}
    wall.wait_for("cluster_created", lambda d: d["cluster"]["id"] == again, timeout=10)
    assert not [event for event, _ in wall.seen if event == "my_votes_changed"]
    assert wall.events.empty() or all(wall.events.get_nowait()[0] != "my_votes_changed"
                                      for _ in range(wall.events.qsize()))
