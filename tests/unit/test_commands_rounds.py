"""Rounds, tables, names, moderation rules and own edits, over an in-memory store."""

from __future__ import annotations

from typing import Any

import pytest
from sqlite_utils import Database

from facilitation import commands
from tests.unit.commanding import do, refused, world


@pytest.fixture
def w(new_store: Any) -> dict[str, Any]:
    return world(new_store(), "Første spørgsmål?")


def post(w: dict[str, Any], who: str, text: str) -> dict[str, Any]:
    return do(w, "post_idea", {"text": text, "client_id": text}, who)["idea"]  # type: ignore[no-any-return]


def snapshot(w: dict[str, Any], facilitator: bool = False) -> dict[str, Any]:
    return w["store"].snapshot(w["id"], include_hidden=facilitator)  # type: ignore[no-any-return]


def test_facilitator_only(w: dict[str, Any]) -> None:
    for name, payload in [("add_prompt", {"text": "?"}), ("set_active_prompt", {"prompt_id": 1}),
                          ("set_tables", {"tables": ["1"]}), ("set_rules", {"names": "required"}),
                          ("approve_idea", {"idea_id": 1})]:
        assert refused(w, name, payload, who="a") == "forbidden", name


def test_ideas_belong_to_the_active_question(w: dict[str, Any]) -> None:
    first = post(w, "a", "Svar på et")
    second_prompt = do(w, "add_prompt", {"text": "Andet spørgsmål?"})["prompt"]
    assert post(w, "a", "Stadig et")["prompt_id"] == first["prompt_id"]
    do(w, "set_active_prompt", {"prompt_id": second_prompt["id"]})
    assert post(w, "a", "Svar på to")["prompt_id"] == second_prompt["id"]
    state = snapshot(w)
    assert [p["text"] for p in state["prompts"]] == ["Første spørgsmål?", "Andet spørgsmål?"]
    assert state["workshop"]["prompt"] == "Andet spørgsmål?"
    assert state["workshop"]["active_prompt_id"] == second_prompt["id"]
    assert refused(w, "set_active_prompt", {"prompt_id": 999}) == "question_not_found"


def test_tables_are_picked_and_carried_by_ideas(w: dict[str, Any]) -> None:
    tables = do(w, "set_tables", {"tables": ["Bord 1", "Bord 2", "Bord 1"]})["tables"]
    assert [t["name"] for t in tables] == ["Bord 1", "Bord 2"]
    do(w, "set_table", {"table_id": tables[1]["id"]}, who="a")
    assert post(w, "a", "Fra bord 2")["table_id"] == tables[1]["id"]
    kept = do(w, "set_tables", {"tables": ["Bord 2", "Bord 3"]})["tables"]
    assert kept[0]["id"] == tables[1]["id"]  # a table that stays keeps its ideas
    assert refused(w, "set_table", {"table_id": tables[0]["id"]}, who="a") == "table_not_found"
    assert refused(w, "set_tables", {"tables": "Bord"}) == "invalid"


def test_table_mode_and_idea_cap(w: dict[str, Any]) -> None:
    table = do(w, "set_tables", {"tables": ["Bord 7"]})["tables"][0]["id"]
    do(w, "set_rules", {"table_mode": True, "idea_cap": 2})
    assert refused(w, "post_idea", {"text": "x", "client_id": "x"}, who="a") == "table_required"
    do(w, "set_table", {"table_id": table}, who="a")
    do(w, "set_table", {"table_id": table}, who="b")
    post(w, "a", "En")
    post(w, "b", "To")  # the cap counts the table's ideas, whichever phone sends them
    assert refused(w, "post_idea", {"text": "Tre", "client_id": "3"}, who="a") == "idea_cap"
    assert post(w, "a", "En")["text"] == "En"  # an outbox resend is not a new idea
    assert refused(w, "set_rules", {"idea_cap": 0}) == "invalid"


