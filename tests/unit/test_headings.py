"""Tests for choosing a theme's name by meaning (clustering/headings.py) among the names the rules
allow (clustering/names.py), and for keeping words' choice where the model is not there."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from facilitation.clustering import headings, meaning
from facilitation.clustering.names import Excluded, Name, name_group
from facilitation.clustering.text import analyse

# Most members of the first theme write "parken", yet what they ask for is cycling, written in
# compounds each of them uses once ("cykelparkering", "ladcykler", "cykelundervisning").
CYCLING = ["Flere cykelstier til skolerne", "Bredere cykelstier langs søerne",
           "Overdækket cykelparkering ved parken", "Ladcykler man kan låne gratis i parken",
           "Cykelundervisning i parken for voksne", "Et cykelværksted i parken",
           "Lys i parken til cyklisterne om aftenen", "Cykelruter gennem parken",
           "Pumper til cykler i parken"]
LIBRARY = ["Længere åbningstider på biblioteket", "Biblioteket skal have flere bøger for unge",
           "Gratis lektiehjælp på biblioteket", "Biblioteket som mødested om aftenen"]
ELDERLY = ["Flere besøgsvenner til ældre", "Ældre skal have hjælp til computere",
           "Bedre mad til de ældre på plejehjem", "Et mødested for ældre i hver bydel"]
TEXTS = CYCLING + LIBRARY + ELDERLY
GROUPS = [list(range(9)), list(range(9, 13)), list(range(13, 17))]


def _named() -> list[Name]:
    """The three themes' names as words alone choose them."""
    docs = [analyse(t, "da") for t in TEXTS]
    doc_freq = Counter(s for d in docs for s in set(d.stems))
    names = [name_group(g, docs, doc_freq, Excluded([]), "da") for g in GROUPS]
    assert all(name is not None for name in names)
    return [name for name in names if name is not None]


@pytest.fixture
def fresh() -> Iterator[None]:
    """The model loaded anew for the test, and again after it."""
    meaning.reset()
    yield
    meaning.reset()


def test_a_theme_that_writes_cycling_in_compounds_is_named_for_cycling_too() -> None:
    names = _named()
    # Words alone: seven of nine write "parken", two "cykelstier"; the compounds count for none.
    assert names[0].label == "Park"
    assert "Cykelstier" in names[0].choices and "Park og cykelstier" in names[0].choices
    chosen = headings.choose(names, GROUPS, TEXTS, ["da"] * len(TEXTS))
    assert [n.label for n in chosen] == ["Park og cykelstier", "Bibliotek", "Ældre"]
    # Only the label changes; the words the preview shows stay the members' own.
    assert chosen[0].words == names[0].words and chosen[0].forms == names[0].forms


def test_every_choice_is_a_name_the_rules_allow() -> None:
    for name, group in zip(_named(), GROUPS):
        assert name.choices[0] == name.label
        for choice in name.choices:
            # Whole words members wrote: never a compound's part ("cykel") nor a verb they open with.
            written = {w for i in group for w in analyse(TEXTS[i], "da").words}
            assert all(w == "og" or any(f.startswith(w) and len(f) - len(w) <= len("ene")
                                        for f in written) for w in choice.lower().split())


def test_without_the_model_names_stay_as_words_chose_them(fresh: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDEA_FACTORY_THEMES", "lexical")
    names = _named()
    assert headings.choose(names, GROUPS, TEXTS, ["da"] * len(TEXTS)) == names
    assert meaning.unavailable() == "IDEA_FACTORY_THEMES=lexical"


def test_the_names_embedded_for_one_suggestion_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    embed = meaning.vectors

    def counting(texts: list[str]) -> object:
        if not set(texts) & set(TEXTS):
            asked.extend(texts)
        return embed(texts)

    monkeypatch.setattr(meaning, "vectors", counting)
    many = [Name(f"Navn {k}", [], [], [f"Navn {k}", f"Ord {k}", f"Andet {k}", f"Navn {k} og ord"])
            for k in range(30)]
    groups = [[k % len(TEXTS), (k + 1) % len(TEXTS)] for k in range(30)]
    headings.choose(many, groups, TEXTS, ["da"] * len(TEXTS))
    assert 0 < len(asked) <= headings.MOST_NAMES


@pytest.mark.parametrize("fits, stands", [
    ({"Klokke": 0.076, "Tidlig": 0.013}, False),   # "tidlig" alone says little of alarms
    ({"Regne": 0.034, "Sne": 0.039}, True),
    ({"Lokaludvalg": 0.19, "Bydel": -0.003}, False),
], ids=["carried", "both", "against"])
def test_a_name_of_two_words_needs_both_to_stand_for_the_theme(fits: dict[str, float],
                                                               stands: bool) -> None:
    first, second = fits
    assert headings._parts_stand(f"{first} og {second.lower()}", fits) is stands
