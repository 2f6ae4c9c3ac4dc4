"""Theme names a facilitator can keep: the words a group's members share, as a short heading."""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from .lexicon import (heads_compound, indefinite, is_definite, is_plural, language_of, lemma,
                      reads_as_verb, zipf)
from .text import WORD_RE, Doc, detect_language, language_score, stem

# "Biblioteker og medborgerhuse": two words are joined the way a person would write them.
CONNECTOR = {"da": "og", "en": "and"}
# A second word joins the name when it is at least this telling as the first; a two-word phrase
# ("grøn bølge", "bike lanes") is the name when most members that use its first word use it.
SECOND_WORD = 0.6
PHRASE_SHARE = 0.6
# How many shared words a suggestion shows as the reason for the group.
SHOWN_WORDS = 5
# Other names every rule allows, for the sentence model to choose from (headings.py): words at
# least this telling as the best one, alone or two together, at most CHOICES names a theme.
RIVAL_SHARE = 0.4
RIVALS = 3
CHOICES = 4
# In a theme of two languages whose best word fewer than LONE_SHARE of its members in the
# workshop's language write ("Park", 3 of 9), words one of them wrote may name it if a member
# writing in the other language says the same (headings.py judges that by meaning): at most
# LONE_WORDS, the rarest first.
LONE_SHARE = 0.5
LONE_WORDS = 8
# The other language's words as common as "put" (5.7) or more are no translation of a word only
# one member writes; "online" (5.2) and "phone" (5.3) may be ("digital", "mobile").
HEARD_ZIPF = 5.5
HEARD_WORDS = 24
# A heading is a word the group uses far more than general language does: per Zipf point a
# word is rarer in general language, it counts as this much more telling (a Zipf point is a
# factor of ten, about 2.3 in the local IDF's natural log; half of that keeps the local IDF
# in charge among the rare words). "Folk", "brug", "kort" are everyday words: one that common
# names a theme only when three or more members and half of them use it ("Musik"); two ideas
# that share one are chance ("kort" as "short" and as "map"), and so are 3 of 11 saying "gerne".
GENERAL_WEIGHT = 1.2
# Two words that share their first letters this far are one word in two forms.
SAME_ROOT = 5
COMMONEST_ZIPF = 7.0
EVERYDAY_ZIPF = 5.0
EVERYDAY_USERS = 3
EVERYDAY_SHARE = 0.5
# A heading stays short enough to read from the back of the hall.
LONGEST_LABEL = 40
# A word of the question ("kommunen") or the tail of one of its compounds ("idéer" in
# "københavneridéer") says what every idea is about; shorter tails are too often chance.
MIN_TAIL = 3


@dataclass(frozen=True)
class Name:
    """A group's heading, the words its members share (most telling first) and their spellings."""

    label: str
    words: list[str]
    forms: list[str]
    # Every name the rules allow, the label first (the one words alone choose), and how many
    # members write one of each one's words.
    choices: list[str] = field(default_factory=list)
    reach: list[int] = field(default_factory=list)
    # Words one member wrote, allowed as names too where the other language says them, and
    # what the theme's members in the other language write (their words and pairs of words).
    lone: list[Lone] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Lone:
    """A word one member wrote ("cykelundervisning"), which the theme's members in the other
    language may write too ("cycling lessons"); the names it allows if they do."""

    word: str
    choices: list[str]
    reach: list[int]
    forms: list[str]


class Excluded:
    """The words of a workshop's title and question, which never name one of its themes."""

    def __init__(self, texts: Iterable[str]) -> None:
        words = {w for text in texts for w in WORD_RE.findall(text.lower()) if len(w) > 1}
        # The question's language is not known here: stem its words both ways.
        self.stems = {stem(w, lang) for w in words for lang in ("da", "en")} | words

    def strip(self, doc: Doc) -> Doc:
        """The idea without the question's words."""
        if not self.stems:
            return doc
        kept = [(w, s) for w, s in zip(doc.words, doc.stems) if not self.covers(s, w)]
        gone = {w for w, s in zip(doc.words, doc.stems) if self.covers(s, w)}
        text = " ".join(w for w in doc.text.split() if w not in gone)
        return Doc(text, [w for w, _ in kept], [s for _, s in kept], doc.language, doc.brands)

    def covers(self, stem_: str, word: str) -> bool:
        """Whether a word (with its stem) is a question word or the tail of a question compound."""
        if stem_ in self.stems or word in self.stems:
            return True
        return len(stem_) >= MIN_TAIL and any(q.endswith(stem_) and len(q) > len(stem_) + 2
                                              for q in self.stems)


