"""Answers and who took part in every output: the SQLite archive, CSV, JSON, Excel, the report, the
console's counts and the public outcome page; never a number for a group under 5."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from typing import Any

import pytest
from openpyxl import load_workbook

from facilitation import commands, export
from facilitation.export.background import agreements, question_counts
from tests.full_workshop import Workshop, full_workshop

HIDDEN = "Skjult idé om kælderen 4711"


Hall = Workshop  # a closed workshop: 14 participants answering "Jeg deltager som", dots, answers


def make_hall(app: Any, client: Any) -> Hall:
    created = client.post("/api/workshops", json={"title": "Idéfabrikken", "prompt": "Hvad skal vi gøre?",
                                                  "frame": "Budgettet er besluttet. Byrådet vælger i marts."}).get_json()
    store = app.extensions["facilitation.store"]
    fac = commands.join(store, {"code": created["code"], "facilitator_token": created["facilitator_token"]})[0]
    question = commands.set_background(store, fac, {"questions": [{"label": "Jeg deltager som", "options": [
        {"label": "borger", "share": 90}, "medarbejder", "politiker", "forening"]}]})[0]["questions"][0]
    option = {o["label"]: o["id"] for o in question["options"]}
    # 8 citizens, 5 employees, 1 politician (under 5), 0 associations, 0 without an answer.
    groups = ["borger"] * 8 + ["medarbejder"] * 5 + ["politiker"]
    phones = [commands.join(store, {"code": created["code"]})[0] for _ in groups]
    for phone, group in zip(phones, groups):
        commands.set_background_answers(store, phone, {"answers": {str(question["id"]): option[group]}})
    ideas: dict[str, int] = {}
    for n, text in enumerate(["Cykelstier på Amager", "Grønne gårde", "Flere bænke", HIDDEN]):
        ideas[text] = commands.post_idea(store, phones[n], {"text": text, "client_id": "c"})[0]["idea"]["id"]
    commands.hide_idea(store, fac, {"idea_id": ideas[HIDDEN]})
    themes = {label: commands.create_cluster(store, fac, {"label": label})[0]["cluster"]["id"]
              for label in ("Trafik", "Grønt", "Byrum")}
    for text, theme in (("Cykelstier på Amager", "Trafik"), ("Grønne gårde", "Grønt"), ("Flere bænke", "Byrum")):
        commands.move_idea(store, fac, {"idea_id": ideas[text], "cluster_id": themes[theme]})
    commands.set_phase(store, fac, {"phase": "vote"})
    # Citizens put dots on Trafik and Grønt, employees on Grønt and Byrum, the politician on Byrum.
    for phone, group in zip(phones, groups):
        picks = {"borger": ["Trafik", "Grønt"], "medarbejder": ["Grønt", "Byrum"], "politiker": ["Byrum"]}[group]
        for theme in picks:
            commands.cast_vote(store, phone, {"cluster_id": themes[theme]})
    commands.set_phase(store, fac, {"phase": "closed"})
    commands.set_answer(store, fac, {"cluster_id": themes["Grønt"], "status": "adopted",
                                     "text": "Teknik- og Miljøudvalget afsætter penge i 2027."})
    commands.set_answer(store, fac, {"idea_id": ideas["Flere bænke"], "status": "declined", "text": "Ikke plads."})
    return Hall(created["code"], created["facilitator_token"], store.get_workshop(created["code"]).id, store,
                ideas, themes)


@pytest.fixture
def hall(app: Any, client: Any) -> Hall:
    return make_hall(app, client)


def test_counts_never_show_a_group_under_5(hall: Hall) -> None:
    (question,) = question_counts(export.read_rows(hall.store, hall.id))
    counts = {c.label or c.kind: c.count for c in question.counts}
    # 1 politician, 0 associations, 0 without an answer: hidden; the rest are 8 and 5.
    assert counts == {"borger": 8, "medarbejder": 5, "politiker": None, "forening": None, "none": None}
    assert [c.share for c in question.counts][0] == 90


def test_one_hidden_count_hides_the_next_smallest_too(app: Any, client: Any) -> None:
    from facilitation.export.background import _suppress
    assert _suppress([8, 6, 3]) == [False, True, True]  # else 3 = total - 8 - 6
    assert _suppress([8, 6, 0, 3]) == [False, False, True, True]
    assert _suppress([8, 6]) == [False, False]


def test_where_groups_agree_folds_small_groups_into_others(hall: Hall) -> None:
    (found,) = agreements(export.read_rows(hall.store, hall.id))
    # The politician alone would make "others" a group of 1: the employees (5) join it, so others is 6.
    assert found.groups == (("borger", "option", 8), ("", "others", 6))
    dots = {t.label: t.dots for t in found.themes}
    assert dots == {"Grønt": (8, 5), "Trafik": (8, 0), "Byrum": (0, 6)}
    assert found.consensus == ("Grønt",)


def test_exports_carry_answers_and_counts_only(hall: Hall, client: Any, tmp_path: Any) -> None:
    body = client.get(f"/w/{hall.code}/export.sqlite", headers=hall.auth).data
    path = tmp_path / "a.sqlite"
    path.write_bytes(body)
    db = sqlite3.connect(path)
    answers = db.execute("SELECT cluster_id, idea_id, status, text FROM answers ORDER BY id").fetchall()
    assert answers == [(hall.themes["Grønt"], None, "adopted", "Teknik- og Miljøudvalget afsætter penge i 2027."),
                       (None, hall.ideas["Flere bænke"], "declined", "Ikke plads.")]
    background = db.execute("SELECT option, count, fewer_than_5 FROM background ORDER BY rowid").fetchall()
    assert background == [("borger", 8, 0), ("medarbejder", 5, 0), ("politiker", None, 1), ("forening", None, 1),
                          ("", None, 1)]
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not {"background_answers", "background_options"} & tables  # nobody's own answers
    rows = list(csv.DictReader(io.StringIO(client.get(f"/w/{hall.code}/export.csv", headers=hall.auth).data
                                           .decode("utf-8-sig"))))
    by_text = {r["text"]: (r["answer_status"], r["answer"]) for r in rows}
    assert by_text["Grønne gårde"] == ("adopted", "Teknik- og Miljøudvalget afsætter penge i 2027.")  # its theme's
    assert by_text["Flere bænke"] == ("declined", "Ikke plads.")  # its own
    assert by_text["Cykelstier på Amager"] == ("", "") and HIDDEN not in by_text
    document = json.loads(client.get(f"/w/{hall.code}/export.json", headers=hall.auth).data)
    assert document["workshop"]["frame"].startswith("Budgettet")
    assert {t["label"]: t["answer_status"] for t in document["themes"]} == {"Trafik": "", "Grønt": "adopted",
                                                                              "Byrum": ""}
    assert [(b["option"], b["count"]) for b in document["background"]][:3] == [("borger", 8), ("medarbejder", 5),
                                                                                 ("politiker", None)]
    assert document["groups"][0]["groups"][1] == {"label": "", "kind": "others", "participants": 6}
    assert "participant_id" not in json.dumps(document["background"])


def test_excel_has_answers_who_took_part_and_groups(hall: Hall, client: Any) -> None:
    body = client.get(f"/w/{hall.code}/export.xlsx", headers={**hall.auth, "Accept-Language": "da"}).data
    book = load_workbook(io.BytesIO(body))
    results = [[c.value for c in row] for row in book["Resultater"].iter_rows()]
    assert results[0][-2:] == ["Status", "Svar"]
    assert ["Vedtaget", "Teknik- og Miljøudvalget afsætter penge i 2027."] in [r[-2:] for r in results]
    who = [[c.value for c in row] for row in book["Hvem deltog"].iter_rows()]
    trimmed = [row[:max([0, *(i + 1 for i, v in enumerate(row) if v is not None)])] for row in who]
    assert ["Jeg deltager som", "politiker", "færre end 5"] == who[3][:3]
    assert ["Jeg deltager som", "borger", 8] == who[1][:3] and who[1][4] == 90
    assert ["Tema", "borger", "Andre", "Alle grupper placerer det højt"] in trimmed
    assert ["Grønt", 8, 5, "Ja"] in trimmed
    flat = json.dumps(who)
    assert not re.search(r'"politiker", 1\b', flat)


def test_report_shows_frame_counts_groups_and_answers(hall: Hall, client: Any) -> None:
    html = client.get(f"/w/{hall.code}/report", headers={**hall.auth, "Accept-Language": "en"}).get_data(True)
    assert "Byrådet vælger i marts" in html and "Who took part" in html and "Where groups agree" in html
    assert "fewer than 5" in html and "Others" in html
    assert "Teknik- og Miljøudvalget afsætter penge i 2027." in html and "Declined" in html
    counts = re.findall(r'<th scope="row" class="report-label">politiker</th>\s*<td>([^<]*)</td>', html)
    assert counts == ["fewer than 5"]


def test_console_counts_need_the_facilitator(hall: Hall, client: Any) -> None:
    assert client.get(f"/w/{hall.code}/background").status_code == 401
    data = client.get(f"/w/{hall.code}/background", headers=hall.auth).get_json()
    assert [c["count"] for c in data["questions"][0]["counts"]] == [8, 5, None, None, None]
    assert data["groups"][0]["themes"][0] == {"theme": "Grønt", "dots": [8, 5], "every_group_ranks_high": True}


def test_the_outcome_page_is_public_only_once_published(hall: Hall, client: Any) -> None:
    assert client.get(f"/w/{hall.code}/outcome").status_code == 404
    fac = commands.join(hall.store, {"code": hall.code, "facilitator_token": hall.token})[0]
    commands.set_rules(hall.store, fac, {"outcome_public": True})
    page = client.get(f"/w/{hall.code}/outcome")
    html = page.get_data(True)
    assert page.status_code == 200 and '<html lang="da">' in html
    assert "Hvad blev der af idéerne" in html and "Vedtaget" in html and "Budgettet er besluttet" in html
    assert html.index("Grønt") < html.index("Trafik") < html.index("Byrum")  # ranked by dots
    assert HIDDEN not in html and "4711" not in html
    assert '<html lang="en">' in client.get(f"/w/{hall.code}/outcome?lang=en").get_data(True)
    assert client.get(f"/w/{hall.code}/outcome-qr.svg").mimetype == "image/svg+xml"


def test_the_outcome_page_names_no_one_where_the_report_does(app: Any, client: Any) -> None:
    w = full_workshop(app, client)
    fac = commands.join(w.store, {"code": w.code, "facilitator_token": w.token})[0]
    commands.set_rules(w.store, fac, {"outcome_public": True})
    report = client.get(f"/w/{w.code}/report", headers=w.auth).get_data(True)
    public = client.get(f"/w/{w.code}/outcome").get_data(True)
    private = ["Søren Ærø", "Bord 7", "cykelstier på åboulevarden!"]  # a name, a table, a stacked duplicate
    assert [text for text in private if text in report] == private
    assert [text for text in private if text in public] == []
    assert "Plads til din cykel ved Nørreport" in public and "Cykelstier på Åboulevarden" in public


def test_the_archive_of_every_workshop_counts_each_workshops_own(hall: Hall, app: Any, client: Any,
                                                                tmp_path: Any) -> None:
    other = make_hall(app, client)  # a second workshop with the same question and answers
    path = tmp_path / "all.sqlite"
    path.write_bytes(export.to_sqlite(export.read_rows(hall.store, None)))
    rows = sqlite3.connect(path).execute(
        "SELECT workshop_id, option, count FROM background WHERE option = 'borger' ORDER BY workshop_id").fetchall()
    assert rows == [(hall.id, "borger", 8), (other.id, "borger", 8)]  # never 16: each workshop's own people
