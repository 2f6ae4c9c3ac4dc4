"""Calling commands in tests: by name, as one of a fixture's actors, for the ack or the refusal."""

from __future__ import annotations

from typing import Any

import pytest

from facilitation import commands
from facilitation.errors import CommandError
from facilitation.model import FACILITATOR, Actor


def world(store: Any, prompt: str = "Q", participants: tuple[str, ...] = ("a", "b")) -> dict[str, Any]:
    """A workshop on `store` as the tests' `w` fixtures hold it: its facilitator ("fac"), the
    participants who joined (by name), its code and id."""
    workshop, _ = store.create_workshop("T", prompt)
    w = {"store": store, "fac": Actor(workshop, FACILITATOR), "code": workshop.code, "id": workshop.id}
    for name in participants:
        w[name], _ = commands.join(store, {"code": workshop.code})
    return w


def do(w: dict[str, Any], name: str, payload: Any, who: str = "fac") -> dict[str, Any]:
    """The ack of command `name` sent by actor `who` of the fixture `w`."""
    ack, _ = commands.execute(w["store"], w[who], name, payload)
    return ack  # type: ignore[no-any-return]


def refused(w: dict[str, Any], name: str, payload: Any, who: str = "fac") -> str:
    """The error code with which command `name` refuses `payload` from `who`."""
    with pytest.raises(CommandError) as error:
        do(w, name, payload, who)
    return error.value.code