def test_names_optional_required_forbidden(w: dict[str, Any]) -> None:
    assert post(w, "a", "Anonym")["author"] is None
    do(w, "set_name", {"name": "Mette"}, who="a")
    assert post(w, "a", "Med navn")["author"] == "Mette"
    do(w, "set_rules", {"names": "required"})
    assert refused(w, "post_idea", {"text": "x", "client_id": "x"}, who="b") == "name_required"
    do(w, "set_rules", {"names": "forbidden"})
    assert post(w, "a", "Nu anonym")["author"] is None
    assert refused(w, "set_name", {"name": "Ole"}, who="b") == "names_forbidden"
    assert refused(w, "set_rules", {"names": "sometimes"}) == "invalid"


def test_pre_moderation_queues_ideas_until_approved(w: dict[str, Any]) -> None:
    do(w, "set_rules", {"pre_moderation": True})
    ack, facts = commands.post_idea(w["store"], w["a"], {"text": "Venter", "client_id": "1"})
    assert ack["idea"]["pending"] and facts[0].type == "idea_queued" and facts[0].private
    assert facts[0].public_dict() == {"idea_id": ack["idea"]["id"], "seq": facts[0].seq}
    assert snapshot(w)["ideas"] == [] and snapshot(w)["workshop"]["idea_count"] == 0
    assert [i["text"] for i in snapshot(w, facilitator=True)["ideas"]] == ["Venter"]
    _, facts = commands.approve_idea(w["store"], w["fac"], {"idea_id": ack["idea"]["id"]})
    assert facts[0].type == "idea_approved" and not facts[0].private
    assert [i["text"] for i in snapshot(w)["ideas"]] == ["Venter"]
    events = [e["type"] for e in w["store"].db["events"].rows]
    assert events[-3:] == ["rules_changed", "idea_queued", "idea_approved"]  # the moderation log


def test_own_ideas_can_be_edited_and_deleted_while_posting_is_open(w: dict[str, Any]) -> None:
    idea = post(w, "a", "Førsteudkast")
    assert refused(w, "edit_idea", {"idea_id": idea["id"], "text": "Stjålet"}, who="b") == "not_your_idea"
    assert refused(w, "delete_idea", {"idea_id": idea["id"]}, who="b") == "not_your_idea"
    assert do(w, "edit_idea", {"idea_id": idea["id"], "text": "Endelig"}, who="a")["idea"]["text"] == "Endelig"
    do(w, "set_phase", {"phase": "cluster"})
    assert refused(w, "edit_idea", {"idea_id": idea["id"], "text": "Sent"}, who="a") == "posting_closed"
    do(w, "set_phase", {"phase": "collect"})
    do(w, "delete_idea", {"idea_id": idea["id"]}, who="a")
    assert snapshot(w, facilitator=True)["ideas"] == []
    logged = " ".join(e["payload"] for e in w["store"].db["events"].rows)
    assert "Førsteudkast" not in logged and "Endelig" not in logged  # the text is gone everywhere


def test_an_author_deleting_its_idea_is_logged_as_the_author_for_the_dots_it_gives_back(w: dict[str, Any]) -> None:
    """The idea's `idea_deleted` and the `my_votes_changed` of the phones whose dots were on it
    carry the author as actor (the export's events.actor), not the facilitator."""
    idea = post(w, "a", "Flere bænke")
    do(w, "set_voting", {"dots": 2, "max_per_item": 1})
    do(w, "set_phase", {"phase": "vote"})
    do(w, "cast_vote", {"idea_id": idea["id"]}, who="b")
    do(w, "set_phase", {"phase": "collect"})
    since = max(e["seq"] for e in w["store"].db["events"].rows)
    do(w, "delete_idea", {"idea_id": idea["id"]}, who="a")
    logged = [tuple(row) for row in w["store"].db.execute(
        "SELECT type, actor FROM events WHERE seq > ? ORDER BY seq", [since]).fetchall()]
    author = w["a"].label
    assert logged == [("idea_deleted", author), ("my_votes_changed", author)] and author != "facilitator"


