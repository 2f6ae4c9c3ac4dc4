"""What a word is in general language: its dictionary form and how common it is.

Both come from data shipped inside packages (simplemma's lemma tables, wordfreq's frequency
lists): nothing is downloaded at run time and the answers never change between runs.
"""

from __future__ import annotations

from functools import lru_cache

import simplemma
import wordfreq

# Zipf frequency is log10 of a word's uses per billion words: "i"/"the" ~7.5, "folk" 5.8,
# "forvaltning" 3.9. The shipped Danish list stops near 3, so a word missing from it (most
# compounds, "medborgerhuse") is rarer than that: every word that rare counts as equally specific.
RARE_ZIPF = 3.0
# Danish definite endings: "borgerne", "biblioteket", "cykelstien" read as "the citizens",
# "the library", not as a heading; an indefinite form a member wrote reads better.
# Zipf points per word by which one language must know a name's words better to decide its "og"/"and".
CLEAR_LEAD = 2.0
_DEFINITE = {"da": ("ne", "en", "et", "n", "t")}
# The endings of a noun's indefinite plural that an adjective's forms do not have.
_PLURAL = {"da": ("er", "r"), "en": ("s",)}
# An opening word reads as an imperative when its infinitive ("hold" -> "holde", "sæt" ->
# "sætte") is at least this common in Danish, or when English uses its -ing form nearly as
# often as the word itself ("make"/"making" 6.2/5.4, "library" has none).
VERB_ZIPF = 3.0
# The shortest head and tail of a compound counted as words of their own.
MIN_HEAD = 4
TAIL_ZIPF = 2.0
ING_GAP = 1.5


@lru_cache(maxsize=65536)
def lemma(word: str, language: str) -> str:
    """The dictionary form of a lowercase word ("forvaltningerne" -> "forvaltning")."""
    return str(simplemma.lemmatize(word, lang=language)).lower()


@lru_cache(maxsize=65536)
def zipf(word: str, language: str) -> float:
    """How common a word is in general language (Zipf scale), judged also by its dictionary form,
    since the small Danish list often holds only that ("forvaltninger" 0, "forvaltning" 3.9)."""
    known = max(wordfreq.zipf_frequency(word, language),
                wordfreq.zipf_frequency(lemma(word, language), language))
    return max(known, RARE_ZIPF)


def language_of(words: list[str], fallback: str) -> str:
    """"da" or "en": the members' language (the fallback) unless it knows none of these words and
    the other knows them clearly better ("stjerner og nuværende" is Danish even in ideas that
    quote English titles; "find og caribbean" stays Danish: Danish knows "find")."""
    # The frequency lists lack most Danish compounds ("spilletider"); the lemma tables know them.
    if any(wordfreq.zipf_frequency(w, fallback) > 0 or simplemma.is_known(w, lang=fallback)
           for w in words):
        return fallback
    other = "en" if fallback == "da" else "da"
    lead = sum(wordfreq.zipf_frequency(w, other) - wordfreq.zipf_frequency(w, fallback) for w in words)
    # Many words exist in both ("reservation"): only a clear lead overrides the members' language.
    return other if lead >= CLEAR_LEAD * len(words) else fallback


@lru_cache(maxsize=65536)
def leaning(word: str) -> int:
    """1 when Danish uses a word clearly more than English does, -1 for the reverse, else 0."""
    lead = wordfreq.zipf_frequency(word, "da") - wordfreq.zipf_frequency(word, "en")
    return 0 if abs(lead) < CLEAR_LEAD / 2 else (1 if lead > 0 else -1)


@lru_cache(maxsize=65536)
def reads_as_verb(word: str, language: str) -> bool:
    """Whether a word that opens an idea reads as an imperative ("Hold", "Lav", "Giv", "Make"),
    judged from general language (no part-of-speech tagger ships in a package)."""
    plain = word.replace("é", "e")
    if len(plain) < 2:
        return False
    if language == "da":
        infinitives = (plain + "e", plain + plain[-1] + "e")
        return any(wordfreq.zipf_frequency(f, "da") >= VERB_ZIPF for f in infinitives)
    stem_ = plain[:-1] if plain.endswith("e") else plain
    ing = max(wordfreq.zipf_frequency(stem_ + "ing", "en"),
              wordfreq.zipf_frequency(plain + plain[-1] + "ing", "en"))
    return ing > 0 and ing >= wordfreq.zipf_frequency(plain, "en") - ING_GAP


@lru_cache(maxsize=65536)
def heads_compound(head: str, word: str, language: str) -> bool:
    """Whether a Danish word is a compound that starts with `head` ("høringsfrister" with
    "høring", "borgermøder" with "borger"): the rest is a word of its own
    ("parkering" is no "park" + "ering"; a linking "s" may join them)."""
    if language != "da" or len(head) < MIN_HEAD or not word.startswith(head) \
            or len(word) < len(head) + MIN_HEAD:
        return False
    rest = word[len(head):]
    return any(len(part) >= MIN_HEAD and wordfreq.zipf_frequency(part, "da") >= TAIL_ZIPF
               for part in (rest, rest[1:] if rest[0] == "s" else ""))


def is_definite(word: str, language: str) -> bool:
    """Whether a word is a definite form of its lemma ("borgerne" of "borger")."""
    base = lemma(word, language)
    return word != base and any(word.endswith(end) and word[:-len(end)].startswith(base[:-1])
                                for end in _DEFINITE.get(language, ()))


def is_plural(word: str, language: str) -> bool:
    """Whether a word reads as a noun's indefinite plural: an inflected form of its lemma with a
    plural ending ("høringer" of "høring", "meetings" of "meeting"; "digitale" is an adjective's
    "-e", "høringen" is definite)."""
    base = lemma(word, language)
    return word != base and len(word) > len(base) and word.startswith(base[:-1]) \
        and word.endswith(_PLURAL.get(language, ()))


@lru_cache(maxsize=65536)
def indefinite(word: str, language: str) -> str:
    """The form a heading uses for a noun: "borgerne" -> "borgere", "biblioteket" -> "bibliotek";
    a plural stays plural when the lemma tables know its indefinite form ("idéerne" -> "idéer");
    a definite genitive loses its "s" too ("lokaludvalgets" -> "lokaludvalg")."""
    if language == "da" and word.endswith("s") and is_definite(word[:-1], language):
        word = word[:-1]
    if not is_definite(word, language):
        return word
    base = lemma(word, language)
    if word.endswith("ne"):
        # "idéer" + "ne", but "borgere" + "ne" drops its "e": "borgerne".
        for plural in (word[:-2], word[:-2] + "e"):
            if plural != base and simplemma.is_known(plural, lang=language) \
                    and lemma(plural, language) == base:
                return plural
    # A bare "-t" is as often an adjective's ("varmt" is no "the varm"): only a noun in "-e" takes it.
    endings = ("en", "et", "ene", "erne") + (("n", "t", "ne") if base.endswith("e") else ())
    return base if any(word == base + end for end in endings) else word


def warm_up() -> None:
    """Load the Danish and English tables now, so the first suggestion is not the slow one."""
    for language in ("da", "en"):
        lemma("ord", language)
        zipf("ord", language)
