"""Who an HTTP request is: the organiser (admin password), a workshop's facilitator, or anyone."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request, session

from .model import Workshop, facilitator_cookie, normalize_code
from .security import guard_secret, secret_failed
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


def _password_matches(candidate: str) -> bool:
    password = current_app.config.get("ADMIN_PASSWORD") or ""
    return hmac.compare_digest(hashlib.sha256(candidate.encode()).digest(),
                               hashlib.sha256(password.encode()).digest())


def admin_password_ok(candidate: object) -> bool:
    """Whether `candidate` is the organiser password, compared in constant time; wrong guesses are
    throttled per address (429 once used up)."""
    if not admin_required() or not isinstance(candidate, str) or not candidate:
        return False
    guard_secret()
    if _password_matches(candidate):
        return True
    secret_failed()
    return False


def organiser_session_mark() -> str:
    """What a signed-in organiser's session holds: valid for this password and session generation
    only, so signing out (a new generation) and a new password revoke every earlier cookie, a copy
    of the cookie included (the cookie itself is signed, not stored)."""
    password = current_app.config.get("ADMIN_PASSWORD") or ""
    generation = get_store().organiser_generation()
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"organiser:{generation}:{password}".encode(), hashlib.sha256).hexdigest()


def signed_in() -> bool:
    """Whether the session is a signed-in organiser's of the current password and generation."""
    mark = session.get("admin")
    return isinstance(mark, str) and hmac.compare_digest(mark, organiser_session_mark())


def is_admin() -> bool:
    """Whether this request is the organiser's: signed in to /admin, or the password as Bearer."""
    return admin_required() and (signed_in() or admin_password_ok(bearer_token()))


def facilitator_token_ok(workshop: Workshop, token: object) -> bool:
    """Whether `token` is this workshop's facilitator token; wrong ones are throttled per address."""
    if not isinstance(token, str) or not token:
        return False
    guard_secret()
    if get_store().is_facilitator(workshop, token):
        return True
    secret_failed()
    return False


def is_facilitator(workshop: Workshop) -> bool:
    """Whether this request may facilitate: the token (Bearer or cookie), or the organiser.

    A presented secret that matches nothing counts as one wrong guess for this address, whichever
    route it came to, so guessing through `Authorization: Bearer` is as slow as through the form."""
    if admin_required() and signed_in():
        return True
    presented = [s for s in (bearer_token(), request.cookies.get(facilitator_cookie(workshop.code)))
                 if s]
    if not presented:
        return False
    guard_secret()
    store = get_store()
    if any(store.is_facilitator(workshop, secret) for secret in presented):
        return True
    bearer = bearer_token()
    if bearer and admin_required() and _password_matches(bearer):
        return True
    secret_failed()
    return False
