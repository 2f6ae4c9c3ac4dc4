"""The frame, answers and background questions, over an in-memory store."""

from __future__ import annotations

from typing import Any

import pytest
from facilitation import commands
from facilitation.errors import CommandError
from facilitation.model import FACILITATOR, Actor
from tests.unit.commanding import do, refused

JEG = {"label": "Jeg deltager som", "options": ["borger", "medarbejder", {"label": "politiker", "share": 1.5}]}


@pytest.fixture
def w(new_store: Any) -> dict[str, Any]:
    store = new_store()
    if not hasattr(store.db, "raw"):  # SQLite: foreign keys on, as the server opens its database
        store.db.execute("PRAGMA foreign_keys = ON")
    workshop, _ = commands.create_workshop(store, {"title": "T", "prompt": "Hvad?", "frame": "  Byrådet beslutter.  "})
    a, _ = commands.join(store, {"code": workshop.code})
    b, _ = commands.join(store, {"code": workshop.code})
    return {"store": store, "fac": Actor(workshop, FACILITATOR), "a": a, "b": b, "code": workshop.code,
            "id": workshop.id}


def post(w: dict[str, Any], who: str, text: str) -> dict[str, Any]:
    return do(w, "post_idea", {"text": text, "client_id": text}, who)["idea"]  # type: ignore[no-any-return]


def test_the_frame_is_set_on_creation_changed_and_cleared(w: dict[str, Any]) -> None:
    store = w["store"]
    assert store.get_workshop(w["code"]).frame == "Byrådet beslutter."
    ack, facts = commands.execute(store, w["fac"], "set_frame", {"text": "Ny ramme"})
    assert ack == {"frame": "Ny ramme"} and facts[0].type == "frame_set" and facts[0].payload == {"frame": "Ny ramme"}
    assert commands.execute(store, w["fac"], "set_frame", {"text": "Ny ramme"})[1] == []  # unchanged: no fact
    assert do(w, "set_frame", {"text": "   "}) == {"frame": ""}
    assert store.snapshot(w["id"], include_hidden=False)["workshop"]["frame"] == ""
    assert refused(w, "set_frame", {"text": "x" * 1001}) == "too_long"
    assert refused(w, "set_frame", {"text": 5}) == "invalid"
    assert refused(w, "set_frame", {"text": "x"}, who="a") == "forbidden"


def test_answers_to_themes_and_ideas_in_any_phase(w: dict[str, Any]) -> None:
    idea = post(w, "a", "Flere cykelstier")
    theme = do(w, "create_cluster", {"label": "Cykler"})["cluster"]
    do(w, "set_phase", {"phase": "closed"})
    ack, facts = commands.execute(w["store"], w["fac"], "set_answer",
                                  {"cluster_id": theme["id"], "status": "considering", "text": "Vi ser på det."})
    assert ack["answer"]["status"] == "considering" and ack["answer"]["cluster_id"] == theme["id"]
    assert facts[0].type == "answer_set" and facts[0].route.stream == "all"  # every phone hears it
    do(w, "set_answer", {"idea_id": idea["id"], "status": "adopted"})
    again = do(w, "set_answer", {"cluster_id": theme["id"], "status": "done", "text": "Bygget."})
    assert again["answer"]["id"] == ack["answer"]["id"]  # one answer per theme, rewritten
    answers = w["store"].phone_snapshot(w["id"])["answers"]
    assert [(a["cluster_id"], a["idea_id"], a["status"], a["text"]) for a in answers] == [
        (theme["id"], None, "done", "Bygget."), (None, idea["id"], "adopted", "")]


