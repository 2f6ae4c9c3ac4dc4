"""The app in-process: the organiser password the tests give it, and the CSRF token its forms carry."""

from __future__ import annotations

from typing import Any

ADMIN_PASSWORD = "kommunens-hemmelighed"


def form_token(client: Any, page: str = "/") -> str:
    """The CSRF token a test-client session's forms carry (from a page that has a form)."""
    client.get(page)
    with client.session_transaction() as session:
        return str(session["csrf"])
