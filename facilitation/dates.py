"""Dates and times on pages as the reader reads them: in Copenhagen time, in the page's language,
written the way the reader's own variant of it writes them (en-GB 14:05, en-US 2:05 PM)."""

from __future__ import annotations

from datetime import datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from flask import Flask, request
from flask_babel import get_locale, get_timezone


def reading_locale() -> Locale:
    """The page's language in the variant the browser asks for; English without a variant is
    written as in Britain (a Danish product's English readers are mostly in Europe)."""
    language = str(get_locale().language)
    for tag, _ in request.accept_languages:
        try:
            wanted = Locale.parse(tag, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
        if wanted.language == language and wanted.territory:
            return wanted
    return Locale.parse("en_GB" if language == "en" else language)


def parse(value: str | datetime | None) -> datetime | None:
    """A stored ISO 8601 UTC time (or a datetime) as an aware datetime."""
    if not value:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(value.replace("Z", "+00:00"))


def when(value: str | datetime | None) -> str:
    """A moment, short: date and time of day."""
    moment = parse(value)
    return format_datetime(moment, "short", tzinfo=get_timezone(), locale=reading_locale()) if moment else ""


def day(value: str | datetime | None) -> str:
    """A day, long: "26. november 2026", "26 November 2026"."""
    moment = parse(value)
    return format_date(moment.astimezone(get_timezone()), "long", locale=reading_locale()) if moment else ""


def init_app(app: Flask) -> None:
    """Register the `when` and `day` template filters."""
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["day"] = day
