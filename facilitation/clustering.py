"""Theme suggestions and duplicate detection for short Danish or English ideas."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import snowballstemmer
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from facilitation.stopwords import DANISH, ENGLISH

# Every threshold below is fixed and was chosen on benchmark samples (bench/clustering.py)
# drawn with other seeds than the reported ones; none of them ever looks at labels at run time.
# Char n-grams catch Danish compounds and typos ("påmindelse"/"påmidelse") that stems miss.
# Whole words with stopwords kept catch phrasing ("will it", "how do I") that stems drop;
# they lift English most. They only shape the graph: in the whole-text test of whether an
# idea belongs (FULL_WORD_WEIGHT) words like "for" would pull outliers into themes.
STEM_WEIGHT = 1.0
CHAR_WEIGHT = 1.5
WORD_WEIGHT = 1.0
FULL_WORD_WEIGHT = 0.0
# Features seen in a single idea cannot link two ideas, they only dilute the similarity.
MIN_DF = 2
# Each idea links to its nearest ideas only, so a big theme cannot swallow a small one.
NEIGHBOURS = 20
MIN_EDGE = 0.05
# Above 1 the communities come out smaller than plain modularity makes them; the price, that
# a set of ideas all on one theme can be cut in pieces, is paid back by MERGE_RATIO below.
RESOLUTION = 1.5
# A member needs this whole-text cosine to at least MIN_LINKS others, or it fits no theme.
LINK = 0.08
MIN_LINKS = 2
# Communities whose ideas are this alike across as within (0.8 = 80 %) are one theme.
MERGE_RATIO = 0.8
DUPLICATE_SIMILARITY = 0.9

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

_WORD_RE = re.compile(r"[^\W\d_]+")
_STOPWORDS = {"da": DANISH, "en": ENGLISH}
# Words that exist in both lists say nothing about which language a text is in.
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
    """One idea as lowercase words (stopwords kept), content words and their stems."""

    text: str
    words: list[str]
    stems: list[str]


def _language_score(text: str) -> int:
    """Return a positive score for Danish evidence and a negative one for English."""
    lower = text.lower()
    words = _WORD_RE.findall(lower)
    score = sum(w in _DA_ONLY for w in words) - sum(w in _EN_ONLY for w in words)
    return score + 2 * sum(lower.count(c) for c in "æøå")


def detect_language(texts: Sequence[str]) -> str:
    """Return "da" or "en", whichever language the texts as a whole look more like."""
    return "da" if sum(_language_score(t) for t in texts) > 0 else "en"


@lru_cache(maxsize=65536)
def _stem(word: str, language: str) -> str:
    """Return the Snowball stem of a word, cached because the stemmer is pure Python."""
    return str(_STEMMERS[language].stemWord(word))


def _analyse(text: str, language: str) -> _Doc:
    """Split a text into lowercase words, its content words and their stems."""
    words = [w for w in _WORD_RE.findall(text.lower()) if len(w) > 1]
    content = [w for w in words if w not in _STOPWORDS[language]]
    return _Doc(" ".join(words), content, [_stem(w, language) for w in content])


def _analyse_all(texts: Sequence[str], language: str | None) -> list[_Doc]:
    """Analyse every text, detecting the language per text when none is given."""
    fallback = language or detect_language(texts)
    docs = []
    for text in texts:
        score = 0 if language else _language_score(text)
        # One short idea often carries no evidence at all: then trust the set as a whole.
        lang = fallback if score == 0 else ("da" if score > 0 else "en")
        docs.append(_analyse(text, lang))
    return docs


def _combine(parts: list[sp.csr_matrix], weights: tuple[float, ...]) -> sp.csr_matrix:
    """Weight each L2-normalised view, stack them and L2-normalise the rows again."""
    weighted = [w * normalize(p) for w, p in zip(weights, parts)]
    return sp.csr_matrix(normalize(sp.hstack(weighted).tocsr()))


def _vectorize(docs: list[_Doc]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Return rows of stem, char n-gram and word TF-IDF: only shared features, and all."""
    stems = TfidfVectorizer(analyzer=lambda stems: stems, sublinear_tf=True, norm=None)
    # Char n-grams and words run over the whole text: recurring phrasings ("will it",
    # "kommer det til at") are a useful signal, and IDF keeps the most common ones weak.
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                            norm=None)
    words = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, norm=None)
    views = ((stems, [d.stems for d in docs]), (chars, [d.text for d in docs]),
             (words, [d.text for d in docs]))
    full, shared = [], []
    for vec, data in views:
        try:
            raw = sp.csr_matrix(vec.fit_transform(data))
        except ValueError:  # no text has a single feature: this view has nothing to say
            raw = sp.csr_matrix((len(docs), 1))
        full.append(raw)
        # Features of a single idea cannot link two ideas; without them the shared
        # vocabulary, which shapes the themes, is not diluted by each idea's length.
        keep = np.flatnonzero(raw.getnnz(axis=0) >= MIN_DF)
        shared.append(raw[:, keep] if len(keep) else sp.csr_matrix((len(docs), 1)))
    return (_combine(shared, (STEM_WEIGHT, CHAR_WEIGHT, WORD_WEIGHT)),
            _combine(full, (STEM_WEIGHT, CHAR_WEIGHT, FULL_WORD_WEIGHT)))


