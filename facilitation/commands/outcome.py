"""Commands before and after the evening: the frame, answers, and background questions."""

from __future__ import annotations

from typing import Annotated, Any

from ..errors import N_, CommandError, NotFound
from ..facts import AnswerSet, BackgroundSet, FrameSet
from ..model import FACILITATOR, MAX_ANSWER_LENGTH, PARTICIPANT, clean_text, is_whole
from .registry import Check, Context, Payload, Result, command

MAX_FRAME_LENGTH = 1000
ANSWER_STATUSES = ("considering", "adopted", "declined", "done")
MAX_QUESTIONS = 3
MIN_OPTIONS, MAX_OPTIONS = 2, 12
MAX_QUESTION_LABEL, MAX_OPTION_LABEL = 120, 60


def optional_text(raw: object, field: str, limit: int) -> str:
    """Text that may be empty ("" clears it): trimmed, NFC, at most `limit` characters."""
    if isinstance(raw, str) and not raw.strip():
        return ""
    return clean_text(raw, field, limit)


def frame_text(raw: object) -> str:
    """The frame: 0-1,000 characters."""
    return optional_text(raw, "frame", MAX_FRAME_LENGTH)


def answer_text(raw: object) -> str:
    """An answer's text: 0-2,000 characters."""
    return optional_text(raw, "answer", MAX_ANSWER_LENGTH)


def answer_status(raw: object) -> str:
    """One of the answer statuses."""
    if raw not in ANSWER_STATUSES:
        raise CommandError("invalid", N_("status must be one of: %(choices)s."),
                           choices=", ".join(ANSWER_STATUSES))
    return str(raw)


class Frame(Payload):
    """`{"text"}` (0-1,000 characters; "" removes the frame)"""

    text: object  # checked by the command: "" is a value here (no frame), not a mistake


@command("set_frame", FACILITATOR, Frame, emits=(FrameSet,))
def set_frame(ctx: Context, p: Frame) -> Result:
    """Facilitator -> what is open for influence, what is decided, who decides and when participants
    hear back; `frame_set`.

    Ack: `{"ok", "frame"}`
    """
    text = frame_text(p.text)
    fact = ctx.store.set_frame(ctx.workshop_id, text)
    return {"frame": text}, [fact] if fact else []


class Answer(Payload):
    """`{"cluster_id" or "idea_id", "status": "considering" or "adopted" or "declined" or "done", "text"}` (text
        0-2,000 characters, default "")
    """

    status: Annotated[str, Check(answer_status)]
    cluster_id: int | None = None
    idea_id: int | None = None
    text: object = ""  # checked by the command: an answer may be a status alone


@command("set_answer", FACILITATOR, Answer, emits=(AnswerSet,))
def set_answer(ctx: Context, p: Answer) -> Result:
    """Facilitator or organiser, in any phase, also after closing -> the answer to a theme or an
    idea; `answer_set` (every phone shows it beside its own ideas).

    Who: facilitator or organiser, any phase (also after closing)
    Ack: `{"ok", "answer": {"id", "cluster_id", "idea_id", "status", "text", "updated_at"}}`
    """
    if (p.cluster_id is None) == (p.idea_id is None):
        raise CommandError("invalid", N_("Answer one cluster_id or one idea_id."))
    if p.cluster_id is not None:
        column, item_id = "cluster_id", ctx.theme(p.cluster_id).id
    else:
        column, item_id = "idea_id", ctx.idea(p.idea_id).id  # type: ignore[arg-type]
    fact = ctx.store.set_answer(ctx.workshop_id, column, item_id, p.status, answer_text(p.text),
                                ctx.actor.label)
    answer = fact.payload["answer"] if fact else next(
        a for a in ctx.store.answers(ctx.workshop_id) if a[column] == item_id)
    return {"answer": answer}, [fact] if fact else []


class AnswerMove(Payload):
    """`{"from_cluster_id", "cluster_id"}`: two themes of one question"""

    from_cluster_id: int
    cluster_id: int


