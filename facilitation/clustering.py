"""Theme suggestions and duplicate detection for short Danish or English ideas."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
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
CHAR_FULL = True
NEIGHBOURS = 15
MIN_EDGE = 0.05
RESOLUTION = 1.5
MIN_COHESION = 0.0
SMOOTH = 0
LINK = 0.3
MIN_LINKS = 0
COHESION_RATIO = 0.0
SNN = 0
WORD_IDF = True
CHAR_IDF = True
CHAR_AN = "char_wb"
CHAR_RANGE = (3, 5)
WORD_FULL = False
BIGRAMS = 0
SMOOTH_WEIGHT = 1.0
SECOND = 0.0

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
    fstems: list[str]


def _language_score(text: str) -> int:
    """Return a positive score for Danish evidence and a negative one for English."""
    words = _WORD_RE.findall(text.lower())
    score = sum(w in _DA_ONLY for w in words) - sum(w in _EN_ONLY for w in words)
    return score + 2 * len(re.findall(r"[æøå]", text.lower()))


def detect_language(texts: Sequence[str]) -> str:
    """Return "da" or "en", whichever language the texts as a whole look more like."""
    return "da" if sum(_language_score(t) for t in texts) > 0 else "en"


@lru_cache(maxsize=65536)
def _stem(word: str, language: str) -> str:
    """Return the Snowball stem of a word, cached because stemming is pure Python."""
    return str(_STEMMERS[language].stemWord(word))


def _analyse(text: str, language: str) -> _Doc:
    """Split a text into lowercase content words and their Snowball stems."""
    words = [w for w in _WORD_RE.findall(text.lower()) if len(w) > 1]
    content = [w for w in words if w not in _STOPWORDS[language]]
    if WORD_FULL:
        return _Doc(content, [_stem(w, language) for w in content], " ".join(words), [_stem(w, language) for w in words])
    return _Doc(content, [_stem(w, language) for w in content], " ".join(words), [_stem(w, language) for w in content])


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
    word_vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=min_df, use_idf=WORD_IDF)
    char_vec = TfidfVectorizer(analyzer=CHAR_AN, ngram_range=CHAR_RANGE, sublinear_tf=True,
                               min_df=min_df, use_idf=CHAR_IDF)
    parts = []
    for vec, data, weight in ((word_vec, [d.fstems + [a + " " + b for a, b in zip(d.fstems, d.fstems[1:])] * BIGRAMS for d in docs], WORD_WEIGHT),
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


def _knn_graph(matrix: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
    """Return the symmetric k-nearest-neighbour similarity graph and the full similarities."""
    sim = (matrix @ matrix.T).toarray()
    np.fill_diagonal(sim, 0.0)
    if SMOOTH:
        m = min(SMOOTH, len(sim) - 1)
        nn = np.argsort(-sim, axis=1, kind="stable")[:, :m]
        w = np.zeros_like(sim)
        r = np.repeat(np.arange(len(sim)), m)
        w[r, nn.ravel()] = sim[r, nn.ravel()] * SMOOTH_WEIGHT
        w += np.eye(len(sim))
        z = normalize(sp.csr_matrix(w) @ matrix)
        sim = (z @ z.T).toarray()
        np.fill_diagonal(sim, 0.0)
    if SECOND:
        s2 = sim @ sim
        d = np.sqrt(np.diag(s2)) + 1e-12
        sim = (1 - SECOND) * sim + SECOND * s2 / d[:, None] / d[None, :]
        np.fill_diagonal(sim, 0.0)
    k = min(NEIGHBOURS, len(sim) - 1)
    # Stable sort so ties are broken by the canonical order, not by chance.
    nearest = np.argsort(-sim, axis=1, kind="stable")[:, :k]
    rows = np.repeat(np.arange(len(sim)), k)
    weights = sim[rows, nearest.ravel()]
    keep = weights >= MIN_EDGE
    graph = sp.csr_matrix((weights[keep], (rows[keep], nearest.ravel()[keep])), shape=sim.shape)
    graph = sp.csr_matrix(graph.maximum(graph.T))
    if SNN:
        bnn = sp.csr_matrix((np.ones(len(rows)), (rows, nearest.ravel())), shape=sim.shape)
        bnn = bnn + sp.eye(len(sim))
        shared = (bnn @ bnn.T).toarray() / (k + 1)
        mask = graph.toarray() > 0
        w = np.where(mask, shared ** SNN, 0.0)
        graph = sp.csr_matrix(w)
    return graph, sim


def _move_nodes(graph: sp.csr_matrix, resolution: float) -> np.ndarray:
    """Greedily move each node to the neighbouring community with the best modularity gain."""
    n = graph.shape[0]
    degree = np.asarray(graph.sum(axis=1)).ravel()
    total = degree.sum()
    comm = np.arange(n)
    tot = degree.copy()
    moved = True
    while moved:
        moved = False
        for i in range(n):
            tot[comm[i]] -= degree[i]
            links: dict[int, float] = {}
            for j, w in zip(graph.indices[graph.indptr[i]:graph.indptr[i + 1]],
                            graph.data[graph.indptr[i]:graph.indptr[i + 1]]):
                if j != i:
                    links[comm[j]] = links.get(comm[j], 0.0) + w
            best = comm[i]
            gain = links.get(best, 0.0) - resolution * tot[best] * degree[i] / total
            for c in sorted(links):
                g = links[c] - resolution * tot[c] * degree[i] / total
                if g > gain + 1e-12:
                    best, gain = c, g
            tot[best] += degree[i]
            moved |= bool(best != comm[i])
            comm[i] = best
    return np.unique(comm, return_inverse=True)[1]


def _louvain(graph: sp.csr_matrix, resolution: float) -> np.ndarray:
    """Return a community id per node from deterministic multi-level Louvain."""
    labels = np.arange(graph.shape[0])
    if graph.nnz == 0:
        return labels
    while True:
        part = _move_nodes(graph, resolution)
        if part.max() + 1 == graph.shape[0]:
            return labels
        labels = part[labels]
        # Collapse communities into single nodes and repeat on the smaller graph.
        agg = sp.csr_matrix((np.ones(len(part)), (np.arange(len(part)), part)))
        graph = sp.csr_matrix(agg.T @ graph @ agg)


def _cluster(matrix: sp.csr_matrix) -> list[list[int]]:
    """Group rows into communities of the similarity graph, leaving weak members out."""
    if matrix.shape[0] < 2:
        return []
    graph, sim = _knn_graph(matrix)
    labels = _louvain(graph, RESOLUTION)
    groups = []
    for c in range(labels.max() + 1):
        members = np.flatnonzero(labels == c)
        if len(members) < 2:
            continue
        inner = sim[np.ix_(members, members)]
        cohesion = inner.sum(axis=1) / (len(members) - 1)
        links = (inner >= LINK).sum(axis=1)
        kept = members[(cohesion >= MIN_COHESION) & (cohesion >= COHESION_RATIO * np.median(cohesion)) & (links >= min(MIN_LINKS, len(members) - 1))]
        if len(kept) >= 2:
            groups.append(kept.tolist())
    return groups


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
