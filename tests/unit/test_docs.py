"""docs/protocol.md held to the code: every command, fact, field, error code and HTTP route the server
has is documented, and every screen's JavaScript handles each fact it receives."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from facilitation import flow, reference
from facilitation.commands import COMMANDS
from facilitation.errors import CATALOGUE
from facilitation.facts import FACTS, RECEIVERS
from facilitation.model import Idea, Workshop

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
# Each screen: its template, whose <script type="module"> names the module that imports the rest.
SCREENS = {"wall": "wall.html", "phone": "join.html", "console": "facilitate.html"}


def section(title: str) -> str:
    """The text of one `##`/`###` section of the document, up to the next heading."""
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ )", DOC + "\n# end", re.M | re.S)
    assert match, f"docs/protocol.md has no section {title!r}"
    return match.group(1)


def rows(text: str) -> dict[str, str]:
    """The rows of the tables in `text`, by the name in the first cell (`` `name` ``)."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"\| `([^`]+)` \|(.*)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_the_generated_tables_match_the_code() -> None:
    blocks = re.findall(r"cog\.out\(reference\.(\w+)\(\)\)\n\]\]\] -->\n(.*?)<!-- \[\[\[end\]\]\] -->", DOC, re.S)
    assert sorted(name for name, _ in blocks) == ["commands_table", "errors_table", "facts_table"]
    for name, text in blocks:
        assert text == getattr(reference, name)(), f"docs/protocol.md's {name} is not the code's: run `make docs`"
    for line in "".join(text for _, text in blocks).splitlines():
        assert "|  |" not in line and not line.endswith("| |"), f"a row without its text: {line}"


def test_every_command_and_its_payload_fields_are_documented() -> None:
    table = rows(section("Commands"))
    events = {name for name, spec in COMMANDS.items() if spec.socket} | {"join"}
    missing = sorted(events - set(table))
    assert missing == [], "commands missing from docs/protocol.md's Commands table"
    for name, spec in COMMANDS.items():
        if spec.socket and spec.payload is not None and dataclasses.is_dataclass(spec.payload):
            for field in dataclasses.fields(spec.payload):
                assert f'"{field.name}"' in table[name], f"{name}: payload field {field.name}"


def test_every_fact_and_its_fields_are_documented() -> None:
    table = rows(section("Facts"))
    assert sorted(set(FACTS) - set(table)) == [], "facts missing from the Facts table"
    for name, kind in FACTS.items():
        for field in dataclasses.fields(kind):  # type: ignore[arg-type]
            if not field.metadata.get("internal"):  # how a fact is routed, not part of it
                assert f'"{field.name}"' in table[name], f"{name}: field {field.name}"


def test_ideas_and_workshops_are_documented_with_every_field() -> None:
    snapshot = section("Snapshot")
    for kind in (Idea, Workshop):
        public = set(kind(**{f.name: None for f in dataclasses.fields(kind)}).to_dict())  # type: ignore[arg-type]
        assert sorted(f for f in public if f'"{f}"' not in snapshot) == [], kind.__name__


def test_every_error_code_is_documented() -> None:
    table = rows(section("Errors"))
    documented = {code.strip() for name in table for code in name.split("`, `")}
    documented |= {c for line in section("Errors").splitlines() for c in re.findall(r"`([a-z_]+)`", line)
                   if line.startswith("| `")}
    assert sorted(set(CATALOGUE) - documented) == []


def test_every_command_line_option_is_documented() -> None:
    import argparse

    import app as program

    documented = section("Command line")
    options = [option for action in program.options()._actions if action.help != argparse.SUPPRESS
               for option in action.option_strings if option.startswith("--") and option != "--help"]
    # The whole name: `--max-connections` is not documented by `--max-connections-per-address`.
    assert [option for option in options
            if not re.search(rf"`{re.escape(option)}[`\s=]", documented)] == []


def test_every_http_route_is_documented(app: Any) -> None:
    lines = [line for line in section("HTTP").splitlines() if line.startswith("| `")]
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<[^>]+>", "(<[^>]+>|[^/` ?]+)", re.escape(rule.rule))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):  # type: ignore[operator]
            pattern = re.compile(rf"^\| `{method} {path}(\?[^`]*)?` \|")
            if not any(pattern.match(line) for line in lines):
                missing.append(f"{method} {rule.rule}")
    assert missing == []


def scripts(template: str) -> str:
    """The JavaScript of a screen: the modules its template loads and all they import."""
    html = "".join((ROOT / "templates" / name).read_text(encoding="utf-8") for name in ("base.html", "_strings.html", template))
    todo = [ROOT / "static" / name for name in re.findall(r"filename='(js/[^']+\.js)'", html)]
    assert todo, template
    seen: dict[Path, str] = {}
    while todo:
        path = todo.pop().resolve()
        if path not in seen:
            seen[path] = path.read_text(encoding="utf-8")
            todo += [path.parent / name for name in re.findall(r'^import .* from "(\.[^"]+)";$', seen[path], re.M)]
    return "".join(seen.values())


def test_the_console_loads_no_wall_code_and_the_phases_are_the_servers() -> None:
    console = scripts("facilitate.html")
    assert "function startWall" not in console and "wallIdeas" not in console  # shared/screen.js instead
    phases = re.search(r"export const PHASES = (\[[^\]]*\]);", (ROOT / "static/js/shared/phases.js").read_text())
    assert phases and tuple(json.loads(phases.group(1))) == flow.PHASES


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_every_screen_handles_the_facts_it_receives(screen: str) -> None:
    code = scripts(SCREENS[screen])
    handled = set(re.findall(r'case "([a-z_]+)":', code)) | set(re.findall(r'\.on\("([a-z_]+)"', code))
    received = {name for name, kind in FACTS.items() if screen in RECEIVERS[kind.audience]}
    assert sorted(received - handled) == [], f"{screen} has no handler for these facts"
