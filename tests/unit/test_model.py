"""Pure rules: join codes, text validation, tokens, rate limits."""

from __future__ import annotations

import pytest

from facilitation.model import (
    CODE_ALPHABET, CommandError, TokenBucket, clean_client_id, clean_text, hash_token, new_code,
    new_token, normalize_code,
)


def test_codes_use_an_unambiguous_alphabet() -> None:
    assert not set("0O1IL") & set(CODE_ALPHABET)
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert len(codes) > 190


@pytest.mark.parametrize("typed, canonical", [
    ("abc234", "ABC234"), (" AbC-234 ", "ABC234"), ("abc 234", "ABC234"),
    ("ABC23", None), ("ABC2345", None), ("ABC0O1", None), (None, None), (123456, None),
])
def test_normalize_code(typed: object, canonical: str | None) -> None:
    assert normalize_code(typed) == canonical


def test_clean_text_trims_and_normalises() -> None:
    assert clean_text("  Cykelstier\u0000 på Nørrebro  ", "idea", 500) == "Cykelstier på Nørrebro"
    # "å" as a + combining ring counts as one character, as the phone's counter shows it.
    assert clean_text("a\u030a" * 500, "idea", 500) == "å" * 500


def test_clean_text_keeps_a_few_line_breaks_and_asks_an_idea_for_a_letter() -> None:
    assert clean_text("a\r\n\r\n\r\nb\u2028c\nd\ne\nf", "idea", 500) == "a\n\nb\nc\nd e f"
    assert clean_text("?", "question", 300) == "?"  # other fields need something visible only
    assert clean_text("Cykel 🚲", "idea", 500) == "Cykel 🚲"


@pytest.mark.parametrize("raw, code", [("", "empty"), ("   ", "empty"), ("x" * 501, "too_long"),
                                       ("\u200b" * 300, "empty"), ("\u2800" * 300, "empty"),
                                       ("\u3164" * 300, "empty"), ("?!…", "empty"),
                                       (5, "invalid"), (None, "invalid"), (["x"], "invalid")])
def test_clean_text_refuses(raw: object, code: str) -> None:
    with pytest.raises(CommandError) as error:
        clean_text(raw, "idea", 500)
    assert error.value.code == code and error.value.message


def test_client_id_bounds() -> None:
    assert clean_client_id("abc") == "abc"
    for bad in ["", "x" * 65, 3, None]:
        with pytest.raises(CommandError):
            clean_client_id(bad)


def test_tokens_are_random_and_hashed() -> None:
    a, b = new_token(), new_token()
    assert a != b and len(a) >= 32
    assert hash_token(a) != a and hash_token(a) == hash_token(a)


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=0.5, burst=3)
    assert [bucket.allow(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.allow(1.0) is False
    assert bucket.allow(2.1) is True
