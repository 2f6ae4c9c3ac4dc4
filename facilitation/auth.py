"""Who an HTTP request is: the organiser (admin password), a workshop's facilitator, or anyone."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request, session

from .model import Workshop, facilitator_cookie, normalize_code
from .store import Store


def get_store() -> Store:
    """The application's one store."""
    return current_app.extensions["facilitation.store"]  # type: ignore[no-any-return]


def find_workshop(code: str) -> Workshop | None:
    """The workshop a URL's code names, however it was typed, or None."""
    canonical = normalize_code(code)
    return get_store().get_workshop(canonical) if canonical else None


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def admin_required() -> bool:
    """Whether an organiser password is set (then it guards /admin and creating workshops)."""
    return bool(current_app.config.get("ADMIN_PASSWORD"))


def admin_password_ok(candidate: object) -> bool:
    """Whether `candidate` is the organiser password, compared in constant time."""
    password = current_app.config.get("ADMIN_PASSWORD")
    if not password or not isinstance(candidate, str):
        return False
    return hmac.compare_digest(hashlib.sha256(candidate.encode()).digest(),
                               hashlib.sha256(password.encode()).digest())


def is_admin() -> bool:
    """Whether this request is the organiser's: signed in to /admin, or the password as Bearer."""
    return admin_required() and (session.get("admin") is True or admin_password_ok(bearer_token()))


def is_facilitator(workshop: Workshop) -> bool:
    """Whether this request may facilitate: the token (Bearer or cookie), or the organiser."""
    store = get_store()
    return (store.is_facilitator(workshop, bearer_token())
            or store.is_facilitator(workshop, request.cookies.get(facilitator_cookie(workshop.code)))
            or is_admin())
