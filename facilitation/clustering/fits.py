"""'Fits theme X': an existing theme for an idea that arrived later or sits unsorted, or none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import meaning
from .graph import blend, similarities
from .text import analyse_all, vectorize

# Chosen on benchmark samples (bench/clustering.py, other seeds than the reported ones) so that a
# hint is right at least four times in five: a hint the facilitator cannot trust costs more time
# than no hint. An idea is compared with each theme's few closest members (a theme can hold
# several kinds of idea); it gets a hint only when one theme is close and clearly the closest.
CLOSEST = 3
LINK = 0.1
MIN_LINKS = 2
MIN_FIT = 0.08
MARGIN = 1.2
# The share of similarity from what ideas mean, as in graph.py.
MEANING_WEIGHT = 0.5


@dataclass(frozen=True)
class Fit:
    """The theme an idea seems to belong to (an index into the themes given) and how closely."""

    theme: int
    score: float


def suggest_fits(themes: Sequence[Sequence[str]], texts: Sequence[str],
                 language: str | None = None, use_meaning: bool = True) -> list[Fit | None]:
    """For each text, the theme (given by its ideas' texts) it clearly fits, or None when unsure."""
    owners = [t for t, members in enumerate(themes) for _ in members]
    if not owners or not texts:
        return [None] * len(texts)
    everything = [m for members in themes for m in members] + list(texts)
    docs = analyse_all(everything, language)
    # The whole text without stopword-words, as when judging whether an idea belongs to a group:
    # "for" or "alle" shared with two ideas of a theme is no reason to join it.
    rows = meaning.vectors(everything) if use_meaning else None
    meant = None if rows is None else meaning.centred_similarity(rows, [d.language for d in docs])
    sim = blend(similarities(vectorize(docs).full), meant, MEANING_WEIGHT)[len(owners):, :len(owners)]
    owner = np.array(owners)
    scores = np.zeros((len(texts), len(themes)))
    for theme in range(len(themes)):
        inside = np.sort(sim[:, owner == theme], axis=1)[:, ::-1]
        if inside.shape[1]:
            # As for suggested themes, one shared word ("gratis") is not enough: an idea must be
            # close to two of the theme's ideas (one, when the theme has one).
            linked = (inside >= LINK).sum(axis=1) >= min(MIN_LINKS, inside.shape[1])
            scores[:, theme] = np.where(linked, inside[:, :CLOSEST].mean(axis=1), 0.0)
    fits: list[Fit | None] = []
    for row in scores:
        order = np.argsort(-row, kind="stable")
        best = float(row[order[0]])
        runner_up = float(row[order[1]]) if len(order) > 1 else 0.0
        clear = best >= MIN_FIT and best >= MARGIN * runner_up
        fits.append(Fit(int(order[0]), round(best, 3)) if clear else None)
    return fits
