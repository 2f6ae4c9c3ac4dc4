"""The console's newcomers (issue 19): a burst of identities from one laptop is held, the console
says how many and since when, hides all of one person's ideas with an undo, and lets them in."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bench._wsclient import RawSocketIO
from facilitation.security import NEWCOMER_BURST
from tests.browser.pages import expect, online
from tests.servers import LiveServer


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on every interface, so one laptop's identities come from a real address."""
    server = LiveServer(tmp_path_factory.mktemp("newcomers"), "eventlet", "--host", "0.0.0.0")
    server.start()
    yield server
    server.kill()


def test_the_console_lets_held_newcomers_in_and_hides_one_persons_ideas(
        hall: LiveServer, new_page: Callable[..., Any], shots: Path) -> None:
    from facilitation.launch import lan_address

    host = lan_address()
    if host == "127.0.0.1":
        if os.environ.get("CI"):  # CI runs every test: a skip there would hide a broken bound
            pytest.fail("this machine has no network address but the loopback")
        pytest.skip("this machine has no network address but the loopback")
    created = hall.create_workshop()
    code = created["code"]
    laptop = []
    try:
        last = NEWCOMER_BURST + 5
        for n in range(last + 1):  # the last ones are past the hall's pace
            phone = RawSocketIO(hall.port, host=host)
            token = phone.call("join", {"code": code})["participant_token"]
            for k in range(2 if n == last else 1):
                phone.call("post_idea", {"text": f"Spam {n}.{k}", "client_id": str(k)})
            laptop.append(phone)
        seen = requests.get(f"{hall.url}/api/workshops/{code}", timeout=10,
                            headers={"Authorization": f"Bearer {created['facilitator_token']}"}).json()
        held = seen["workshop"]["newcomers_held"]
        waiting = sum(i["pending"] for i in seen["ideas"])
        assert held >= 3 and waiting == held + 1
        console = new_page(f"{hall.url}/w/{code}/facilitate?token={created['facilitator_token']}",
                           viewport={"width": 1440, "height": 900}, locale="en-GB")
        online(console)
        banner = console.locator("#newcomers")
        expect(banner).to_be_visible()
        expect(console.locator("#newcomers-text")).to_contain_text(f"{held} newcomers from one address since")
        queue = console.locator("#queue-list > *")
        expect(queue).to_have_count(waiting)
        console.screenshot(path=str(shots / "console-newcomers-1440x900.png"))
        # The last newcomer wrote two: one click hides both, and Undo shows them again.
        text = f"Spam {last}.0"
        queue.filter(has_text=text).get_by_role("button", name=f"Hide all from this person: {text}").click()
        expect(queue).to_have_count(waiting - 2)
        expect(console.locator("#undo")).to_have_text("Undo: hide all from one person")
        console.locator("#undo").click()
        expect(queue).to_have_count(waiting)
        # The last newcomer's phone in the vote (its token in the browser): held, it says its dots
        # wait; let in, it says so at once, without joining again.
        phone_page = new_page(viewport={"width": 390, "height": 844}, locale="en-GB")
        phone_page.add_init_script(f"localStorage.setItem('idea-factory:{code}:participant', '{token}')")
        phone_page.goto(f"{hall.url}/join/{code}")
        online(phone_page)
        console.locator(".phase-button[data-phase=vote]").click()
        how = phone_page.locator("#vote-how")
        expect(how).to_contain_text("Your dots count once the facilitator lets new participants in.")
        phone_page.screenshot(path=str(shots / "phone-held-390x844.png"))
        console.get_by_role("button", name="Let them in").click()
        expect(how).not_to_contain_text("facilitator")
        expect(how).not_to_be_empty()
        expect(banner).to_be_hidden()
        expect(console.locator("#queue")).to_be_hidden()
        ideas = requests.get(f"{hall.url}/api/workshops/{code}", timeout=10).json()["ideas"]
        assert len(ideas) == last + 2  # every idea on the wall now
        assert console.errors == [] and phone_page.errors == []  # type: ignore[attr-defined]
    finally:
        for phone in laptop:
            phone.close()
