"""Theme suggestions, "fits theme X" hints and duplicate detection for short Danish or English ideas.

Pure functions over texts: local, deterministic, no downloaded models, no Flask and no SQL; what
ideas mean comes from a sentence model shipped inside a package (meaning.py), cached per text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from .fits import Fit, suggest_fits
from .graph import GRANULARITY, FloatArray, cluster
from .names import Excluded, Name, name_group, tell_apart
from . import headings, lexicon, meaning
from .text import Doc, Vectors, analyse_all, detect_language, vectorize

DUPLICATE_SIMILARITY = 0.9
# In a theme this small, an idea that writes none of its shared words is the odd one out a
# facilitator sees at once ("Giv tydelige rammer" under "Bydele", linked by "ydel" alone); in a
# larger one the others' wording ties it in ("will it be cold" under rain and forecasts).
SMALL_THEME = 3
# Centred meaning similarity (meaning.centred_similarity) at which two ideas say the same thing.
SAME_MEANING = 0.5
# The share of ideas in the less used language from which a workshop counts as written in two.
SECOND_LANGUAGE = 0.15

__all__ = ["GRANULARITY", "Fit", "Suggestion", "detect_language", "find_duplicates",
           "suggest_clusters", "suggest_fits", "warm_up"]


def warm_up() -> None:
    """Load the word tables and the sentence model now (or log why the model cannot load)."""
    lexicon.warm_up()
    meaning.unavailable()


@dataclass(frozen=True)
class Suggestion:
    """A suggested theme: a short label, the indices of its ideas, and the words they share."""

    label: str
    members: list[int]
    words: list[str] = field(default_factory=list)   # most telling first, as the preview shows them
    forms: list[str] = field(default_factory=list)   # every spelling of those words, to highlight


def suggest_clusters(texts: Sequence[str], language: str | None = None, *,
                     exclude: Sequence[str] = (), granularity: int = 0,
                     use_meaning: bool = True, names_in: str | None = None) -> list[Suggestion]:
    """Suggest themes of at least two ideas; ideas that fit no theme are left out.

    `exclude` holds texts (the workshop's title and question) whose words never name a theme;
    `granularity` runs from -2 (fewer, broader themes) to 2 (more, narrower ones); `names_in` is
    the workshop's language ("da", "en"; by default the one its question and ideas are in).
    `use_meaning` False leaves the sentence model out (meaning.py), as when it cannot load.
    """
    if granularity not in GRANULARITY:
        raise ValueError(f"granularity must be one of {sorted(GRANULARITY)}")
    if len(texts) < 2:
        return []
    # Work in a canonical order so the result does not depend on the order of the input.
    order = sorted(range(len(texts)), key=lambda i: (texts[i].casefold(), texts[i]))
    excluded = Excluded(exclude)
    # The question's words are in many ideas and tell none of them apart: leave them out.
    docs = [excluded.strip(d) for d in analyse_all([texts[i] for i in order], language)]
    vectors = _with_meaning(vectorize(docs), docs, [texts[i] for i in order], use_meaning)
    doc_freq = Counter(s for d in docs for s in set(d.stems))
    workshop = names_in or detect_language([*exclude, *texts])
    kept = _named(cluster(vectors, granularity), docs, doc_freq, excluded, workshop, vectors.meaning)
    left = [i for i in range(len(docs)) if not any(i in group for group, _ in kept)]
    if vectors.meaning is not None and len(left) >= 2:
        # Ideas alike in meaning but sharing no word make no theme a name can say; among the
        # rest, ideas that share words may still make one ("Digital", "Svar" in the demo).
        words_only = cluster(vectorize([docs[i] for i in left]), granularity)
        kept += _named([[left[i] for i in group] for group in words_only], docs, doc_freq,
                       excluded, workshop, None)
    named = [name for _, name in kept]
    if vectors.meaning is not None:
        # Of the names the rules allow, the one that means what the theme's ideas say.
        named = headings.choose(named, [group for group, _ in kept], [texts[i] for i in order],
                                [d.language for d in docs])
    names = tell_apart(named)
    suggestions = [Suggestion(name.label, sorted(order[i] for i in group), name.words, name.forms)
                   for group, name in _join_alike([group for group, _ in kept], names)]
    return sorted(suggestions, key=lambda s: (-len(s.members), s.members))


def _join_alike(groups: list[list[int]], names: list[Name]) -> list[tuple[list[int], Name]]:
    """Themes whose names read the same, with no word of their own to tell them apart (tell_apart
    found none), are one theme to whoever reads the list: four ideas on cycle paths cut in two
    pairs would show "Cykelstier" twice. They are joined, under the larger one's name."""
    joined: dict[str, tuple[list[int], Name]] = {}
    for group, name in sorted(zip(groups, names), key=lambda pair: -len(pair[0])):
        key = name.label.casefold()
        if key not in joined:
            joined[key] = (group, name)
            continue
        members, first = joined[key]
        joined[key] = (members + group, Name(first.label, list(dict.fromkeys(first.words + name.words)),
                                             sorted({*first.forms, *name.forms})))
    return list(joined.values())


def _named(groups: list[list[int]], docs: Sequence[Doc], doc_freq: Counter[str],
           excluded: Excluded, workshop: str, meant: FloatArray | None) -> list[tuple[list[int], Name]]:
    """The groups a name can be given, each with its name; members that share no telling word
    stay unsorted."""
    named = [(group, name_group(group, docs, doc_freq, excluded, workshop)) for group in groups]
    return [(trimmed, name) for group, name in named if name is not None
            for trimmed in [_odd_one_out(group, name, docs, meant)] if len(trimmed) >= 2]


def _with_meaning(vectors: Vectors, docs: Sequence[Doc], texts: list[str], use_meaning: bool
                  ) -> Vectors:
    """The rows with how alike the texts mean, when the model is there and wanted."""
    rows = meaning.vectors(texts) if use_meaning else None
    if rows is None:
        return vectors
    languages = np.array([d.language for d in docs])
    across = languages[:, None] != languages[None, :]
    # A few ideas read as the other language in a one-language workshop (a Danish request naming
    # an English film) still share words with the rest: only a real second language loses them.
    minority = min(int((languages == "da").sum()), int((languages == "en").sum()))
    if minority >= SECOND_LANGUAGE * len(docs):
        return vectors._replace(meaning=meaning.centred_similarity(rows, languages.tolist()),
                                across=across)
    # ... and they are centred on the one mean with the rest.
    return vectors._replace(meaning=meaning.centred_similarity(rows, [vectors.language] * len(docs)))


def _odd_one_out(group: list[int], name: Name, docs: Sequence[Doc],
                 meant: FloatArray | None) -> list[int]:
    """A small theme's members without the one that writes none of its shared words, unless it
    means what the others do (the same idea in the other language writes none of them)."""
    if len(group) > SMALL_THEME:
        return group
    return [i for i in group if set(name.forms) & set(docs[i].words)
            or (meant is not None and min(meant[i, j] for j in group if j != i) >= SAME_MEANING)]


def _normalise(text: str) -> str:
    """Casefold and reduce punctuation and whitespace runs to single spaces."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def find_duplicates(texts: Sequence[str]) -> list[list[int]]:
    """Group near-identical ideas (ignoring case, punctuation and spacing), each sorted."""
    norm = [_normalise(t) for t in texts]
    if sum(bool(t) for t in norm) < 2:
        return []
    # Raw n-gram counts, no IDF: near-identity is about the whole text, not rare parts.
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), use_idf=False,
                             lowercase=False).fit_transform(norm)
    close = sp.csr_matrix(matrix @ matrix.T >= DUPLICATE_SIMILARITY)
    groups: dict[int, list[int]] = {}
    for index, component in enumerate(connected_components(close, directed=False)[1].tolist()):
        groups.setdefault(component, []).append(index)
    return sorted(g for g in groups.values() if len(g) >= 2)
