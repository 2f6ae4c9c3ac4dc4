"""Ideas as a graph of their nearest neighbours, cut into communities: the suggested groups."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .text import Vectors

# Every threshold below is fixed and was chosen on benchmark samples (bench/clustering.py)
# drawn with other seeds than the reported ones; none of them ever looks at labels at run time.
# Each idea links to its nearest ideas only, so a big theme cannot swallow a small one.
NEIGHBOURS = 30
MIN_EDGE = 0.05
# A member needs this whole-text cosine to at least MIN_LINKS others, or it fits no theme.
LINK = 0.08
MIN_LINKS = 2
# Granularity -> (resolution, merge ratio, split ratio). Above 1 the communities come out smaller
# than plain modularity makes them; the price, that a set of ideas all on one theme can be cut in
# pieces, is paid back by merging communities whose ideas are as alike across as within (0.8 =
# 80 %). A community can still hold several themes on one subject ("cancel alarms", "show
# alarms"): it is cut in parts of at least MIN_PART ideas, and parts join again while they are
# worded alike across at least split ratio as much as within (0.25 = 25 %; 0 = never cut). A
# subject asked about in many ways ("will it rain", "will it be cold") keeps its wording across
# its parts and stays whole; "cancel all alarms" and "show all alarms" differ in their verbs.
GRANULARITY = {-2: (0.6, 0.55, 0.0), -1: (1.0, 0.65, 0.15), 0: (1.5, 0.8, 0.25),
               1: (2.2, 0.9, 0.3), 2: (3.2, 1.0, 0.35)}
# Danish rows (text.LANGUAGE_VIEWS) share more pieces, so the broad levels merged Danish ideas
# into fewer themes than before (-2: 4.3 -> 2.8 per 150 ideas); these give it back about as many.
LANGUAGE_GRANULARITY = {"da": {**GRANULARITY, -2: (0.8, 0.7, 0.0), -1: (1.1, 0.8, 0.15)}}
MIN_PART = 6
# A community over half the ideas is cut again at CAP_FACTOR times the resolution, then its
# square and so on, CAP_STEPS times at most; fewer ideas than CAP_FROM may well be on one theme.
CAP_FACTOR = 1.5
CAP_FROM = 20
CAP_STEPS = 4
# The share of an idea pair's similarity that comes from what they mean (meaning.py), the rest
# from the words they share: in the graph, in whether an idea belongs, and in whether parts of a
# community are put alike. Meaning links paraphrases ("will it rain" / "the forecast for Paris")
# and the same idea in Danish and English. Two ideas in two languages share no words to compare:
# there the meaning alone counts (ACROSS_WEIGHT of it). Parts of a community are alike in meaning
# as well as in wording, so they are kept apart from SPLIT_SCALE times the split ratio. Chosen on
# seeds 101-108 (150 ideas): da 0.61 -> 0.69, en 0.64 -> 0.73, mixed 0.44 -> 0.63.
# Whether the parts join again leans more on their wording (0.35 of meaning, not 0.5): the model
# finds "vis alle alarmer", "sluk alarmen" and "sæt en alarm" alike, as it does a song to play and
# a film that is playing, and joined parts that their verbs tell apart (a 47-idea "Playliste" of
# five intents). Between languages the meaning still decides alone. Seeds 101-108: da 0.694 ->
# 0.703, en 0.731 -> 0.758, mixed 0.630 -> 0.643 (0.25-0.35 all within 0.005 of that); unseen
# seeds 201-204: da 0.650 -> 0.688, en 0.723 -> 0.744, mixed 0.595 -> 0.592.
MEANING_WEIGHT = 0.5
MEANING_WEIGHT_FULL = 0.5
MEANING_WEIGHT_PHRASING = 0.35
SPLIT_SCALE = 1.5
ACROSS_WEIGHT = 1.0
PART_NEIGHBOURS = 10

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def _knn_graph(sim: FloatArray, neighbours: int = NEIGHBOURS) -> sp.csr_matrix:
    """Return the symmetric k-nearest-neighbour graph weighted by similarity."""
    n = len(sim)
    k = min(neighbours, n - 1)
    # Only which k are nearest matters, not their order: a partial sort is enough. The input is in
    # canonical order, so ties are broken the same way every time.
    nearest = np.argpartition(-sim, k - 1, axis=1)[:, :k].ravel()
    rows = np.repeat(np.arange(n), k)
    weights = sim[rows, nearest]
    keep = weights >= MIN_EDGE
    graph = sp.csr_matrix((weights[keep], (rows[keep], nearest[keep])), shape=(n, n))
    return sp.csr_matrix(graph.maximum(graph.T))


def _move_nodes(graph: sp.csr_matrix, resolution: float, start: IntArray | None = None
                ) -> IntArray:
    """Move each node to the neighbouring community with the best modularity gain, starting
    from each node alone or from the communities `start` gives."""
    n = graph.shape[0]
    indptr, indices, data = graph.indptr.tolist(), graph.indices.tolist(), graph.data.tolist()
    degree = np.asarray(graph.sum(axis=1)).ravel().tolist()
    scale = resolution / sum(degree)
    comm = list(range(n)) if start is None else start.tolist()
    tot = np.bincount(comm, weights=degree, minlength=n).tolist()
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


def _louvain(graph: sp.csr_matrix, resolution: float) -> IntArray:
    """Return a community id per node from deterministic multi-level Louvain."""
    labels = np.arange(graph.shape[0])
    level = graph
    while level.nnz:
        part = _move_nodes(level, resolution)
        if part.max() + 1 == level.shape[0]:
            break
        labels = part[labels]
        # Collapse each community into one node and optimise again on the smaller graph.
        merge = sp.csr_matrix((np.ones(len(part)), (np.arange(len(part)), part)))
        level = sp.csr_matrix(merge.T @ level @ merge)
    if labels.max() + 1 == graph.shape[0]:
        return labels
    # The upper levels move whole communities: an idea that went with its first neighbours may
    # now sit better in another community. One more pass over the ideas themselves, from the
    # communities found, moves it (Rotta and Noack's refinement, 2011). Seeds 101-116 at 150
    # ideas: da 0.702 -> 0.706, en 0.741 -> 0.743, mixed 0.640 -> 0.643; unseen seeds 201-208:
    # da 0.697 -> 0.702, en 0.741 -> 0.744, mixed 0.615 -> 0.615.
    return _move_nodes(graph, resolution, labels)


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


def _merge_alike(labels: IntArray, sim: FloatArray, merge_ratio: float) -> IntArray:
    """Merge communities, closest first, while they are as alike across as inside."""
    onehot = sp.csr_matrix((np.ones(len(labels)), (np.arange(len(labels)), labels)))
    total = np.asarray(onehot.T @ (onehot.T @ sim).T, dtype=np.float64)
    size = np.asarray(onehot.sum(axis=0), dtype=np.float64).ravel()
    while True:
        ratio = _merge_ratios(total, size)
        a, b = np.unravel_index(np.argmax(ratio), ratio.shape)
        if ratio[a, b] < merge_ratio:
            return np.unique(labels, return_inverse=True)[1].astype(np.intp)
        # Fold community b into a; b stays as an empty row so the ids keep their meaning.
        total[a, :] += total[b, :]
        total[:, a] += total[:, b]
        total[b, :] = total[:, b] = 0.0
        size[a], size[b] = size[a] + size[b], 0.0
        labels = np.where(labels == b, a, labels)


def _split(members: IntArray, sim: FloatArray, phrasing: FloatArray, ratio: float
           ) -> list[IntArray]:
    """Cut one community into parts of MIN_PART or more ideas that put things differently."""
    if len(members) < 2 * MIN_PART or ratio <= 0:
        return [members]
    inner = sim[np.ix_(members, members)]
    graph = _knn_graph(inner, PART_NEIGHBOURS)
    if not graph.nnz:
        return [members]
    labels = _louvain(graph, 1.0)
    sizes = np.bincount(labels)
    big = np.flatnonzero(sizes >= MIN_PART)
    if len(big) < 2:
        return [members]
    # A few ideas are no theme of their own: they join the part they are closest to.
    for part in np.flatnonzero(sizes < MIN_PART):
        inside = labels == part
        closest = max(big.tolist(), key=lambda b: inner[np.ix_(inside, labels == b)].mean())
        labels = np.where(inside, closest, labels)
    # Parts that put things alike ("will it rain", "will it snow") join again.
    labels = _merge_alike(labels, phrasing[np.ix_(members, members)], ratio)
    return [members[labels == part] for part in np.unique(labels)]


def _cap(members: IntArray, close: FloatArray, resolution: float, limit: int) -> list[IntArray]:
    """Cut a community of more than `limit` ideas (half the workshop) into finer ones: a theme
    that holds most ideas sorts nothing, at any granularity."""
    if len(members) <= max(limit, 1):
        return [members]
    graph = _knn_graph(close[np.ix_(members, members)])
    for step in range(1, CAP_STEPS + 1):
        labels = _louvain(graph, resolution * CAP_FACTOR ** step)
        if labels.max() > 0:
            return [capped for part in np.unique(labels)
                    for capped in _cap(members[labels == part], close, resolution, limit)]
    return [members]


def similarities(matrix: sp.csr_matrix) -> FloatArray:
    """Return the dense cosine similarity of the rows, zero on the diagonal."""
    sim = np.asarray((matrix @ matrix.T).toarray(), dtype=np.float64)
    np.fill_diagonal(sim, 0.0)
    return sim


def blend(lexical: FloatArray, meaning: FloatArray | None, weight: float,
          across: npt.NDArray[np.bool_] | None = None) -> FloatArray:
    """Word similarity alone, or (1 - weight) of it plus weight of how alike the ideas mean.
    Two ideas in two languages share no words to compare: how alike they mean is all there is."""
    if meaning is None:
        return lexical
    mixed = (1 - weight) * lexical + weight * meaning
    if across is not None:
        mixed = np.where(across, ACROSS_WEIGHT * meaning, mixed)
    return np.asarray(mixed, dtype=np.float64)


def cluster(vectors: Vectors, granularity: int = 0) -> list[list[int]]:
    """Group rows into graph communities, dropping members with too few close links."""
    resolution, merge_ratio, split_ratio = LANGUAGE_GRANULARITY.get(vectors.language,
                                                                    GRANULARITY)[granularity]
    close = blend(similarities(vectors.shared), vectors.meaning, MEANING_WEIGHT, vectors.across)
    labels = _louvain(_knn_graph(close), resolution)
    # Whether an idea really belongs is judged on its whole text, not on shared parts only.
    sim = blend(similarities(vectors.full), vectors.meaning, MEANING_WEIGHT_FULL, vectors.across)
    labels = _merge_alike(labels, sim, merge_ratio)
    # Parts worded apart are also told apart by language: what they mean keeps them together.
    phrasing = blend(similarities(vectors.phrasing), vectors.meaning, MEANING_WEIGHT_PHRASING,
                     vectors.across)
    if vectors.meaning is not None:
        split_ratio *= SPLIT_SCALE
    parts = (capped for c in range(labels.max() + 1)
             for part in _split(np.flatnonzero(labels == c), close, phrasing, split_ratio)
             for capped in _cap(part, close, resolution,
                                len(labels) // 2 if len(labels) >= CAP_FROM else len(labels)))
    groups = []
    for members in parts:
        inner = sim[np.ix_(members, members)]
        # One shared word ("gratis") is not a theme: an idea needs two close neighbours.
        kept = members[(inner >= LINK).sum(axis=1) >= min(MIN_LINKS, len(members) - 1)]
        if len(kept) < 2 and len(members) > 2:
            # No idea has two close neighbours, yet its closest two are as close as a community
            # of two must be: they are a theme (36 varied ideas would otherwise leave 29 unsorted).
            a, b = np.unravel_index(np.argmax(inner), inner.shape)
            if inner[a, b] >= LINK:
                kept = members[[a, b]]
        if len(kept) >= 2:
            # Most central member first: the label falls back on its words.
            centrality = sim[np.ix_(kept, kept)].sum(axis=1)
            groups.append(kept[np.argsort(-centrality, kind="stable")].tolist())
    return groups
