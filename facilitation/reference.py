"""docs/protocol.md's tables of commands, facts and errors, rendered from the code: the command
registry (`COMMANDS`, and `join`), the fact classes (`FACTS`) and the error catalogue (`CATALOGUE`).

Each command's and fact's docstring ends in fields the tables show (`Payload:`, `Ack:`, and `Who:`
where the role needs a word more than the registry says); a command's payload is its payload class's
docstring, and a fact without `Payload:` sends its fields; each error code says `when` in the
catalogue. `make docs` runs cog over docs/protocol.md, which calls these; tests/unit/test_docs.py
fails when the document and the code differ.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any

from .commands import COMMANDS
from .commands.core import join
from .commands.registry import JOINED
from .errors import CATALOGUE
from .facts import FACTS, Event, Fact
from .model import FACILITATOR, PARTICIPANT

WHO = {FACILITATOR: "facilitator", PARTICIPANT: "participant", JOINED: "anyone joined"}
# Sent outside the fact registry: to a workshop's facilitators by the dispatcher, never logged.
SIGNALS = {"storage_full": "`{}`: facilitators only, when a command of their workshop was refused with "
                           "`storage_full` (the server's disk is full), at most once every 5 s per workshop "
                           "and worker; the console says so; no `seq`"}


def doc_fields(obj: Any) -> dict[str, str]:
    """The `Name: value` fields at the end of an object's docstring (a value may go on over
    indented lines)."""
    found: dict[str, str] = {}
    name = None
    for line in inspect.cleandoc(obj.__doc__ or "").splitlines():
        match = re.match(r"([A-Z][a-z]+): (.*)", line)
        if match:
            name = match.group(1)
            found[name] = match.group(2).strip()
        elif name and line.startswith(" "):
            found[name] += " " + line.strip()
        else:
            name = None
    return found


def render(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows]) + "\n"


def payload_doc(payload: type | None) -> str:
    """A command's payload as its payload class's docstring says it (`{}` without one)."""
    return " ".join(inspect.cleandoc(payload.__doc__ or "").split()) if payload is not None else "`{}`"


def commands_table() -> str:
    """Every Socket.IO command: who sends it, its payload and its ack."""
    rows = []
    entries: list[tuple[str, str, Callable[..., Any]]] = [("join", "anyone", join)]
    entries += [(name, WHO[spec.who], spec.handler) for name, spec in COMMANDS.items() if spec.socket]
    for name, who, handler in entries:
        fields = doc_fields(handler)
        payload = fields.get("Payload") or payload_doc(COMMANDS[name].payload if name in COMMANDS else None)
        rows.append((f"`{name}`", fields.get("Who", who), payload, fields.get("Ack", "")))
    return render(("event", "who", "payload", "ack on success"), rows)


def fact_payload(kind: type[Event]) -> str:
    """A fact's payload as its docstring's `Payload:` says, or else its fields as sent."""
    sent = [f.name for f in fields(kind) if f.name != "seq" and not f.metadata.get("internal")]
    sent += ["seq"] if issubclass(kind, Fact) else []
    return doc_fields(kind).get("Payload", "`{" + ", ".join(f'"{name}"' for name in sent) + "}`")


def facts_table() -> str:
    """Every event the server sends: its payload."""
    rows = [(f"`{name}`", fact_payload(kind)) for name, kind in FACTS.items()]
    rows += [(f"`{name}`", text) for name, text in SIGNALS.items()]
    return render(("event", "payload"), rows)


def errors_table() -> str:
    """Every error code: its HTTP status and when it is given."""
    rows = [(f"`{code}`", str(entry.kind.status), " ".join(entry.when.split())) for code, entry in CATALOGUE.items()]
    return render(("code", "status", "when"), rows)