@command("move_answer", FACILITATOR, AnswerMove, emits=(AnswerSet,))
def move_answer(ctx: Context, p: AnswerMove) -> Result:
    """Facilitator -> a theme's answer, status, text and all, moved to a theme that has none (the
    console's undo of a merge gives the answer back to the theme it came from); `answer_set`.

    Ack: `{"ok", "answer": {"id", "cluster_id", "idea_id", "status", "text", "updated_at"}}`
    """
    source, target = ctx.theme(p.from_cluster_id), ctx.theme(p.cluster_id)
    if source.id == target.id or source.prompt_id != target.prompt_id:
        raise CommandError("invalid", N_("Choose two different themes of the same question."))
    fact = ctx.store.move_answer(ctx.workshop_id, source.id, target.id)
    if fact is None:
        raise CommandError("invalid", N_("Only an answer of a theme can move, and only to a theme without one."))
    return {"answer": fact.payload["answer"]}, [fact]


def _option(raw: object) -> tuple[str, float | None]:
    """An option: its label, or `{"label", "share"}` with the population's share in percent."""
    share = None
    if isinstance(raw, dict):
        share = raw.get("share")
        if share is not None and (isinstance(share, bool) or not isinstance(share, (int, float))
                                  or not 0 <= share <= 100):
            raise CommandError("invalid", N_("share must be a percentage from 0 to 100, or null."))
        raw = raw.get("label")
    return clean_text(raw, "option", MAX_OPTION_LABEL), None if share is None else float(share)


def questions(raw: object) -> list[tuple[str, list[tuple[str, float | None]]]]:
    """At most 3 questions, each a label and 2-12 options with different labels."""
    if not isinstance(raw, list) or len(raw) > MAX_QUESTIONS:
        raise CommandError("invalid", N_("questions must be a list of at most %(limit)s questions."),
                           limit=MAX_QUESTIONS)
    parsed: list[tuple[str, list[tuple[str, float | None]]]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise CommandError("invalid", N_("Each question must be an object with a label and options."))
        label = clean_text(item.get("label"), "background question", MAX_QUESTION_LABEL)
        options = item.get("options")
        if not isinstance(options, list) or len(options) > MAX_OPTIONS:
            raise CommandError("invalid", N_("A question has %(low)s to %(high)s options."),
                               low=MIN_OPTIONS, high=MAX_OPTIONS)
        cleaned = list(dict(_option(option) for option in options).items())  # a label repeated: once
        if len(cleaned) < MIN_OPTIONS:
            raise CommandError("invalid", N_("A question has %(low)s to %(high)s options."),
                               low=MIN_OPTIONS, high=MAX_OPTIONS)
        if label in {q for q, _ in parsed}:
            raise CommandError("invalid", N_("Two questions have the same text."))
        parsed.append((label, cleaned))
    return parsed


class Background(Payload):
    """`{"questions": [{"label", "options": [labels]}]}` (at most 3 questions of 1-120 characters, each with 2-12
        options of 1-60; an option may be `{"label", "share"}`, the population's share in percent, shown beside the
        counts; `[]` removes them)
    """

    questions: Annotated[list[Any], Check(questions)]


@command("set_background", FACILITATOR, Background, emits=(BackgroundSet,))
def set_background(ctx: Context, p: Background) -> Result:
    """Facilitator -> the background questions phones offer under "About you" (optional for
    participants); `background_set`.

    Ack: `{"ok", "questions": [{"id", "label", "options": [{"id", "label", "share"}]}]}`
    """
    fact = ctx.store.set_background(ctx.workshop_id, p.questions)
    return {"questions": fact.payload["questions"]}, [fact]


class BackgroundAnswers(Payload):
    """`{"answers": {question id: option id}}` (a question left out or null is unanswered)"""

    answers: object = None


@command("set_background_answers", PARTICIPANT, BackgroundAnswers)
def set_background_answers(ctx: Context, p: BackgroundAnswers) -> Result:
    """Participant -> their answers to the background questions, all at once (any left out are
    removed); nobody else sees them: outputs show only counts, none under 5.

    Ack: `{"ok", "answers"}`
    """
    if not isinstance(p.answers, dict):
        raise CommandError("invalid", N_("answers must be an object of question id: option id."))
    offered = {q["id"]: {o["id"] for o in q["options"]} for q in ctx.store.background(ctx.workshop_id)}
    chosen: dict[int, int] = {}
    for key, option in p.answers.items():
        question = int(key) if isinstance(key, str) and key.isdigit() else None
        if question is None or question not in offered:
            raise NotFound("background_not_found")
        if option is None:
            continue
        if not is_whole(option) or option not in offered[question]:
            raise NotFound("background_not_found")
        chosen[question] = option
    ctx.store.set_background_answers(ctx.participant_id, chosen)
    return {"answers": {str(q): o for q, o in chosen.items()}}, []
