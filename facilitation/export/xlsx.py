"""A workshop's visible ideas as an Excel workbook: the results first, then a sheet per question."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..errors import N_
from .background import agreements, question_counts
from .report import parse_time, ranked, rounds, theme_totals
from .rows import IDEA_COLUMNS, LOCAL_TIME, Rows, ideas_with_themes
from .tables import theme_answer

# Column headings and sheet names (msgids: the workbook is in the language `to_xlsx`'s gettext gives,
# the words of the glossary).
LABELS: dict[str, str] = {
    "id": N_("ID"), "text": N_("Idea"), "question": N_("Question"), "theme": N_("Theme"), "table": N_("Table"),
    "author": N_("Name"), "votes": N_("Dots"), "duplicate_of": N_("Duplicate of"),
    "created_at": N_("Sent (Copenhagen time)"), "participant_id": N_("Participant"), "rank": N_("Rank"),
    "ideas": N_("Ideas"), "theme_votes": N_("Dots on the theme"), "idea_votes": N_("Dots on its ideas"),
    "results_sheet": N_("Results"), "question_sheet": N_("Question {n}"), "answer_status": N_("Status"),
    "answer": N_("Answer"), "considering": N_("Being considered"), "adopted": N_("Adopted"),
    "declined": N_("Declined"), "done": N_("Done"), "background_sheet": N_("Who took part"), "option": N_("Answer"),
    "count": N_("Participants"), "percent": N_("Percent"), "share": N_("Population (%)"),
    "no_answer": N_("No answer"), "fewer_than_5": N_("fewer than 5"), "others": N_("Others"),
    "none": N_("No answer"), "groups": N_("Where groups agree: dots per theme from each group ({question})"),
    "everywhere": N_("Every group ranks it high"), "yes": N_("Yes"),
}
# Each question is its own round: ranks count within it, and its text heads every row.
THEME_COLUMNS = ["question", "rank", "theme", "ideas", "votes", "theme_votes", "idea_votes", "answer_status",
                 "answer"]
RANKED_IDEA_COLUMNS = ["question", "rank", "text", "theme", "votes"]
BACKGROUND_COLUMNS = ["question", "option", "count", "percent", "share"]
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Widest a column gets (characters); longer ideas wrap inside their cell.
MAX_WIDTH = {"text": 70, "question": 40, "theme": 30, "table": 20, "author": 20, "answer": 70}
SHEET_NAME_LENGTH = 31
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, taken: set[str], fallback: str) -> str:
    """A legal, unused worksheet name made from text: at most 31 characters, none of []:*?/\\,
    not starting or ending with an apostrophe, unique ignoring case."""
    name = " ".join(FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", text)).split()).strip("'")
    if len(name) > SHEET_NAME_LENGTH:
        name = name[:SHEET_NAME_LENGTH - 1].rstrip() + "…"
    name = name or fallback
    candidate, n = name, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = name[:SHEET_NAME_LENGTH - len(suffix)].rstrip() + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def cell_value(value: Any) -> Any:
    """A value as a cell holds it: None stays empty, text loses characters XML cannot carry."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def local_time(value: object) -> datetime | None:
    """A stored UTC time as Copenhagen wall-clock time, naive as Excel wants it."""
    moment = parse_time(value)
    return moment.astimezone(LOCAL_TIME).replace(tzinfo=None) if moment else None


def size_columns(sheet: Any, columns: Sequence[str], labels: dict[str, str],
                 records: Sequence[dict[str, Any]]) -> None:
    """Columns as wide as their longest value, within MAX_WIDTH; dates as wide as a date."""
    for index, column in enumerate(columns, start=1):
        longest = 19 if column == "created_at" else max(
            [len(labels[column]), *(len(str(r[column] or "")) for r in records)])
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(longest, len(labels[column])) + 2, MAX_WIDTH.get(column, 24))


def header_row(sheet: Any, columns: Sequence[str], labels: dict[str, str]) -> list[Any]:
    """Bold column headings."""
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=cell_value(labels[column]))
        cell.data_type = "s"  # a heading typed by someone (a group's label) is never a formula
        cell.font = Font(bold=True)
        header.append(cell)
    return header


def record_row(sheet: Any, columns: Sequence[str], record: dict[str, Any]) -> list[Any]:
    """One record's cells: text as text (never a formula), times as real date cells."""
    row: list[Any] = []
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in columns:
        value = cell_value(record[column])
        if column == "created_at":
            cell = WriteOnlyCell(sheet, value=local_time(value))
            cell.number_format = DATE_FORMAT
            row.append(cell)
        elif isinstance(value, str) and value:
            # Text is text: an idea starting with "=" must never become a formula.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            if column == "text":
                cell.alignment = wrap
            row.append(cell)
        else:
            row.append(value)
    return row


