"""Calling commands in tests: by name, as one of a fixture's actors, for the ack or the refusal."""

from __future__ import annotations

from typing import Any

import pytest

from facilitation import commands
from facilitation.errors import CommandError


def do(w: dict[str, Any], name: str, payload: Any, who: str = "fac") -> dict[str, Any]:
    """The ack of command `name` sent by actor `who` of the fixture `w`."""
    ack, _ = commands.execute(w["store"], w[who], name, payload)
    return ack  # type: ignore[no-any-return]


def refused(w: dict[str, Any], name: str, payload: Any, who: str = "fac") -> str:
    """The error code with which command `name` refuses `payload` from `who`."""
    with pytest.raises(CommandError) as error:
        do(w, name, payload, who)
    return error.value.code
