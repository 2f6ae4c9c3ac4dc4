"""Who receives what, in the store: each fact's stream (author, all, batch) and its phone numbering."""

from __future__ import annotations

from typing import Any


from facilitation.facts import IdeasPosted


def test_store_routes_and_numbers_phone_streams(new_store: Any) -> None:
    store = new_store()
    workshop, _ = store.create_workshop("T", "Q")
    author = store.join(workshop.id, None, 10)[0].id
    idea, posted = store.post_idea(workshop.id, author, "c", "Idé")
    assert posted is not None and posted.route is not None
    assert (posted.route.stream, posted.route.number, posted.route.recipient) == ("author", 1, author)
    closed = store.set_posting(workshop.id, False)
    assert closed is not None and closed.route is not None
    assert (closed.route.stream, closed.route.number, closed.phone_dict()) == (
        "all", 1, {"seq": 2, "pseq": 1})
    store.set_rules(workshop.id, {"phones_see_ideas": 1})
    store.set_posting(workshop.id, True)
    _, batched = store.post_idea(workshop.id, author, "d", "Idé 2")
    assert batched is not None and batched.route is not None and batched.route.stream == "batch"
    assert [i["text"] for i in store.ideas_batch(workshop.id)] == ["Idé 2"]
    assert store.ideas_batch(workshop.id) == []  # each idea goes out once
    hidden = store.set_hidden(workshop.id, idea.id, True)
    assert hidden is not None and hidden.route is not None and hidden.route.stream == "all"
    missed = store.phone_facts_since(workshop.id, author, 0, 0, 50)
    assert missed is not None
    assert [(f.type, f.phone_dict().get("pseq"), f.phone_dict().get("oseq")) for f in missed] == [
        ("idea_posted", None, 1), ("posting_closed", 1, None), ("rules_changed", 2, None),
        ("posting_opened", 3, None), ("idea_hidden", 4, None)]
    assert IdeasPosted(ideas=[]).audience == "phones"