def test_answers_refuse_bad_input(w: dict[str, Any]) -> None:
    idea = post(w, "a", "Idé")
    assert refused(w, "set_answer", {"idea_id": idea["id"], "status": "maybe"}) == "invalid"
    assert refused(w, "set_answer", {"status": "done"}) == "invalid"
    assert refused(w, "set_answer", {"idea_id": idea["id"], "cluster_id": 1, "status": "done"}) == "invalid"
    assert refused(w, "set_answer", {"idea_id": 999, "status": "done"}) == "idea_not_found"
    assert refused(w, "set_answer", {"cluster_id": 999, "status": "done"}) == "theme_not_found"
    assert refused(w, "set_answer", {"idea_id": idea["id"], "status": "done", "text": "x" * 2001}) == "too_long"
    assert refused(w, "set_answer", {"idea_id": idea["id"], "status": "done"}, who="a") == "forbidden"


def test_an_answer_goes_with_its_theme_or_idea_only_when_asked(w: dict[str, Any]) -> None:
    idea = post(w, "a", "Idé")
    theme = do(w, "create_cluster", {"label": "Tema"})["cluster"]
    do(w, "set_answer", {"cluster_id": theme["id"], "status": "declined", "text": "Nej."})
    do(w, "set_answer", {"idea_id": idea["id"], "status": "declined"})
    do(w, "rename_cluster", {"cluster_id": theme["id"], "label": "Nyt navn"})  # the answer stays
    assert [a["text"] for a in w["store"].answers(w["id"])] == ["Nej.", ""]
    assert refused(w, "delete_cluster", {"cluster_id": theme["id"]}) == "theme_answered"
    assert len(w["store"].answers(w["id"])) == 2
    do(w, "delete_cluster", {"cluster_id": theme["id"], "discard_answer": True})
    do(w, "delete_idea", {"idea_id": idea["id"]}, who="a")  # a participant's own idea, erased
    assert w["store"].answers(w["id"]) == []


def merge(w: dict[str, Any], answers: dict[str, tuple[str, str]]) -> tuple[dict[str, Any], list[Any]]:
    """Merge theme "Cykler" into "Trafik", each first answered as in `answers` (label -> status, text)."""
    themes = {label: do(w, "create_cluster", {"label": label})["cluster"]["id"] for label in ("Trafik", "Cykler")}
    for label, (status, text) in answers.items():
        do(w, "set_answer", {"cluster_id": themes[label], "status": status, "text": text})
    ack, facts = commands.execute(w["store"], w["fac"], "merge_clusters",
                                  {"source_id": themes["Cykler"], "target_id": themes["Trafik"]})
    kept = [(a["cluster_id"], a["status"], a["text"]) for a in w["store"].answers(w["id"])
            if a["cluster_id"] in themes.values()]
    assert kept == ([(themes["Trafik"], ack["answer"]["status"], ack["answer"]["text"])] if answers else [])
    return ack, facts


def test_merging_keeps_the_answer_of_the_theme_that_goes(w: dict[str, Any]) -> None:
    ack, facts = merge(w, {"Cykler": ("adopted", "Vi bygger stien.")})
    assert (ack["answer"]["status"], ack["answer"]["text"], ack["answers_joined"]) == (
        "adopted", "Vi bygger stien.", False)
    assert [f.type for f in facts] == ["clusters_merged", "answer_set"]  # phones learn the move live
    assert facts[1].payload["answer"] == ack["answer"] and facts[1].route.stream == "all"


def test_merging_keeps_the_surviving_answer_and_joins_a_second_text(w: dict[str, Any]) -> None:
    ack, facts = merge(w, {"Trafik": ("considering", "Vi ser på trafikken."), "Cykler": ("declined", "Ikke nu.")})
    assert (ack["answer"]["status"], ack["answer"]["text"], ack["answers_joined"]) == (
        "considering", "Vi ser på trafikken.\n\nCykler: Ikke nu.", True)
    assert [f.type for f in facts] == ["clusters_merged", "answer_set"]


def test_merging_a_status_alone_into_an_answer_changes_nothing(w: dict[str, Any]) -> None:
    ack, facts = merge(w, {"Trafik": ("done", "Lavet."), "Cykler": ("declined", "")})
    assert (ack["answer"]["text"], ack["answers_joined"], len(facts)) == ("Lavet.", False, 1)
    ack, facts = merge(w, {})
    assert (ack["answer"], ack["answers_joined"], len(facts)) == (None, False, 1)


