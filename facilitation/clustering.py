"""Theme suggestions and duplicate detection for short Danish or English ideas."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp
import snowballstemmer
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from facilitation.stopwords import DANISH, ENGLISH

# Weights of the two views; char n-grams catch Danish compounds and typos that stems miss.
WORD_WEIGHT = 1.0
CHAR_WEIGHT = 1.0
# Cosine distance at which average-linkage stops merging; fixed, never fitted to labels.
THRESHOLD = 0.8
# Features seen in a single idea cannot link two ideas, they only dilute the similarity.
MIN_DF = 2
DUPLICATE_SIMILARITY = 0.9
LSA_DIMS = 0
CHAR_FULL = False
METHOD = "average"

_WORD_RE = re.compile(r"[^\W\d_]+")
_STOPWORDS = {"da": DANISH, "en": ENGLISH}
# Words that are common in both languages say nothing about which language a text is in.
_DA_ONLY = DANISH - ENGLISH
_EN_ONLY = ENGLISH - DANISH
_STEMMERS = {"da": snowballstemmer.stemmer("danish"), "en": snowballstemmer.stemmer("english")}


@dataclass(frozen=True)
class Suggestion:
    """A suggested theme: a short label and the indices of the ideas in it."""

    label: str
    members: list[int]


@dataclass(frozen=True)
class _Doc:
    """One idea reduced to content words: surface forms and their stems."""

    words: list[str]
    stems: list[str]
    full: str


def _language_score(text: str) -> int:
    """Return a positive score for Danish evidence and a negative one for English."""
    words = _WORD_RE.findall(text.lower())
    score = sum(w in _DA_ONLY for w in words) - sum(w in _EN_ONLY for w in words)
    return score + 2 * len(re.findall(r"[æøå]", text.lower()))


def detect_language(texts: Sequence[str]) -> str:
    """Return "da" or "en", whichever language the texts as a whole look more like."""
    return "da" if sum(_language_score(t) for t in texts) > 0 else "en"


def _analyse(text: str, language: str) -> _Doc:
    """Split a text into lowercase content words and their Snowball stems."""
    words = [w for w in _WORD_RE.findall(text.lower()) if len(w) > 1]
    content = [w for w in words if w not in _STOPWORDS[language]]
    return _Doc(content, _STEMMERS[language].stemWords(content), " ".join(words))


def _analyse_all(texts: Sequence[str], language: str | None) -> list[_Doc]:
    """Analyse every text, detecting the language per text when none is given."""
    fallback = language or detect_language(texts)
    docs = []
    for text in texts:
        lang = language
        if lang is None:
            score = _language_score(text)
            # Too little evidence in one short idea: trust the set as a whole.
            lang = fallback if score == 0 else ("da" if score > 0 else "en")
        docs.append(_analyse(text, lang))
    return docs


def _vectorize(docs: list[_Doc]) -> sp.csr_matrix:
    """Build L2-normalised rows combining stem TF-IDF and char n-gram TF-IDF."""
    n = len(docs)
    min_df = MIN_DF if n > 2 else 1
    word_vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=min_df)
    char_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                               min_df=min_df)
    parts = []
    for vec, data, weight in ((word_vec, [d.stems for d in docs], WORD_WEIGHT),
                              (char_vec, [d.full if CHAR_FULL else " ".join(d.words) for d in docs], CHAR_WEIGHT)):
        try:
            parts.append(weight * vec.fit_transform(data))
        except ValueError:  # every feature was rare or empty: this view has nothing to say
            parts.append(sp.csr_matrix((n, 1)))
    m = sp.csr_matrix(normalize(sp.hstack(parts).tocsr()))
    if LSA_DIMS and n > 10:
        from sklearn.decomposition import TruncatedSVD
        k = min(LSA_DIMS, m.shape[1] - 1, n - 1)
        z = TruncatedSVD(k, random_state=0).fit_transform(m)
        z[np.abs(z).sum(axis=1) == 0, 0] = 0
        m = sp.csr_matrix(normalize(z))
    return m


def _cluster(matrix: sp.csr_matrix) -> list[list[int]]:
    """Group rows by average-linkage on cosine distance, cut at the fixed threshold."""
    nonzero = np.flatnonzero(matrix.getnnz(axis=1))
    if len(nonzero) < 2:
        return []
    rows = matrix[nonzero]
    dist = np.clip(1.0 - (rows @ rows.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform((dist + dist.T) / 2, checks=False), method=METHOD)
    ids = fcluster(tree, t=THRESHOLD, criterion="distance")
    groups: dict[int, list[int]] = {}
    for row, cid in zip(nonzero, ids):
        groups.setdefault(int(cid), []).append(int(row))
    return [g for g in groups.values() if len(g) >= 2]


def _label(members: list[int], docs: list[_Doc], doc_freq: Counter[str]) -> str:
    """Name a cluster by its most distinctive stems, written as their commonest word."""
    n = len(docs)
    inside = Counter(s for i in members for s in set(docs[i].stems))
    # Shared by many members, rare elsewhere; ties go alphabetically for determinism.
    ranked = sorted(inside, key=lambda s: (-inside[s] * np.log((1 + n) / doc_freq[s]), s))
    surfaces = Counter((s, w) for i in members for w, s in zip(docs[i].words, docs[i].stems))
    words: list[str] = []
    for stem in ranked:
        if len(words) == 3 or (len(words) >= 2 and inside[stem] < 2):
            break
        word = max((w for (s, w) in surfaces if s == stem), key=lambda w: (surfaces[(stem, w)], w))
        if word not in words:
            words.append(word)
    return " / ".join(words) if words else "…"


def suggest_clusters(texts: Sequence[str], language: str | None = None) -> list[Suggestion]:
    """Suggest themes of at least two ideas; ideas that fit no theme are left out."""
    if len(texts) < 2:
        return []
    # Work in a canonical order so the result does not depend on the order of the input.
    order = sorted(range(len(texts)), key=lambda i: (texts[i].casefold(), texts[i]))
    docs = _analyse_all([texts[i] for i in order], language)
    groups = _cluster(_vectorize(docs))
    doc_freq = Counter(s for d in docs for s in set(d.stems))
    suggestions = [Suggestion(_label(g, docs, doc_freq), sorted(order[i] for i in g))
                   for g in groups]
    return sorted(suggestions, key=lambda s: (-len(s.members), s.members))


def _normalise(text: str) -> str:
    """Lowercase and reduce punctuation and whitespace runs to single spaces."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def find_duplicates(texts: Sequence[str]) -> list[list[int]]:
    """Group near-identical ideas (ignoring case, punctuation and spacing), sorted."""
    norm = [_normalise(t) for t in texts]
    if sum(bool(t) for t in norm) < 2:
        return []
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), use_idf=False)
    matrix = vec.fit_transform(norm)
    sim = (matrix @ matrix.T).tocsr()
    sim.data[sim.data < DUPLICATE_SIMILARITY] = 0
    sim.eliminate_zeros()
    count, ids = connected_components(sim, directed=False)
    groups = [sorted(np.flatnonzero(ids == c).tolist()) for c in range(count)]
    return sorted(g for g in groups if len(g) >= 2)
