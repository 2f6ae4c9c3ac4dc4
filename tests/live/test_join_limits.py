"""Join limits against a real server: the phone page opened in the facilitator's browser joins as a participant."""

from __future__ import annotations

from typing import Any


def test_the_phone_page_joins_as_a_participant_in_the_facilitators_browser(live_server: Any) -> None:
    import socketio as client_socketio

    created = live_server.create_workshop()
    code, token = created["code"], created["facilitator_token"]
    browser = client_socketio.Client(reconnection=False)
    browser.connect(live_server.url, headers={"Cookie": f"facilitator_{code}={token}"},
                    transports=["websocket"], wait_timeout=10)
    try:
        assert browser.call("join", {"code": code}, timeout=10)["role"] == "facilitator"  # the console
        phone = browser.call("join", {"code": code, "participant": True}, timeout=10)
        assert phone["role"] == "participant" and phone["participant_token"]
    finally:
        browser.disconnect()