def test_the_outcome_page_rule(w: dict[str, Any]) -> None:
    assert do(w, "set_rules", {"outcome_public": True})["rules"]["outcome_public"] is True
    assert w["store"].get_workshop(w["code"]).outcome_public
    assert refused(w, "set_rules", {"outcome_public": "yes"}) == "invalid"


def test_background_questions_keep_ids_and_answers_when_relabelled_around(w: dict[str, Any]) -> None:
    ack = do(w, "set_background", {"questions": [JEG]})
    question = ack["questions"][0]
    assert [o["label"] for o in question["options"]] == ["borger", "medarbejder", "politiker"]
    assert question["options"][2]["share"] == 1.5 and set(question) == {"id", "label", "options"}
    borger = question["options"][0]["id"]
    assert do(w, "set_background_answers", {"answers": {str(question["id"]): borger}}, who="a") == {
        "answers": {str(question["id"]): borger}}
    again = do(w, "set_background", {"questions": [
        {"label": "Bydel", "options": ["Nørrebro", "Valby"]},
        {"label": "Jeg deltager som", "options": ["forening", "borger"]}]})["questions"]
    assert again[1]["id"] == question["id"] and again[1]["options"][1]["id"] == borger
    assert w["store"].background_answers(w["a"].participant_id) == {str(question["id"]): borger}
    do(w, "set_background", {"questions": [{"label": "Bydel", "options": ["Nørrebro", "Valby"]}]})
    assert w["store"].background_answers(w["a"].participant_id) == {}  # its question is gone


@pytest.mark.parametrize("questions", [
    [JEG] * 4, [{"label": "Q", "options": ["a"]}], [{"label": "Q", "options": ["a", "a"]}],
    [{"label": "Q", "options": [str(n) for n in range(13)]}], [{"label": "", "options": ["a", "b"]}],
    [JEG, JEG], "x", [{"label": "Q", "options": [{"label": "a", "share": 101}, "b"]}],
    [{"label": "Q", "options": [{"label": "a", "share": True}, "b"]}], [5],
])
def test_background_questions_refuse_bad_shapes(w: dict[str, Any], questions: Any) -> None:
    assert refused(w, "set_background", {"questions": questions}) in ("invalid", "empty")


def test_background_answers_are_checked_and_replaced(w: dict[str, Any]) -> None:
    question = do(w, "set_background", {"questions": [JEG]})["questions"][0]
    qid, options = str(question["id"]), [o["id"] for o in question["options"]]
    assert refused(w, "set_background_answers", {"answers": {qid: 999}}, who="a") == "background_not_found"
    assert refused(w, "set_background_answers", {"answers": {"999": options[0]}}, who="a") == "background_not_found"
    assert refused(w, "set_background_answers", {"answers": {qid: True}}, who="a") == "background_not_found"
    assert refused(w, "set_background_answers", {"answers": [1]}, who="a") == "invalid"
    assert refused(w, "set_background_answers", {"answers": {qid: options[0]}}) == "participants_only"
    do(w, "set_background_answers", {"answers": {qid: options[1]}}, who="a")
    assert do(w, "set_background_answers", {"answers": {qid: None}}, who="a") == {"answers": {}}
    assert w["store"].background_answers(w["a"].participant_id) == {}


def test_a_returning_phone_gets_its_answers_and_the_questions(w: dict[str, Any]) -> None:
    question = do(w, "set_background", {"questions": [JEG]})["questions"][0]
    first, (ack, _) = commands.join(w["store"], {"code": w["code"]})
    do({**w, "c": first}, "set_background_answers", {"answers": {str(question["id"]): question["options"][1]["id"]}},
       who="c")
    _, (again, _) = commands.join(w["store"], {"code": w["code"], "participant_token": ack["participant_token"]})
    assert again["profile"]["background"] == {str(question["id"]): question["options"][1]["id"]}
    assert again["snapshot"]["background"][0]["label"] == "Jeg deltager som"
    assert "background_answers" not in str(w["store"].snapshot(w["id"], include_hidden=True))