def test_in_table_mode_a_table_shares_one_dot_budget(w: dict[str, Any]) -> None:
    table = do(w, "set_tables", {"tables": ["Bord 7"]})["tables"][0]["id"]
    do(w, "set_table", {"table_id": table}, who="a")
    do(w, "set_table", {"table_id": table}, who="b")
    idea = post(w, "a", "Fælles idé")
    do(w, "set_rules", {"table_mode": True})
    do(w, "set_voting", {"dots": 2, "max_per_item": 2})
    do(w, "set_phase", {"phase": "vote"})
    assert do(w, "cast_vote", {"idea_id": idea["id"]}, who="a")["dots_left"] == 1
    assert do(w, "cast_vote", {"idea_id": idea["id"]}, who="b")["dots_left"] == 0
    assert refused(w, "cast_vote", {"idea_id": idea["id"]}, who="a") == "no_dots_left"
    assert do(w, "retract_vote", {"idea_id": idea["id"]}, who="b")["dots_left"] == 1
    assert w["store"].my_votes(w["id"], w["a"].participant_id)["dots_left"] == 1


def test_edits_under_pre_moderation_wait_again_and_hidden_text_stays_private(w: dict[str, Any]) -> None:
    idea = post(w, "a", "Godkendt tekst")
    do(w, "set_rules", {"pre_moderation": True})
    _, facts = commands.edit_idea(w["store"], w["a"], {"idea_id": idea["id"], "text": "Ny tekst"})
    assert facts[0].payload["idea"]["pending"] and facts[0].public_dict() == {
        "idea_id": idea["id"], "seq": facts[0].seq}
    assert snapshot(w)["ideas"] == []  # off the wall until approved again
    do(w, "approve_idea", {"idea_id": idea["id"]})
    do(w, "set_rules", {"pre_moderation": False})
    commands.hide_idea(w["store"], w["fac"], {"idea_id": idea["id"]})
    _, facts = commands.edit_idea(w["store"], w["a"], {"idea_id": idea["id"], "text": "Skjult ny"})
    assert facts[0].private and "Skjult" not in str(facts[0].public_dict())


