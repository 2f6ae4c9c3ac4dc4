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