def write_sheet(workbook: Any, title: str, columns: Sequence[str], labels: dict[str, str],
                records: Sequence[dict[str, Any]]) -> None:
    """One worksheet: a bold, frozen, filterable header row, sized columns, then the records."""
    sheet = workbook.create_sheet(title)
    size_columns(sheet, columns, labels, records)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(records) + 1}"
    sheet.append(header_row(sheet, columns, labels))
    for record in records:
        sheet.append(record_row(sheet, columns, record))


def write_results(workbook: Any, labels: dict[str, str], rows: Rows,
                  ideas: Sequence[dict[str, Any]]) -> None:
    """The first sheet: themes ranked by dots, then (after an empty row) the ideas ranked by dots,
    question by question; ties share a rank. Stacked duplicates count with their card and are not
    ranked apart."""
    sheet = workbook.create_sheet(sheet_name(labels["results_sheet"], set(), "Results"))
    shown = {idea["id"] for idea in ideas}
    prompt_of = {idea["id"]: idea["prompt_id"] for idea in rows["ideas"]}
    totals = theme_totals(rows)
    themes: list[dict[str, Any]] = []
    ranked_ideas: list[dict[str, Any]] = []
    for prompt, mine in rounds(rows):
        themes += [{**theme, "rank": rank, "theme": theme["label"], "question": prompt["text"],
                    **translated(labels, theme_answer(rows, theme["id"]))}
                   for rank, _, theme in ranked([t for t in totals if mine(t["prompt_id"])],
                                                lambda t: int(t["votes"]))]
        cards = [idea for idea in ideas
                 if idea["duplicate_of"] not in shown and mine(prompt_of[idea["id"]])]
        ranked_ideas += [{**idea, "rank": rank}
                         for rank, _, idea in ranked(cards, lambda i: int(i["votes"]))]
    size_columns(sheet, RANKED_IDEA_COLUMNS, labels, ranked_ideas)
    sheet.freeze_panes = "A2"
    for columns, records in ((THEME_COLUMNS, themes), (RANKED_IDEA_COLUMNS, ranked_ideas)):
        if columns is RANKED_IDEA_COLUMNS:
            sheet.append([])
        sheet.append(header_row(sheet, columns, labels))
        for record in records:
            sheet.append(record_row(sheet, columns, record))


def translated(labels: dict[str, str], record: dict[str, Any]) -> dict[str, Any]:
    """A record with its answer's status in the sheet's language."""
    return {**record, "answer_status": labels.get(record["answer_status"], record["answer_status"])}


def write_background(workbook: Any, labels: dict[str, str], rows: Rows) -> None:
    """Who took part: counts per answer, "fewer than 5" below five, the population's share beside;
    then, per question, where groups agree (dots per theme from each group of 5 or more)."""
    sheet = workbook.create_sheet(sheet_name(labels["background_sheet"], set(), "Background"))
    records = [{"question": q.label, "option": c.label or labels["no_answer"],
                "count": labels["fewer_than_5"] if c.count is None else c.count,
                "percent": c.percent, "share": c.share} for q in question_counts(rows) for c in q.counts]
    size_columns(sheet, BACKGROUND_COLUMNS, labels, records)
    sheet.append(header_row(sheet, BACKGROUND_COLUMNS, labels))
    for record in records:
        sheet.append(record_row(sheet, BACKGROUND_COLUMNS, record))
    for found in agreements(rows):
        groups = [label or labels[kind] for label, kind, _ in found.groups]
        sheet.append([])
        sheet.append([labels["groups"].format(question=found.question)])
        sheet.append(header_row(sheet, ["theme", *groups, "everywhere"],
                                {"theme": labels["theme"], "everywhere": labels["everywhere"],
                                 **{g: g for g in groups}}))
        for theme in found.themes:
            label = WriteOnlyCell(sheet, value=cell_value(theme.label))
            label.data_type = "s"
            sheet.append([label, *theme.dots, labels["yes"] if theme.everywhere else ""])


def to_xlsx(rows: Rows, gettext: Callable[[str], str] = lambda text: text) -> bytes:
    """The visible ideas as an .xlsx workbook: a results sheet (themes, then ideas, ranked by dots,
    ties sharing a rank), then a sheet per question (in round order) with times in Copenhagen
    time as real date cells; headings in the language `gettext` translates into (English without)."""
    labels = {key: gettext(text) for key, text in LABELS.items()}
    workbook = Workbook(write_only=True)
    taken = {labels["results_sheet"].casefold(), "history"}  # "History" is reserved by Excel
    ideas = [translated(labels, idea) for idea in ideas_with_themes(rows)]
    write_results(workbook, labels, rows, ideas)
    if rows.get("background_questions"):
        taken.add(labels["background_sheet"].casefold())
        write_background(workbook, labels, rows)
    prompt_of = {idea["id"]: idea["prompt_id"] for idea in rows["ideas"]}
    for number, (prompt, mine) in enumerate(rounds(rows), start=1):
        write_sheet(workbook, sheet_name(prompt["text"], taken,
                                         labels["question_sheet"].format(n=number)),
                    IDEA_COLUMNS, labels, [i for i in ideas if mine(prompt_of[i["id"]])])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
