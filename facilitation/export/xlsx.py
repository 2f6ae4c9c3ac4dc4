"""A workshop's visible ideas as an Excel workbook: a sheet per question and one of themes."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .report import ranked, theme_totals
from .rows import IDEA_COLUMNS, Rows, ideas_with_themes

# Column headings and sheet names per interface language (the words of the glossary).
LABELS: dict[str, dict[str, str]] = {
    "en": {"id": "ID", "text": "Idea", "question": "Question", "theme": "Theme", "table": "Table",
           "author": "Name", "votes": "Dots", "duplicate_of": "Duplicate of",
           "created_at": "Sent (UTC)", "participant_id": "Participant", "rank": "Rank",
           "ideas": "Ideas", "theme_votes": "Dots on the theme", "idea_votes": "Dots on its ideas",
           "themes_sheet": "Themes", "question_sheet": "Question {n}"},
    "da": {"id": "ID", "text": "Idé", "question": "Spørgsmål", "theme": "Tema", "table": "Bord",
           "author": "Navn", "votes": "Prikker", "duplicate_of": "Dublet af",
           "created_at": "Sendt (UTC)", "participant_id": "Deltager", "rank": "Placering",
           "ideas": "Idéer", "theme_votes": "Prikker på temaet", "idea_votes": "Prikker på idéerne",
           "themes_sheet": "Temaer", "question_sheet": "Spørgsmål {n}"},
}
THEME_COLUMNS = ["rank", "theme", "ideas", "votes", "theme_votes", "idea_votes"]
# Widest a column gets (characters); longer ideas wrap inside their cell.
MAX_WIDTH = {"text": 70, "question": 40, "theme": 30, "table": 20, "author": 20}
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


def write_sheet(workbook: Any, title: str, columns: Sequence[str], labels: dict[str, str],
                records: Sequence[dict[str, Any]]) -> None:
    """One worksheet: a bold, frozen, filterable header row, sized columns, then the records."""
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        longest = max([len(labels[column]), *(len(str(r[column] or "")) for r in records)])
        sheet.column_dimensions[get_column_letter(index)].width = min(
            longest + 2, MAX_WIDTH.get(column, 24))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(records) + 1}"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=labels[column])
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for record in records:
        row = []
        for column in columns:
            value = cell_value(record[column])
            if isinstance(value, str) and value:
                # Text is text: an idea starting with "=" must never become a formula.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                if column == "text":
                    cell.alignment = wrap
                row.append(cell)
            else:
                row.append(value)
        sheet.append(row)


def to_xlsx(rows: Rows, language: str = "en") -> bytes:
    """The visible ideas as an .xlsx workbook: a sheet per question (in round order), then a
    themes sheet ranked by dots, ties sharing a rank; headings in English or Danish."""
    labels = LABELS.get(language, LABELS["en"])
    workbook = Workbook(write_only=True)
    taken = {labels["themes_sheet"].casefold(), "history"}  # "History" is reserved by Excel
    ideas = ideas_with_themes(rows)
    prompts = sorted(rows["prompts"], key=lambda p: (p["position"], p["id"]))
    prompt_of = {idea["id"]: idea["prompt_id"] for idea in rows["ideas"]}
    known = {p["id"] for p in prompts}
    for number, prompt in enumerate(prompts, start=1):
        mine = [i for i in ideas if prompt_of[i["id"]] == prompt["id"]
                or (number == 1 and prompt_of[i["id"]] not in known)]
        write_sheet(workbook, sheet_name(prompt["text"], taken,
                                         labels["question_sheet"].format(n=number)),
                    IDEA_COLUMNS, labels, mine)
    if not prompts:
        write_sheet(workbook, sheet_name("", taken, labels["question_sheet"].format(n=1)),
                    IDEA_COLUMNS, labels, ideas)
    themes = [{**theme, "rank": rank, "theme": theme["label"]}
              for rank, _, theme in ranked(theme_totals(rows), lambda t: int(t["votes"]))]
    write_sheet(workbook, labels["themes_sheet"], THEME_COLUMNS, labels, themes)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