def _surfaces(group: Sequence[int], docs: Sequence[Doc]) -> dict[str, Counter[str]]:
    """How often each stem of the group is written each way."""
    spellings: dict[str, Counter[str]] = {}
    for i in group:
        for word, stem_ in zip(docs[i].words, docs[i].stems):
            spellings.setdefault(stem_, Counter())[word] += 1
    return spellings


def _ranked(group: Sequence[int], docs: Sequence[Doc], doc_freq: Counter[str],
            excluded: Excluded, spellings: dict[str, Counter[str]], corroborated: bool,
            compounds: dict[str, set[str]]) -> tuple[list[str], dict[str, float], dict[str, float],
                                                      Counter[str], list[str]]:
    """The group's telling stems, best first: used by more members, and rarer outside; and the
    telling words only one member uses, rarest first."""
    used = Counter(s for i in group for s in set(docs[i].stems))
    language = _language(group, docs)
    # "Høringsfrister" and "høringssvar" write "høring" too: their writers use it.
    written = sorted({w for i in group for w in docs[i].words})
    for s in list(used):
        at = bisect.bisect_left(written, s)
        heads = set()
        while at < len(written) and written[at].startswith(s):
            if heads_compound(s, written[at], language):
                heads.add(written[at])
            at += 1
        if heads:
            compounds[s] = heads
            used[s] += sum(1 for i in group if s not in docs[i].stems and heads & set(docs[i].words))
    verbs = _opening_verbs(group, docs, used, language)
    brands = {w for i in group for w in docs[i].brands}
    telling = [s for s in used if len(s) > 1 and s not in verbs and not set(spellings[s]) <= brands
               and not any(excluded.covers(s, w) for w in spellings[s])]
    # A word one member uses is that member's, not the theme's.
    shared = [s for s in telling if used[s] >= 2]
    general = {s: min(zipf(w, language) for w in spellings[s]) for s in shared}
    # In a theme of two languages the other language's ideas say it is one subject: two ideas
    # of the workshop's language sharing "unge" are no chance.
    everyday = max(2 if corroborated else EVERYDAY_USERS, EVERYDAY_SHARE * len(group))
    shared = [s for s in shared if general[s] < EVERYDAY_ZIPF or used[s] >= everyday]
    score = {s: used[s] * (math.log((1 + len(docs)) / doc_freq[s])
                           + GENERAL_WEIGHT * (COMMONEST_ZIPF - general[s])) for s in shared}
    lone = [s for s in telling if used[s] == 1]
    general.update({s: min(zipf(w, language) for w in spellings[s]) for s in lone})
    lone = sorted((s for s in lone if general[s] < EVERYDAY_ZIPF),
                  key=lambda s: (general[s], doc_freq[s], s))
    return sorted(shared, key=lambda s: (-score[s], s)), score, general, used, lone


def _opening_verbs(group: Sequence[int], docs: Sequence[Doc], used: Counter[str],
                   language: str) -> set[str]:
    """Stems that half or more of their users open their idea with, when that word reads as a verb:
    "Hold borgermøder ...", "Giv de unge ...", "Make an app ..." share a way of asking, not a
    topic."""
    openers: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for i in group:
        first = docs[i].text.split()[:1]
        if first and first[0] in docs[i].words:
            stem_ = docs[i].stems[docs[i].words.index(first[0])]
            openers[stem_] += 1
            spelled[stem_] = first[0]
    return {s for s, n in openers.items() if 2 * n >= used[s]
            and reads_as_verb(spelled[s], docs[group[0]].language if language is None else language)}


def _leans(doc: Doc) -> str:
    """The language one idea leans to, however little ("Invite families to weekend meetings" in a
    Danish workshop is read as Danish, yet its name should come from the English ideas)."""
    return doc.language if language_score(doc.text) == 0 else detect_language([doc.text])


def _language(group: Sequence[int], docs: Sequence[Doc]) -> str:
    """The language the group's members write in, judged on their words together: a Danish idea
    that quotes an English title may read as English alone."""
    return detect_language([docs[i].text for i in group])


