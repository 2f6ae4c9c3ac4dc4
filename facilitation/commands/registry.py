"""The command registry and `execute`, the one way any transport runs a command.

Each command declares its event name, who may send it, its payload type and the facts it may emit;
`execute` reads the current workshop once (erased -> `not_found`), checks the role, parses the
payload into that type and calls the command with a `Context`.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Union, dataclass_transform, get_args, get_origin, get_type_hints

from ..errors import N_, CommandError, Forbidden, NotFound, Unauthorized
from ..facts import Event, Fact
from ..model import (
    FACILITATOR, PARTICIPANT, Actor, Cluster, Idea, Workshop, check_sane, clean_text, is_whole,
)
from ..store import Store

Result = tuple[dict[str, Any], list[Fact]]
JOINED = "joined"  # who may send a command: FACILITATOR, PARTICIPANT or JOINED (any screen)
MAX_LIST = 5000  # the longest list of ids a payload may carry


def run_here(function: Callable[..., Any], *args: Any) -> Any:
    """Run a function in the caller's thread (the default way to run CPU-heavy work)."""
    return function(*args)


@dataclass(frozen=True)
class Context:
    """What a command works with: the store, who sent it, and the workshop as it is now."""

    store: Store
    actor: Actor
    workshop: Workshop
    run: Callable[..., Any] = run_here
    gettext: Callable[[str], str] = lambda text: text
    # Asked before a command answers a screen or phone with a whole snapshot: the transport's
    # limit per address (snapshots are large), which may refuse with `rate_limited`.
    admit_snapshot: Callable[[], None] = lambda: None

    @property
    def workshop_id(self) -> int:
        """The workshop's internal id."""
        return self.workshop.id

    @property
    def participant_id(self) -> int:
        """The sender's participant id (participant commands only)."""
        assert self.actor.participant_id is not None
        return self.actor.participant_id

    def idea(self, idea_id: int, visible: bool = False) -> Idea:
        """An idea of this workshop (if `visible`, one not hidden), or `idea_not_found`."""
        idea = self.store.get_idea(self.workshop_id, idea_id)
        if idea is None or (visible and idea.hidden):
            raise NotFound("idea_not_found")
        return idea

    def theme(self, cluster_id: int) -> Cluster:
        """A theme of this workshop, or `theme_not_found`."""
        cluster = self.store.get_cluster(self.workshop_id, cluster_id)
        if cluster is None:
            raise NotFound("theme_not_found")
        return cluster


Handler = Callable[[Context, Any], Result]


class Command:
    """A registered command; calling it as `command(store, actor, payload)` runs it through `execute`."""

    def __init__(self, name: str, who: str, payload: type | None, emits: tuple[type[Event], ...],
                 handler: Handler, rate: tuple[float, int] | None, refreshes: tuple[str, ...],
                 socket: bool) -> None:
        self.name, self.who, self.payload, self.emits = name, who, payload, emits
        self.handler, self.rate, self.refreshes, self.socket = handler, rate, refreshes, socket
        self.__doc__ = handler.__doc__
        self.__name__ = name
        self.__wrapped__ = handler

    def __call__(self, store: Store, actor: Actor | None, payload: object, **options: Any) -> Result:
        return execute(store, actor, self.name, payload, **options)


COMMANDS: dict[str, Command] = {}


def command(name: str, who: str, payload: type | None = None, emits: tuple[type[Event], ...] = (),
            rate: tuple[float, int] | None = None, refreshes: tuple[str, ...] = (),
            socket: bool = True) -> Callable[[Handler], Command]:
    """Register a function `(ctx, payload) -> (ack, facts)` as the command `name`.

    `who`: FACILITATOR, PARTICIPANT or JOINED. `payload`: a dataclass the message is parsed into
    (None: no payload). `emits`: every fact class it may return. `rate`: a per-participant limit
    (per second, burst) beside the connection's. `refreshes`: signals sent soon after it succeeds.
    `socket=False`: an HTTP route's command, not a Socket.IO event.
    """
    def register(handler: Handler) -> Command:
        if name in COMMANDS:
            raise ValueError(f"command {name} is registered twice")
        COMMANDS[name] = Command(name, who, payload, emits, handler, rate, refreshes, socket)
        return COMMANDS[name]
    return register


@dataclass(frozen=True)
class Parsed:
    """A payload already parsed into its command's type: `execute` does not parse it again (the
    dispatcher parses a rate-limited one first, so that an invalid message costs no allowance)."""

    value: Any