def _knn_graph(sim: FloatArray) -> sp.csr_matrix:
    """Return the symmetric k-nearest-neighbour graph weighted by similarity."""
    n = len(sim)
    k = min(NEIGHBOURS, n - 1)
    # A stable sort breaks ties by the canonical order, never by chance.
    nearest = np.argsort(-sim, axis=1, kind="stable")[:, :k].ravel()
    rows = np.repeat(np.arange(n), k)
    weights = sim[rows, nearest]
    keep = weights >= MIN_EDGE
    graph = sp.csr_matrix((weights[keep], (rows[keep], nearest[keep])), shape=(n, n))
    return sp.csr_matrix(graph.maximum(graph.T))


def _move_nodes(graph: sp.csr_matrix, resolution: float) -> IntArray:
    """Move each node to the neighbouring community with the best modularity gain."""
    n = graph.shape[0]
    indptr, indices, data = graph.indptr.tolist(), graph.indices.tolist(), graph.data.tolist()
    degree = np.asarray(graph.sum(axis=1)).ravel().tolist()
    scale = resolution / sum(degree)
    comm, tot = list(range(n)), list(degree)
    moved = True
    while moved:
        moved = False
        for i in range(n):
            tot[comm[i]] -= degree[i]
            links: dict[int, float] = {comm[i]: 0.0}
            for j, w in zip(indices[indptr[i]:indptr[i + 1]], data[indptr[i]:indptr[i + 1]]):
                if j != i:
                    links[comm[j]] = links.get(comm[j], 0.0) + w
            # Staying wins ties; otherwise the lowest community id wins, for determinism.
            best = max(sorted(links), key=lambda c: (links[c] - tot[c] * degree[i] * scale,
                                                     c == comm[i]))
            tot[best] += degree[i]
            moved |= best != comm[i]
            comm[i] = best
    return np.unique(comm, return_inverse=True)[1].astype(np.intp)


def _louvain(graph: sp.csr_matrix) -> IntArray:
    """Return a community id per node from deterministic multi-level Louvain."""
    labels = np.arange(graph.shape[0])
    while graph.nnz:
        part = _move_nodes(graph, RESOLUTION)
        if part.max() + 1 == graph.shape[0]:
            break
        labels = part[labels]
        # Collapse each community into one node and optimise again on the smaller graph.
        merge = sp.csr_matrix((np.ones(len(part)), (np.arange(len(part)), part)))
        graph = sp.csr_matrix(merge.T @ graph @ merge)
    return labels