def _phrase(first: str, group: Sequence[int], docs: Sequence[Doc], used: Counter[str],
            telling: Iterable[str]) -> list[str]:
    """The stems of a two-word phrase of telling words around `first` that most of its users
    write, if any ("brug biblioteker" is no heading: "brug" is an everyday word)."""
    allowed = set(telling)
    pairs: Counter[tuple[str, str]] = Counter()
    for i in group:
        stems = dict(zip(docs[i].words, docs[i].stems))
        words = docs[i].text.split()
        found = {(stems[a], stems[b]) for a, b in zip(words, words[1:])
                 if stems.get(a) in allowed and stems.get(b) in allowed
                 and first in (stems[a], stems[b]) and a != b}
        pairs.update(found)
    best = min(pairs, key=lambda p: (-pairs[p], p), default=None)
    if best is not None and pairs[best] >= max(2, PHRASE_SHARE * used[first]):
        return list(best)
    return []


def _same_root(a: str, b: str) -> bool:
    """Whether two words start alike ("reservation", "reservér"): one heading needs only one."""
    return a[:SAME_ROOT] == b[:SAME_ROOT]


def _as_written(stems: list[str], group: Sequence[int], docs: Sequence[Doc]) -> list[str]:
    """Two stems in the order most members that use both write them ("biblioteker og
    medborgerhuse", not the other way round)."""
    if len(stems) < 2:
        return stems
    a, b = stems
    votes = 0
    for i in group:
        if a in docs[i].stems and b in docs[i].stems:
            votes += 1 if docs[i].stems.index(a) < docs[i].stems.index(b) else -1
    return [b, a] if votes < 0 else stems


def name_group(group: Sequence[int], docs: Sequence[Doc], doc_freq: Counter[str],
               excluded: Excluded, workshop_language: str | None = None) -> Name | None:
    """Name a group by its most telling shared words, written the way most members write them;
    None when its members share no telling word (then it is no theme a person would name).
    A theme of Danish and English ideas is named in the workshop's language when two or more
    of its members write in it."""
    own = [i for i in group if _leans(docs[i]) == workshop_language]
    if 2 <= len(own) < len(group):
        named = _name(own, docs, doc_freq, excluded, True)
        if named is not None and named.lone:
            return replace(named, heard=_heard([i for i in group if i not in own], docs))
        # "Meetings" is too everyday a word for two of four ideas: then the others' words may do.
        return named or _name(group, docs, doc_freq, excluded)
    return _name(group, docs, doc_freq, excluded)


def _heard(group: Sequence[int], docs: Sequence[Doc]) -> list[str]:
    """The rarest HEARD_WORDS of the words and pairs of words the members write ("cycling",
    "cycling lessons": Danish writes as one word what English writes as two), none as common
    as "more", "make", "people": the words one member wrote that they may translate are rare."""
    rarity = {}
    for i in group:
        common = {w: zipf(w, docs[i].language) for w in docs[i].words}
        rarity.update({w: common[w] for w in docs[i].words})
        rarity.update({f"{a} {b}": min(common[a], common[b])
                       for a, b in zip(docs[i].words, docs[i].words[1:])})
    heard = sorted((p for p in rarity if rarity[p] < HEARD_ZIPF), key=lambda p: (rarity[p], p))
    return heard[:HEARD_WORDS]