def test_erasing_a_workshop_erases_its_answers_and_background(w: dict[str, Any]) -> None:
    idea = post(w, "a", "Idé")
    do(w, "set_answer", {"idea_id": idea["id"], "status": "done", "text": "Svar 4711"})
    question = do(w, "set_background", {"questions": [JEG]})["questions"][0]
    do(w, "set_background_answers", {"answers": {str(question["id"]): question["options"][0]["id"]}}, who="a")
    w["store"].delete_workshop(w["id"], "admin")
    for table in ("answers", "background_questions", "background_options", "background_answers"):
        assert w["store"].db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_merging_refuses_answers_too_long_together_and_changes_nothing(w: dict[str, Any]) -> None:
    """Joined, the texts and the second theme's name must fit one answer (2,000 characters)."""
    idea = post(w, "a", "Flere cykelstier")
    trafik, cykler = (do(w, "create_cluster", {"label": label})["cluster"]["id"] for label in ("Trafik", "Cykler"))
    do(w, "move_idea", {"idea_id": idea["id"], "cluster_id": cykler})
    do(w, "set_answer", {"cluster_id": trafik, "status": "considering", "text": "t" * 1000})
    do(w, "set_answer", {"cluster_id": cykler, "status": "declined", "text": "c" * 991})
    before = (w["store"].answers(w["id"]), w["store"].snapshot(w["id"], include_hidden=True))
    with pytest.raises(CommandError) as refusal:
        do(w, "merge_clusters", {"source_id": cykler, "target_id": trafik})
    assert refusal.value.code == "answers_too_long" and refusal.value.status == 409
    assert "2,001" in refusal.value.message and "2,000" in refusal.value.message
    assert (w["store"].answers(w["id"]), w["store"].snapshot(w["id"], include_hidden=True)) == before
    # 1,000 + a blank line + "Cykler: " + 990 is exactly 2,000: merged.
    do(w, "set_answer", {"cluster_id": cykler, "status": "declined", "text": "c" * 990})
    ack = do(w, "merge_clusters", {"source_id": cykler, "target_id": trafik})
    assert len(ack["answer"]["text"]) == 2000 and ack["answers_joined"] is True


def test_an_answer_moves_whole_to_a_theme_without_one(w: dict[str, Any]) -> None:
    """The console's undo of a merge gives the source's answer back to its recreated theme."""
    ack, _ = merge(w, {"Cykler": ("adopted", "Vi bygger stien.")})
    again = do(w, "create_cluster", {"label": "Cykler"})["cluster"]["id"]
    moved, facts = commands.execute(w["store"], w["fac"], "move_answer",
                                    {"from_cluster_id": ack["target_id"], "cluster_id": again})
    assert (moved["answer"]["id"], moved["answer"]["cluster_id"], moved["answer"]["status"], moved["answer"]["text"]) \
        == (ack["answer"]["id"], again, "adopted", "Vi bygger stien.")
    assert [f.type for f in facts] == ["answer_set"] and facts[0].route.stream == "all"
    assert [a["cluster_id"] for a in w["store"].answers(w["id"])] == [again]
    other = do(w, "create_cluster", {"label": "Andet"})["cluster"]["id"]
    assert refused(w, "move_answer", {"from_cluster_id": ack["target_id"], "cluster_id": other}) == "invalid"
    do(w, "set_answer", {"cluster_id": other, "status": "done"})
    assert refused(w, "move_answer", {"from_cluster_id": again, "cluster_id": other}) == "invalid"
    assert refused(w, "move_answer", {"from_cluster_id": again, "cluster_id": again}) == "invalid"
    assert refused(w, "move_answer", {"from_cluster_id": again, "cluster_id": 999}) == "theme_not_found"
    assert refused(w, "move_answer", {"from_cluster_id": again, "cluster_id": ack["target_id"]}, who="a") == "forbidden"
    assert [(a["cluster_id"], a["status"]) for a in w["store"].answers(w["id"])] == [(again, "adopted"), (other, "done")]