def _merge_ratios(total: FloatArray, size: FloatArray) -> FloatArray:
    """Return, per pair of communities, their mean cross similarity over their inner one."""
    inner = np.where(size > 1, np.diag(total) / np.maximum(size * (size - 1), 1), np.nan)
    cross = total / np.maximum(np.outer(size, size), 1)
    # A lone idea has no inner similarity: compare with the other side, else with a
    # typical community; when all are lone ideas, the closest pair is alike enough.
    typical = np.nanmedian(inner) if np.isfinite(inner).any() else cross.max()
    ref = np.fmin(inner[:, None], inner[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = cross / np.where(np.isnan(ref), typical, ref)
    ratio[~np.isfinite(ratio) | (size[:, None] == 0) | (size[None, :] == 0)] = 0.0
    np.fill_diagonal(ratio, 0.0)
    return np.asarray(ratio, dtype=np.float64)


def _merge_alike(labels: IntArray, sim: FloatArray) -> IntArray:
    """Merge communities, closest first, while they are as alike across as inside."""
    onehot = sp.csr_matrix((np.ones(len(labels)), (np.arange(len(labels)), labels)))
    total = np.asarray(onehot.T @ (onehot.T @ sim).T, dtype=np.float64)
    size = np.asarray(onehot.sum(axis=0), dtype=np.float64).ravel()
    while True:
        ratio = _merge_ratios(total, size)
        a, b = np.unravel_index(np.argmax(ratio), ratio.shape)
        if ratio[a, b] < MERGE_RATIO:
            return np.unique(labels, return_inverse=True)[1].astype(np.intp)
        # Fold community b into a; b stays as an empty row so the ids keep their meaning.
        total[a, :] += total[b, :]
        total[:, a] += total[:, b]
        total[b, :] = total[:, b] = 0.0
        size[a], size[b] = size[a] + size[b], 0.0
        labels = np.where(labels == b, a, labels)


def _similarities(matrix: sp.csr_matrix) -> FloatArray:
    """Return the dense cosine similarity of the rows, zero on the diagonal."""
    sim = np.asarray((matrix @ matrix.T).toarray(), dtype=np.float64)
    np.fill_diagonal(sim, 0.0)
    return sim


def _cluster(shared: sp.csr_matrix, full: sp.csr_matrix) -> list[list[int]]:
    """Group rows into graph communities, dropping members with too few close links."""
    labels = _louvain(_knn_graph(_similarities(shared)))
    # Whether an idea really belongs is judged on its whole text, not on shared parts only.
    sim = _similarities(full)
    labels = _merge_alike(labels, sim)
    groups = []
    for c in range(labels.max() + 1):
        members = np.flatnonzero(labels == c)
        inner = sim[np.ix_(members, members)]
        # One shared word ("gratis") is not a theme: an idea needs two close neighbours.
        kept = members[(inner >= LINK).sum(axis=1) >= min(MIN_LINKS, len(members) - 1)]
        if len(kept) >= 2:
            # Most central member first: the label falls back on its words.
            centrality = sim[np.ix_(kept, kept)].sum(axis=1)
            groups.append(kept[np.argsort(-centrality, kind="stable")].tolist())
    return groups


def _label(group: list[int], docs: list[_Doc], doc_freq: Counter[str]) -> str:
    """Name a group by its most distinctive shared stems, written as their commonest word."""
    inside = Counter(s for i in group for s in set(docs[i].stems))
    idf = {s: np.log((1 + len(docs)) / doc_freq[s]) for s in inside}
    # Stems shared by several members first, then the central member's own words.
    shared = sorted((s for s in inside if inside[s] > 1), key=lambda s: (-inside[s] * idf[s], s))
    central = sorted(set(docs[group[0]].stems) - set(shared), key=lambda s: (-idf[s], s))
    surfaces = Counter((s, w) for i in group for w, s in zip(docs[i].words, docs[i].stems))
    words: list[str] = []
    for stem in shared[:3] + central[:max(0, 2 - len(shared))]:
        # Ties between surface forms go to the alphabetically first, for determinism.
        word = min((w for (s, w) in surfaces if s == stem), key=lambda w: (-surfaces[stem, w], w))
        if word not in words:
            words.append(word)
    # Ideas made only of stopwords still deserve a name: use the central idea's own words.
    return " / ".join(words) or " ".join(docs[group[0]].text.split()[:3]) or "…"


def suggest_clusters(texts: Sequence[str], language: str | None = None) -> list[Suggestion]:
    """Suggest themes of at least two ideas; ideas that fit no theme are left out."""
    if len(texts) < 2:
        return []
    # Work in a canonical order so the result does not depend on the order of the input.
    order = sorted(range(len(texts)), key=lambda i: (texts[i].casefold(), texts[i]))
    docs = _analyse_all([texts[i] for i in order], language)
    groups = _cluster(*_vectorize(docs))
    doc_freq = Counter(s for d in docs for s in set(d.stems))
    suggestions = [Suggestion(_label(g, docs, doc_freq), sorted(order[i] for i in g))
                   for g in groups]
    return sorted(suggestions, key=lambda s: (-len(s.members), s.members))


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
