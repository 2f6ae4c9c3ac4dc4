"""A small Android (360x640) on a first visit: what it downloads as sent (compressed, 60 KB at most),
and that the result of each action is on screen where the finger is: the confirmation after "Send
idé", votable rows above the dot bar, a dot's effect. Screenshots: test-artifacts/screenshots/
(prefix "phone-360-")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.pages import expect, online, post_from_phone

SMALL = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "da-DK"}
QUESTION = ("Hvordan kan Københavns Kommune inddrage borgere, foreninger og handicaporganisationerne "
            "tidligere og bedre, når vi planlægger nye byrum og grønne områder i din bydel?")
BUDGET = 60 * 1024
IN_VIEW = """selector => { const r = document.querySelector(selector).getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }"""


def test_first_load_weighs_at_most_60_kb_as_sent(live_server: Any, new_page: Callable[..., Any]) -> None:
    workshop = live_server.create_workshop("Borgermøde", QUESTION)
    phone = new_page(None, **SMALL)
    sent: list[tuple[str, int, str]] = []

    def count(response: Any) -> None:
        sizes = response.request.sizes()
        encoding = response.headers.get("content-encoding", "")
        sent.append((response.url, sizes["responseBodySize"] + sizes["responseHeadersSize"], encoding))

    phone.on("requestfinished", lambda request: count(request.response()))
    phone.goto(workshop["join_url"])
    online(phone)
    pages = [s for s in sent if "/socket.io/" not in s[0]]
    total = sum(size for _, size, _ in pages)
    print(f"\nphone first load: {total / 1024:.1f} KB as sent in {len(pages)} requests")
    assert total <= BUDGET, pages
    assert all(encoding == "gzip" for url, size, encoding in pages if size > 2048), pages
    assert all("?v=" in url for url, _, _ in pages if "/static/" in url)  # hashed: cached a year


def test_the_finger_sees_what_it_did(live_server: Any, new_page: Callable[..., Any],
                                     peers: Callable[..., Any], shots: Any) -> None:
    workshop = live_server.create_workshop("Borgermøde om byens rum", QUESTION)
    phone = new_page(workshop["join_url"], **SMALL)
    online(phone)
    question = phone.locator("#phone h1.question").bounding_box()
    assert question and question["height"] <= 0.4 * 640, question  # not 60% of the screen
    post_from_phone(phone, "Flere bænke langs havnen, så ældre kan hvile sig")
    expect(phone.locator("#form-message")).to_have_text("Sendt! Din idé er på væggen.")
    assert phone.evaluate(IN_VIEW, "#form-message"), "the confirmation is off screen"
    assert phone.evaluate(IN_VIEW, "#idea-send")
    phone.screenshot(animations="disabled", path=shots / "phone-360-sent.png")

    facilitator = peers(live_server.url)
    assert facilitator.call("join", {"code": workshop["code"], "facilitator_token": workshop["facilitator_token"]})["ok"]
    others = peers(live_server.url)
    assert others.call("join", {"code": workshop["code"]})["ok"]
    for n in range(8):
        assert others.call("post_idea", {"text": f"Idé {n} om grønne gårde og legepladser", "client_id": str(n)})["ok"]
    assert facilitator.call("set_phase", {"phase": "vote"})["ok"]
    expect(phone.locator("#vote-section")).to_be_visible()
    # The first votable row and its "+" lie above the dot bar without scrolling.
    first = phone.locator("#vote-list .vote-item").first
    plus = first.locator("button.dot-button").last
    bar = phone.locator("#dot-bar").bounding_box()
    box = plus.bounding_box()
    assert bar and box and box["y"] + box["height"] <= bar["y"], (box, bar)
    plus.tap()
    expect(phone.locator("#dots-left")).to_have_text("Du har 2 prikker tilbage")
    assert phone.evaluate(IN_VIEW, "#dots-left")
    phone.screenshot(animations="disabled", path=shots / "phone-360-vote.png")
    assert phone.errors == []