def test_each_question_is_its_own_round(w: dict[str, Any]) -> None:
    """Themes, dots, voters and results belong to the question they were made in."""
    store, first = w["store"], snapshot(w)["workshop"]["active_prompt_id"]
    old = [post(w, "a", "Flere cykelstier"), post(w, "b", "Cykelstier langs havnen")]
    theme = do(w, "create_cluster", {"label": "Møder"})["cluster"]
    assert theme["prompt_id"] == first
    do(w, "move_ideas", {"idea_ids": [i["id"] for i in old], "cluster_id": theme["id"]})
    do(w, "set_phase", {"phase": "vote"})
    do(w, "set_voting", {"dots": 2})
    do(w, "cast_vote", {"cluster_id": theme["id"]}, "a")
    assert do(w, "cast_vote", {"idea_id": old[0]["id"]}, "a")["dots_left"] == 0
    assert store.vote_totals(w["id"])["voters"] == 1

    do(w, "set_phase", {"phase": "collect"})
    second = do(w, "add_prompt", {"text": "Andet spørgsmål?"})["prompt"]["id"]
    do(w, "set_active_prompt", {"prompt_id": second})
    new = [post(w, "a", "Møder om aftenen"), post(w, "b", "Møder i weekenden")]
    assert store.unsorted_idea_ids(w["id"]) == [i["id"] for i in new]  # round 1's are not offered
    assert store.theme_texts(w["id"]) == []  # nor are round 1's themes
    assert refused(w, "move_idea", {"idea_id": new[0]["id"], "cluster_id": theme["id"]}) \
        == "other_question"
    again = do(w, "create_cluster", {"label": "Møder"})["cluster"]  # the same name, its own theme
    assert again["prompt_id"] == second and again["position"] == 0
    assert refused(w, "merge_clusters", {"source_id": again["id"], "target_id": theme["id"]}) \
        == "other_question"
    do(w, "move_idea", {"idea_id": new[0]["id"], "cluster_id": again["id"]})

    do(w, "set_phase", {"phase": "vote"})
    # A fresh budget, nobody has voted yet, and the other round's items refuse a dot.
    assert do(w, "my_votes", {}, "a")["votes"] == {"ideas": {}, "clusters": {}, "dots_left": 2}
    assert store.vote_totals(w["id"]) == {"prompt_id": second, "ideas": {}, "clusters": {},
                                          "voters": 0, "voters_by_table": {}}
    assert refused(w, "cast_vote", {"idea_id": old[1]["id"]}, "a") == "other_question"
    assert refused(w, "cast_vote", {"cluster_id": theme["id"]}, "a") == "other_question"
    assert refused(w, "retract_vote", {"cluster_id": theme["id"]}, "a") == "no_vote_to_retract"
    do(w, "cast_vote", {"idea_id": new[1]["id"]}, "b")
    assert do(w, "cast_vote", {"cluster_id": again["id"]}, "a")["dots_left"] == 1
    assert store.vote_totals(w["id"])["voters"] == 2
    assert store.vote_totals(w["id"], first)["voters"] == 1  # round 1 kept as it was

    workshop = store.get_workshop(w["code"])
    now = commands.results(store, workshop, True)
    assert now["prompt_id"] == second
    assert {i["id"] for i in now["ideas"]} == {i["id"] for i in new}
    assert [(t["label"], t["votes"]) for t in now["themes"]] == [("Møder", 1)]
    before = commands.results(store, workshop, True, first)
    assert {i["id"] for i in before["ideas"]} == {i["id"] for i in old}
    assert [(t["id"], t["votes"]) for t in before["themes"]] == [(theme["id"], 2)]


@pytest.mark.sqlite_only  # a SQLite database from before the migration
def test_a_database_from_before_rounds_gets_its_themes_and_dots_a_question(tmp_path: Any) -> None:
    """The migration gives existing themes their ideas' question and dots their item's."""
    from facilitation.store import connect
    from facilitation.store.schema import migrations

    path = tmp_path / "old.db"
    db = Database(str(path))
    migrations.apply(db, stop_before="m013_rounds_own_themes_and_dots")
    db.execute("INSERT INTO workshops (code, title, prompt, facilitator_token_hash, seq, created_at)"
               " VALUES ('ABCDEF', 'T', 'Q', 'x', 0, '2026-01-01')")
    db.execute("INSERT INTO prompts (workshop_id, text, position) VALUES (1, 'Q', 0), (1, 'R', 1)")
    db.execute("UPDATE workshops SET active_prompt_id = 2")
    db.execute("INSERT INTO participants (workshop_id, token_hash) VALUES (1, 't')")
    db.execute("INSERT INTO clusters (workshop_id, label, position) VALUES (1, 'A', 0), (1, 'B', 1)")
    db.execute("INSERT INTO ideas (workshop_id, participant_id, text, prompt_id, cluster_id)"
               " VALUES (1, 1, 'x', 1, 1)")
    db.execute("INSERT INTO votes (workshop_id, participant_id, idea_id) VALUES (1, 1, 1)")
    db.execute("INSERT INTO votes (workshop_id, participant_id, cluster_id) VALUES (1, 1, 2)")
    db.conn.commit()
    db.conn.close()
    migrated = connect(path)
    assert migrated.execute("SELECT id, prompt_id FROM clusters ORDER BY id").fetchall() == [(1, 1), (2, 2)]
    assert migrated.execute("SELECT prompt_id FROM votes ORDER BY id").fetchall() == [(1,), (2,)]