def execute(store: Store, actor: Actor | None, name: str, payload: object,
            run: Callable[..., Any] = run_here,
            gettext: Callable[[str], str] = lambda text: text,
            admit_snapshot: Callable[[], None] = lambda: None) -> Result:
    """Run command `name` for `actor`: the checks every command shares, then the command itself."""
    spec = COMMANDS[name]
    if actor is None:
        raise Unauthorized("not_joined")
    workshop = store.get_workshop(actor.workshop.code)
    if workshop is None:
        raise NotFound("not_found", N_("This workshop has been deleted."))
    check_role(spec.who, actor)
    context = Context(store, actor, workshop, run, gettext, admit_snapshot)
    message = payload.value if isinstance(payload, Parsed) else parse(spec.payload, payload)
    ack, facts = spec.handler(context, message)
    assert all(isinstance(f, spec.emits) for f in facts), f"{name} emits an undeclared fact"
    return ack, facts


def check_role(who: str, actor: Actor) -> None:
    """Refuse an actor the command is not for."""
    if who == FACILITATOR and not actor.is_facilitator:
        raise Forbidden("forbidden")
    if who == PARTICIPANT and actor.participant_id is None:
        raise Forbidden("participants_only")


def fields(payload: object) -> dict[str, Any]:
    """The payload as a mapping; anything but a JSON object (or nothing) is refused."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise CommandError("invalid", N_("The message must be a JSON object."))
    check_sane(payload)
    return payload


# Payload parsing: a dataclass's type hints say what each field must be.

@dataclass(frozen=True)
class Check:
    """`Annotated[T, Check(function)]`: the field's value is `function(value)` (which may refuse).

    Name a module-level function: annotations are evaluated where a lambda cannot see the module.
    """

    function: Callable[[Any], Any]


@dataclass_transform(frozen_default=True)
class Payload:
    """What a command's message is parsed into: each subclass is a frozen dataclass whose docstring
    is the payload as docs/protocol.md shows it."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True)(cls)


def Text(field: str, limit: int) -> Check:  # noqa: N802 - reads as a type in annotations
    """A text field: trimmed, NFC, 1 to `limit` characters."""
    return Check(lambda value: clean_text(value, field, limit))


def parse(kind: type | None, payload: object) -> Any:
    """The payload as an instance of `kind` (a dataclass), or a refusal naming the bad field."""
    data = fields(payload)
    if kind is None or kind is dict:
        return data
    hints = get_type_hints(kind, include_extras=True)
    values = {}
    for field in dataclasses.fields(kind):
        if field.name in data:
            values[field.name] = check(hints[field.name], data[field.name], field.name)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise CommandError("invalid", N_("%(name)s is required."), name=field.name)
    return kind(**values)


def check(hint: Any, value: Any, name: str) -> Any:
    """`value` if it is of type `hint` (booleans are not numbers here), else `invalid`."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        if value is None and _optional(args[0]):
            return None
        return args[1].function(value)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return check(next(a for a in args if a is not type(None)), value, name)
    if hint is int:
        if is_whole(value):
            return value
        raise CommandError("invalid", N_("%(name)s must be a whole number."), name=name)
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise CommandError("invalid", N_("%(name)s must be true or false."), name=name)
    if hint is str:
        if isinstance(value, str):
            return value
        raise CommandError("invalid", N_("%(name)s must be text."), name=name)
    if origin is list:
        return _list(args[0] if args else Any, value, name)
    return value  # Any / object: the command checks it


def _list(item: Any, value: Any, name: str) -> list[Any]:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise CommandError("invalid", N_("%(name)s must be a list."), name=name)
    if item is int:
        if not all(is_whole(i) for i in value):
            raise CommandError("invalid", N_("%(name)s must be a list of whole numbers."), name=name)
        return list(dict.fromkeys(value))  # an id repeated counts once
    return [check(item, i, name) for i in value]


def _optional(hint: Any) -> bool:
    return get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)


# Payloads several commands share.

class IdeaRef(Payload):
    """`{"idea_id"}`"""

    idea_id: int


__all__ = ["COMMANDS", "JOINED", "PARTICIPANT", "FACILITATOR", "Command", "Context", "IdeaRef",
           "Result", "Text", "Check", "command", "execute", "fields", "parse"]
