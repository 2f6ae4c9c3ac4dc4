"""Exports read back in their own tools (sqlite3, csv, json, openpyxl, Datasette) and the printable
report, all compared with the live state of a workshop with themes, stacks, ties, hidden and waiting
ideas and Danish letters."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from facilitation import commands
from facilitation.export import COLUMNS, build_report, to_xlsx
from facilitation.export.xlsx import sheet_name
from tests.full_workshop import HIDDEN, PENDING, QUESTIONS, TITLE, Workshop, download, full_workshop


@pytest.fixture
def workshop(app: Any, client: Any) -> Workshop:
    """Two questions, tables, tied themes, a stack, a hidden idea and a waiting one (full_workshop.py)."""
    return full_workshop(app, client)


def visible(w: Workshop) -> list[dict[str, Any]]:
    """The live state's public ideas, oldest first."""
    return w.store.snapshot(w.id, include_hidden=False)["ideas"]  # type: ignore[no-any-return]


def dots(w: Workshop) -> dict[int, int]:
    """The dots on each idea, every question's vote together."""
    return {int(k): v for q in w.store.prompts(w.id)
            for k, v in w.store.vote_totals(w.id, q["id"])["ideas"].items()}


def test_every_format_needs_the_facilitator(client: Any, workshop: Workshop) -> None:
    for fmt in ("sqlite", "csv", "json", "xlsx"):
        assert client.get(f"/w/{workshop.code}/export.{fmt}").status_code == 401
        assert client.get(f"/w/{workshop.code}/export.{fmt}",
                          headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get(f"/w/{workshop.code}/report").status_code == 401
    assert client.get("/w/ZZZZZZ/report", headers=workshop.auth).status_code == 404


def test_csv_round_trip(client: Any, workshop: Workshop) -> None:
    response = client.get(f"/w/{workshop.code}/export.csv", headers=workshop.auth)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    body = download(client, workshop, "csv").decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    live = visible(workshop)
    assert [(int(r["id"]), r["text"]) for r in rows] == [(i["id"], i["text"]) for i in live]
    assert {int(r["id"]): int(r["votes"]) for r in rows} == {
        i["id"]: dots(workshop).get(i["id"], 0) for i in live}
    assert "Åboulevarden" in body and "Bænke og æbletræer i gården" in body and "Søren Ærø" in body
    assert HIDDEN not in body and PENDING not in body
    # Times as the Excel export writes them: the hall's clock, the zone named in the header.
    for row, idea in zip(rows, live):
        sent = datetime.fromisoformat(idea["created_at"].replace("Z", "+00:00"))
        assert row["created_at (Europe/Copenhagen)"] == sent.astimezone(
            ZoneInfo("Europe/Copenhagen")).strftime("%Y-%m-%d %H:%M:%S")


def test_json_round_trip(client: Any, workshop: Workshop) -> None:
    raw = download(client, workshop, "json")
    document = json.loads(raw)
    snapshot = workshop.store.snapshot(workshop.id, include_hidden=False)
    assert document["workshop"]["title"] == TITLE and "Østerbro".encode() in raw
    assert [q["text"] for q in document["questions"]] == QUESTIONS
    assert [(t["label"], t["prompt_id"]) for t in document["themes"]] == [
        (c["label"], c["prompt_id"]) for c in snapshot["clusters"]]
    assert [(i["id"], i["text"]) for i in document["ideas"]] == [
        (i["id"], i["text"]) for i in snapshot["ideas"]]
    assert HIDDEN.encode() not in raw and PENDING.encode() not in raw


def test_xlsx_round_trip(app: Any, client: Any, workshop: Workshop) -> None:
    response = client.get(f"/w/{workshop.code}/export.xlsx", headers=workshop.auth)
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument"
                                 ".spreadsheetml.sheet")
    assert f'filename="idea-factory-{workshop.code}.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(download(client, workshop, "xlsx", **{"Accept-Language": "en"})))
    assert book.sheetnames == ["Results", "Hvad skal vi gøre ved trafikken", "Hvad mangler i gårdene"]
    live = {i["id"]: i for i in visible(workshop)}
    seen: dict[int, Any] = {}
    for sheet, question in zip(book.worksheets[1:], QUESTIONS):
        header, *records = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert header[:3] == ["ID", "Idea", "Question"]
        assert all(cell.font.b for cell in sheet[1]) and sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width
        for record in records:
            row = dict(zip(header, record))
            assert row["Question"] == question
            seen[row["ID"]] = row
    assert sorted(seen) == sorted(live)
    for idea_id, row in seen.items():
        assert row["Idea"] == live[idea_id]["text"]
        assert row["Dots"] == dots(workshop).get(idea_id, 0)
        # A real date cell, in the hall's time: the stored UTC time shifted to Copenhagen.
        sent = datetime.fromisoformat(live[idea_id]["created_at"].replace("Z", "+00:00"))
        assert row["Sent (Copenhagen time)"] == sent.astimezone(ZoneInfo("Europe/Copenhagen")).replace(
            tzinfo=None, microsecond=sent.microsecond // 1000 * 1000)
    dated = next(c for c in book.worksheets[1]["I"] if c.row > 1)
    assert dated.is_date and dated.number_format == "yyyy-mm-dd hh:mm:ss"
    formula_like = next(c for c in book.worksheets[2]["B"] if c.value == 'Ølbar "=1+1" i gården')
    assert formula_like.data_type == "s"
    results = [[cell.value for cell in row] for row in book["Results"].iter_rows()]
    blank = next(n for n, r in enumerate(results) if not any(r))  # an empty row between the tables
    themes, ideas = results[:blank], results[blank + 1:]
    # Each question ranked on its own, its text on every row.
    assert themes[0][:5] == ["Question", "Rank", "Theme", "Ideas", "Dots"]
    workshop_now = workshop.store.get_workshop(workshop.code)
    expected = []
    for prompt in workshop.store.prompts(workshop.id):
        ranked = commands.results(workshop.store, workshop_now, True, prompt["id"])
        expected += [(prompt["text"], t["rank"], t["label"], t["votes"]) for t in ranked["themes"]]
    assert [(r[0], r[1], r[2], r[4]) for r in themes[1:]] == expected
    assert [r[1] for r in themes[1:]] == [1, 1, 1]  # round one's tie is a tie; round two's own 1
    assert ideas[0][:5] == ["Question", "Rank", "Idea", "Theme", "Dots"]
    assert [(r[0], r[1], r[4]) for r in ideas[1:4]] == [(QUESTIONS[0], 1, 1)] * 3  # a tie of three
    assert [(r[0], r[1], r[2], r[4]) for r in ideas if r[0] == QUESTIONS[1]] == [
        (QUESTIONS[1], 1, "Bænke og æbletræer i gården", 2), (QUESTIONS[1], 2, 'Ølbar "=1+1" i gården', 0)]
    assert "cykelstier på åboulevarden!" not in [r[2] for r in ideas]  # counted with its card
    text = " ".join(str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row)
    assert HIDDEN not in text and PENDING not in text and "Søren Ærø" in text

    danish = load_workbook(io.BytesIO(download(client, workshop, "xlsx",
                                               **{"Accept-Language": "da"})))
    assert danish.sheetnames[0] == "Resultater"
    assert [c.value for c in danish.worksheets[1][1]][:3] == ["ID", "Idé", "Spørgsmål"]
    assert danish.worksheets[1]["I1"].value == "Sendt (dansk tid)"


def test_xlsx_sheet_names_are_legal_and_unique() -> None:
    taken = {"themes"}
    names = [sheet_name(text, taken, "Question") for text in [
        "Hvad [skal] vi: gøre*? / \\ nu", "x" * 40, "x" * 40, "THEMES", "'quoted'", "???", "???"]]
    assert names[0] == "Hvad skal vi gøre nu"
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    assert len({n.casefold() for n in names} | {"themes"}) == len(names) + 1
    assert names[3] == "THEMES (2)" and names[4] == "quoted" and names[5] == "Question"


def test_xlsx_of_an_empty_workshop_opens() -> None:
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in (
        "workshops", "prompts", "tables", "participants", "clusters", "ideas", "votes", "events")}
    book = load_workbook(io.BytesIO(to_xlsx(rows)))
    assert book.sheetnames == ["Results", "Question 1"]


