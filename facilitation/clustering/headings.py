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

from . import meaning
from .meaning import FloatArray
from .names import CONNECTOR, Name

# How much better (in centred cosine, see `fits`) another allowed name must stand for its
# theme than the one words alone chose: below it, words decide as before.
MARGIN = 0.05
# Names embedded for one suggestion, the largest themes' first: ~6 ms of CPU each the first
# time, then cached with the ideas (1,000 ideas make 30-60 themes).
MOST_NAMES = 48
# Each word of a name of two must stand for the theme at least this share as well as the other.
PART_SHARE = 0.25


def choose(names: Sequence[Name], groups: Sequence[Sequence[int]], texts: Sequence[str],
           languages: Sequence[str]) -> list[Name]:
    """The names with each theme's label the allowed name that stands best for its ideas against
    the other themes; the names unchanged where the model is not there."""
    result = list(names)
    options = [name.choices or [name.label] for name in names]
    chosen: list[int] = []
    room = MOST_NAMES
    for k in sorted(range(len(names)), key=lambda k: (-len(groups[k]), k)):
        if len(options[k]) <= room:
            chosen.append(k)
            room -= len(options[k])
    rows = meaning.vectors(texts) if chosen else None
    labels = [label for k in chosen for label in options[k]]
    said = meaning.vectors(labels) if rows is not None else None
    if rows is None or said is None:
        return result
    theirs = fits(np.asarray(said, dtype=np.float64), _centroids(rows, languages, groups))
    at = 0
    for k in chosen:
        count = len(options[k])
        fit = theirs[at:at + count, k]
        at += count
        allowed = [n for n, label in enumerate(options[k])
                   if n == 0 or _parts_stand(label, dict(zip(options[k], fit)))]
        best = max(allowed, key=lambda n: fit[n])
        if fit[best] >= fit[0] + MARGIN:
            result[k] = replace(names[k], label=options[k][best])
    return result


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


def fits(said: FloatArray, centroids: FloatArray) -> FloatArray:
    """How well each name (a row) stands for each theme: its cosine with the theme's centred
    ideas on average, less the most it has with another theme's. The names are centred on their
    own mean first: one or two words are closer to the terse ideas ("sluk alarmen") than to the
    long ones, whatever they say; what tells a name apart is how it differs from the others."""
    if said.shape[0] > 1:
        said = said - said.mean(axis=0)
        norms = np.linalg.norm(said, axis=1, keepdims=True)
        said /= np.where(norms > 0, norms, 1.0)
    sims = said @ centroids.T
    if centroids.shape[0] < 2:
        return sims
    top = np.sort(sims, axis=1)
    # For a theme that is a name's closest, the runner-up is its neighbour; else the closest is.
    neighbour = np.where(sims >= top[:, -1:], top[:, -2:-1], top[:, -1:])
    return np.asarray(sims - neighbour, dtype=np.float64)


def _centroids(rows: np.ndarray, languages: Sequence[str], groups: Sequence[Sequence[int]]
               ) -> FloatArray:
    """Each theme's mean idea, the ideas taken from their language's mean first: the model puts
    every short text close to every other (raw cosines 0.75-0.9), and a theme is what its ideas
    say more than the workshop's average idea in their language does."""
    centred = np.asarray(rows, dtype=np.float64).copy()
    labels = np.asarray(languages)
    for language in set(languages):
        centred[labels == language] -= centred[labels == language].mean(axis=0)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    centred /= np.where(norms > 0, norms, 1.0)
    return np.stack([centred[list(group)].mean(axis=0) for group in groups])
