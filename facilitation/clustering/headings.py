"""Which of the names the rules allow a theme stands for it, judged by what names and ideas mean.

Words alone rank a theme's shared words by how many members use them and how rare they are; a
word a few members write ("Park") then heads a theme most of whose members write about cycling
in words of their own. The sentence model (meaning.py) reads each allowed name against the
theme's ideas and its neighbours': the name that stands for the whole theme, and not for a
neighbour, wins when it does so clearly better. Every choice is a name names.py allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from . import meaning
from .meaning import FloatArray
from .names import CONNECTOR, Lone, Name

# How much better (in centred cosine, see `fits`) another allowed name must stand for its
# theme than the one words alone chose: below it, words decide as before.
MARGIN = 0.08
# Names embedded for one suggestion, the largest themes' first: ~6 ms of CPU each the first
# time, then cached with the ideas. With the words below, at most 96 short texts: 1,000 new
# ideas in two languages embedded 91 (0.5 s of CPU) on top of the suggestion's 0.25 s.
MOST_NAMES = 32
# Words one member wrote, and what the other language's members write, embedded per suggestion
# to ask whether the other language says them; a word and its translation have a raw cosine of
# 0.90-0.95 ("mobile"/"phone" 0.937), others up to 0.89 ("engelsk"/"language" 0.886).
MOST_WORDS = 16
MOST_HEARD = 48
SAME_WORD = 0.9
# Names that stand for their theme within this share of the best are as good: the one more
# members write a word of wins. A share, not a fixed step: how well names stand for a theme
# scales with how far apart the workshop's themes are (0.16-0.43 in the mixed workshop).
TIE = 0.1
# Each word of a name of two must stand for the theme at least this share as well as the other.
PART_SHARE = 0.25


def choose(names: Sequence[Name], groups: Sequence[Sequence[int]], texts: Sequence[str],
           languages: Sequence[str]) -> list[Name]:
    """The names with each theme's label the allowed name that stands best for its ideas against
    the other themes; the names unchanged where the model is not there."""
    result = list(names)
    rows = meaning.vectors(texts) if names else None
    if rows is None:
        return result
    bigger = sorted(range(len(names)), key=lambda k: (-len(groups[k]), k))
    options, lone = _options(names, bigger)
    words_chose = [len(name.choices or [name.label]) for name in names]
    chosen: list[int] = []
    room = MOST_NAMES
    for k in bigger:
        if len(options[k]) <= room:
            chosen.append(k)
            room -= len(options[k])
    said = meaning.vectors([label for k in chosen for label in options[k]])
    if said is None:
        return result
    firsts = np.cumsum([0, *(len(options[k]) for k in chosen[:-1])])
    # The names words chose are the reference the names are centred on, whatever was added.
    own = [first + n for k, first in zip(chosen, firsts) for n in range(words_chose[k])]
    ideas = _centred(rows, languages)
    theirs = fits(np.asarray(said, dtype=np.float64),
                  np.stack([ideas[list(group)].mean(axis=0) for group in groups]),
                  np.asarray(said, dtype=np.float64)[own])
    for k, first in zip(chosen, firsts):
        # Another theme's name is never this one's: two themes the ideas keep apart would read
        # as one (and suggest_clusters joins themes whose names read the same).
        taken = {r.label.casefold() for j, r in enumerate(result) if j != k}
        keep = [n for n, label in enumerate(options[k]) if n == 0 or label.casefold() not in taken]
        labels = list(options[k])
        label = _pick({labels[n]: options[k][labels[n]] for n in keep},
                      theirs[first:first + len(options[k]), k][keep])
        if label != names[k].label:
            said_once = lone.get((k, label))
            result[k] = replace(names[k], label=label) if said_once is None else replace(
                names[k], label=label, words=[said_once.word, *names[k].words],
                forms=sorted({*names[k].forms, *said_once.forms}))
    return result


def _options(names: Sequence[Name], bigger: list[int]) -> tuple[list[dict[str, int]],
                                                                 dict[tuple[int, str], Lone]]:
    """Each theme's names, the label first, with how many members write one of their words; and
    the names a word one member wrote allows, where the other language says it too."""
    options = [dict(zip(name.choices, name.reach or [0] * len(name.choices))) or {name.label: 0}
               for name in names]
    lone: dict[tuple[int, str], Lone] = {}
    for k, word in _said_in_both(names, bigger):
        for label, reach in zip(word.choices, word.reach):
            if label not in options[k]:
                options[k][label] = reach
                lone[k, label] = word
    return options, lone


def _pick(options: dict[str, int], fit: FloatArray) -> str:
    """The name that stands for its theme by MARGIN more than the first (words' choice), or the
    first. Among names within a TIE share of the best, the one more members write a word of:
    "Cyklister og park" (4 members) rather than "Cykelparkering" (1), which means a little more."""
    labels = list(options)
    allowed = [n for n, label in enumerate(labels)
               if n == 0 or _parts_stand(label, dict(zip(labels, fit)))]
    best = max(fit[n] for n in allowed)
    if best < fit[0] + MARGIN:
        return labels[0]
    near = [n for n in allowed if fit[n] >= max(best - TIE * abs(best), fit[0] + MARGIN)]
    return labels[max(near, key=lambda n: (options[labels[n]], fit[n]))]


def _parts_stand(label: str, fit: dict[str, float]) -> bool:
    """Whether each word of a name of two ("Regne og sne") stands for the theme by itself, not
    only carried by the other ("Klokke og tidlig": "tidlig" alone says little of alarms)."""
    parts = [p for connector in CONNECTOR.values() if f" {connector} " in label
             for p in label.split(f" {connector} ")]
    if not parts:
        return True
    spelled = [p[0].upper() + p[1:] for p in parts]
    if not all(p in fit for p in spelled):
        return False
    alone = [fit[p] for p in spelled]
    return min(alone) >= PART_SHARE * max(alone)


def fits(said: FloatArray, centroids: FloatArray, reference: FloatArray) -> FloatArray:
    """How well each name (a row) stands for each theme: its cosine with the theme's centred
    ideas on average, less the most it has with another theme's. The names are centred on the
    mean of `reference` (the names words allow for the themes) first: one or two words are
    closer to the terse ideas ("sluk alarmen") than to the long ones, whatever they say; what
    tells a name apart is how it differs from the other themes' names."""
    if reference.shape[0] > 1:
        said = said - reference.mean(axis=0)
        norms = np.linalg.norm(said, axis=1, keepdims=True)
        said /= np.where(norms > 0, norms, 1.0)
    sims = said @ centroids.T
    if centroids.shape[0] < 2:
        return sims
    top = np.sort(sims, axis=1)
    # For a theme that is a name's closest, the runner-up is its neighbour; else the closest is.
    neighbour = np.where(sims >= top[:, -1:], top[:, -2:-1], top[:, -1:])
    return np.asarray(sims - neighbour, dtype=np.float64)


def _said_in_both(names: Sequence[Name], bigger: list[int]) -> list[tuple[int, Lone]]:
    """The words one member of a theme wrote that a member writing in the other language says
    too: one of the words and word pairs they write means the same, at SAME_WORD or more
    ("cykelundervisning" and "cycling lessons", 0.918). Such a word is used by two members,
    each in their language."""
    asked, words, heard = [], 0, 0
    for k in bigger:
        name = names[k]
        if name.lone and name.heard and words + len(name.lone) <= MOST_WORDS \
                and heard + len(name.heard) <= MOST_HEARD:
            asked.append(k)
            words, heard = words + len(name.lone), heard + len(name.heard)
    if not asked:
        return []
    said = meaning.vectors([lone.word for k in asked for lone in names[k].lone])
    written = meaning.vectors([phrase for k in asked for phrase in names[k].heard])
    if said is None or written is None:
        return []
    found = []
    at_word = at_heard = 0
    for k in asked:
        lone, heard_k = names[k].lone, names[k].heard
        sims = said[at_word:at_word + len(lone)] @ written[at_heard:at_heard + len(heard_k)].T
        at_word, at_heard = at_word + len(lone), at_heard + len(heard_k)
        found += [(k, word) for n, word in enumerate(lone) if sims[n].max() >= SAME_WORD]
    return found


def _centred(rows: npt.NDArray[np.float32], languages: Sequence[str]) -> FloatArray:
    """The rows less their language's mean, of length one: the model puts every short text close
    to every other (raw cosines 0.75-0.9); what an idea says is how it differs from the
    workshop's average idea in its language."""
    centred = np.asarray(rows, dtype=np.float64).copy()
    labels = np.asarray(languages)
    for language in set(languages):
        centred[labels == language] -= centred[labels == language].mean(axis=0)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.asarray(centred / np.where(norms > 0, norms, 1.0), dtype=np.float64)