def test_sqlite_round_trip_and_integrity(client: Any, workshop: Workshop, tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    path = tmp_path / "export" / "workshop.sqlite"
    path.write_bytes(download(client, workshop, "sqlite"))
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA journal_mode").fetchone()[0] != "wal"
        everything = workshop.store.snapshot(workshop.id, include_hidden=True)["ideas"]
        archived = db.execute("SELECT id, text, hidden, pending FROM ideas ORDER BY id").fetchall()
        assert archived == [(i["id"], i["text"], int(i["hidden"]), int(i["pending"]))
                            for i in everything]
        assert (workshop.ideas[HIDDEN], HIDDEN, 1, 0) in archived
        assert (workshop.ideas[PENDING], PENDING, 0, 1) in archived
        assert db.execute("SELECT title FROM workshops").fetchone() == (TITLE,)
        assert db.execute("SELECT prompt_id, count(*) FROM votes GROUP BY prompt_id"
                          " ORDER BY prompt_id").fetchall() == [(1, 5), (2, 2)]
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'ideas_fts'").fetchone()
        found = db.execute("SELECT rowid, text FROM ideas_fts WHERE ideas_fts MATCH 'cykel*'"
                           " ORDER BY rowid").fetchall()
        assert found == sorted((workshop.ideas[t], t) for t in [
            "Cykelstier på Åboulevarden", "Plads til din cykel ved Nørreport",
            "cykelstier på åboulevarden!", HIDDEN, PENDING])
        overview = dict(db.execute("SELECT text, votes FROM idea_overview").fetchall())
        assert overview["Grønne tage på Amager"] == 1 and overview[HIDDEN] == 1
        assert overview["Bænke og æbletræer i gården"] == 2 and overview[PENDING] == 0
    finally:
        db.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["workshop.sqlite"]  # no -wal, -shm


def test_report_shows_the_workshop_without_hidden_ideas(client: Any, workshop: Workshop) -> None:
    response = client.get(f"/w/{workshop.code}/report",
                          headers={**workshop.auth, "Accept-Language": "en"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.data.decode()
    assert f"<h1>{TITLE}</h1>" in page and "css/report.css" in page
    assert all(q in page for q in QUESTIONS)
    assert "data-print" in page and "js/shared/page.js" in page  # the Print button, wired without inline script
    for text in ["Cykelstier på Åboulevarden", "cykelstier på åboulevarden!", "Grønne tage på Amager",
                 "Bænke og æbletræer i gården", "Trafik", "Grønt", "Søren Ærø", "Bord 7"]:
        assert text in page, text
    assert "Ølbar &#34;=1+1&#34; i gården" in page  # escaped, as all user text
    assert HIDDEN not in page and PENDING not in page and "kælderen" not in page
    counts = dict(re.findall(r"<dt>(\w+)</dt><dd>(\d+)</dd>", page))
    assert counts == {"Participants": "3", "Ideas": "6", "Themes": "3", "Dots": "6"}
    assert "Moderation hid 1 idea; it is not in this report." in page
    assert "1 idea was still waiting for approval and is not in this report either." in page
    # Round one: the two themes tie for first place, and so do the three ideas with a dot each;
    # round two ranks its own theme and idea first, after its question's heading.
    first, second = page.split(f"Question 2: {QUESTIONS[1]}")
    assert f"Question 1: {QUESTIONS[0]}" in first
    ranks = re.findall(r'<td class="report-rank">(\d+)\.( <span class="report-tie">)?', first)
    assert ranks == [("1", " <span class=\"report-tie\">")] * 5
    assert re.findall(r'<td class="report-rank">(\d+)\.( <span class="report-tie">)?', second) == [
        ("1", "")] * 2
    assert "Gårde" in second and "Trafik" not in second
    assert "4 ideas, 2 themes" in first and "2 ideas, 1 theme<" in second
    assert page.count("(tie)") == 5
    headings = [int(level) for level in re.findall(r"<h(\d)", page)]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in zip(headings, headings[1:]))
    assert '<html lang="en">' in page

    danish = client.get(f"/w/{workshop.code}/report",
                        headers={**workshop.auth, "Accept-Language": "da"}).data.decode()
    assert '<html lang="da">' in danish and "Rapport" in danish and "(delt)" in danish
    assert "Der blev skjult 1 idé ved moderering" in danish
    assert re.search(r"<time [^>]*>\d{1,2}\. \w+ 20\d\d</time>", danish)  # e.g. 26. november 2026


def test_report_data_matches_the_live_results(workshop: Workshop) -> None:
    report = build_report(workshop.store.export_rows(workshop.id, COLUMNS))
    workshop_now = workshop.store.get_workshop(workshop.code)
    assert [r.question for r in report.rounds] == QUESTIONS
    for part, prompt in zip(report.rounds, workshop.store.prompts(workshop.id)):
        live = commands.results(workshop.store, workshop_now, True, prompt["id"])
        assert [(t.label, t.votes, t.theme_votes, t.idea_votes) for t in part.themes] == [
            (t["label"], t["votes"], t["theme_votes"], t["idea_votes"]) for t in live["themes"]]
    one, two = report.rounds
    trafik = next(t for t in one.themes if t.label == "Trafik")
    assert trafik.idea_count == 3  # the card, its stacked duplicate and the cykel idea
    assert trafik.ideas[0].duplicates == ("cykelstier på åboulevarden!",)
    assert [(b.label, b.rank, b.tied) for b in one.theme_bars] == [
        ("Trafik", 1, True), ("Grønt", 1, True)]
    assert [b.votes for b in one.idea_bars] == [1, 1, 1] and one.unsorted == ()
    assert [(b.label, b.rank, b.tied) for b in two.theme_bars] == [("Gårde", 1, False)]
    assert [i.text for i in two.unsorted] == ['Ølbar "=1+1" i gården']
    assert report.participants == 3 and report.ideas == 6 and report.votes == 6