def _name(group: Sequence[int], docs: Sequence[Doc], doc_freq: Counter[str],
          excluded: Excluded, corroborated: bool = False) -> Name | None:
    """The name of a group written in one language (or a group read as one)."""
    spellings = _surfaces(group, docs)
    compounds: dict[str, set[str]] = {}  # the compounds each stem heads, marked in the preview too
    ranked, score, general, used, lone = _ranked(group, docs, doc_freq, excluded, spellings,
                                                 corroborated, compounds)
    language = _language(group, docs)

    def spell(s: str) -> str:
        """The form most members write, an indefinite one if any. When all write a definite form
        ("borgerne"), its indefinite one ("borgere"): a heading names a kind, so between equally
        written forms the plural wins ("bydelen", "bydelene": "Bydele"; "høring", "høringer":
        "Høringer")."""
        def rank(w: str) -> tuple[bool, int, bool, str]:
            definite = is_definite(w, language)
            singular = indefinite(w, language) == lemma(w, language) if definite \
                else not is_plural(w, language)
            return definite, -spellings[s][w], singular, w
        return indefinite(min(spellings[s], key=rank), language)

    if not ranked:
        return None
    forms = sorted({w for s in ranked[:SHOWN_WORDS] for w in [*spellings[s], *compounds.get(s, ())]})
    words = list(dict.fromkeys(spell(s) for s in ranked[:SHOWN_WORDS]))  # stems of two languages
    first = ranked[0]

    def joined(pair: list[str]) -> str:
        """Two stems as a heading, in the order members write them, joined by "og" or "and"."""
        spelled = [spell(s) for s in _as_written(pair, group, docs)]
        # Danish ideas naming many English titles read as English together ("Find The World
        # According to Paris"); each idea was read in the workshop's language unless it clearly
        # said otherwise, and most members' reading decides the "og"/"and".
        read = [docs[i].language for i in group]
        members = max(sorted(set(read)), key=read.count)
        return f" {CONNECTOR[language_of(spelled, members)]} ".join(spelled)

    def may_trail(s: str) -> bool:
        """An everyday word may head a theme many members share ("Musik"), not trail a name.
        Two ideas that write a word in two forms often mean two things by it ("til stede",
        "stederne"): it joins their name only when they write it alike. "Park og cykelparkering"
        says "park" twice."""
        head, tail = spell(first), spell(s)
        return (len(group) > 2 or len(spellings[s]) == 1) and general[s] < EVERYDAY_ZIPF \
            and not _same_root(head, tail) and head not in tail and tail not in head

    def reach(stems: list[str]) -> int:
        """How many members write one of the words, whole or heading a compound."""
        return sum(1 for i in group if any(s in docs[i].stems or compounds.get(s, set()) & set(docs[i].words)
                                           for s in stems))

    def both_ways(s: str) -> list[tuple[str, list[str]]]:
        """A word one member wrote, alone and with the first word in either order: no member
        writes both to tell the order."""
        head, connector, tail = joined([first, s]).split(" ")
        return [(spell(s), [s])] + ([(f"{head} {connector} {tail}", [first, s]),
                                     (f"{tail} {connector} {head}", [first, s])] if may_trail(s) else [])

    chosen = _phrase(first, group, docs, used, [s for s in ranked if general[s] < EVERYDAY_ZIPF])
    heading = chosen or [first, *(s for s in ranked[1:2]
                                  if score[s] >= SECOND_WORD * score[first] and may_trail(s))]
    label = " ".join(spell(s) for s in chosen) if chosen else joined(heading)
    rivals = [s for s in ranked[:RIVALS] if score[s] >= RIVAL_SHARE * score[first]]
    # "Doctor and appointment" says no more than the phrase "Doctor appointment".
    pairs = [(joined([a, b]), [a, b]) for n, a in enumerate(rivals) for b in rivals[n + 1:]
             if may_trail(b) and not _same_root(spell(a), spell(b)) and {a, b} != set(chosen)]
    choices, reaches = _options([(label, heading), *((spell(s), [s]) for s in rivals), *pairs], reach)
    few = corroborated and used[first] < LONE_SHARE * len(group)
    alone = [s for s in lone if not any(_same_root(spell(s), spell(r)) for r in rivals)] if few else []
    return Name(choices[0], words, forms, choices[:CHOICES], reaches[:CHOICES],
                [Lone(spell(s), *_options(both_ways(s), reach), _forms(s, spellings, language))
                 for s in alone[:LONE_WORDS]])


def _forms(stem_: str, spellings: dict[str, Counter[str]], language: str) -> list[str]:
    """The ways members write a word, also under another stem ("digital", "digitalt"), to mark
    in the preview."""
    lemmas = {lemma(w, language) for w in spellings[stem_]}
    return sorted({w for forms in spellings.values() for w in forms if lemma(w, language) in lemmas})


def _options(entries: Iterable[tuple[str, list[str]]], reach: Callable[[list[str]], int]
             ) -> tuple[list[str], list[int]]:
    """Names, each once and short enough to read from the back of the hall (but the first),
    capitalised, with how many members write one of their words."""
    found: dict[str, int] = {}
    for text, stems in entries:
        text = text[0].upper() + text[1:]
        if text not in found and (not found or len(text) <= LONGEST_LABEL):
            found[text] = reach(stems)
    return list(found), list(found.values())


def tell_apart(names: Sequence[Name]) -> list[Name]:
    """Names that start with one word in two forms ("Alarm", "Alarms") get the first word of their
    own that the others do not show, in brackets ("Alarm (set)"), so no two themes read alike."""
    result = list(names)
    for i, name in enumerate(names):
        head = name.label.split()[0].lower()
        others = [n for j, n in enumerate(names) if j != i
                  and _same_root(n.label.split()[0].lower(), head)]
        if not others:
            continue
        taken = {w.lower() for n in others for w in [*n.words, *n.label.split()]}
        own = [w for w in name.words if not any(_same_root(w.lower(), t) for t in taken)
               and not _same_root(w.lower(), head) and w.lower() not in name.label.lower()]
        label = f"{name.label} ({own[0]})" if own else name.label
        if len(label) <= LONGEST_LABEL:
            result[i] = replace(name, label=label)
    return result
