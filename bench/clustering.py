"""Benchmark theme suggestions against human intent labels on Danish/English samples."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

# Run as a script from anywhere: the engine lives in the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from facilitation.clustering import suggest_clusters  # noqa: E402

DEFAULT_DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "clustering"
                / "xsid_da_en.csv")
SIZES = (50, 150, 500)
# Baseline cut: the best fixed cosine distance for plain TF-IDF on tuning seeds, so the
# comparison is with a fair baseline rather than a strawman.
BASELINE_THRESHOLD = 0.9

Clusterer = Callable[[Sequence[str], str], list[int]]


@dataclass
class Row:
    """Scores of one method, language and sample size over all samples."""

    method: str
    language: str
    size: int
    ari: list[float]
    nmi: list[float]
    unsorted: list[float]
    seconds: list[float]


def load(path: Path) -> list[dict[str, str]]:
    """Read the labelled parallel corpus."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def engine(texts: Sequence[str], language: str) -> list[int]:
    """Cluster ids from the engine; ideas in no suggestion become their own singleton."""
    ids = list(range(len(texts), 2 * len(texts)))
    for number, suggestion in enumerate(suggest_clusters(texts)):
        for member in suggestion.members:
            ids[member] = number
    return ids


def baseline(texts: Sequence[str], language: str) -> list[int]:
    """Cluster ids from word TF-IDF plus average-linkage at a fixed cosine distance."""
    matrix = TfidfVectorizer().fit_transform(texts).toarray()
    # Texts without any token get a private dimension so the cosine metric stays defined.
    empty = ~matrix.any(axis=1)
    matrix = np.hstack([matrix, np.diag(empty.astype(float))[:, empty]])
    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                    distance_threshold=BASELINE_THRESHOLD)
    return [int(label) for label in model.fit_predict(matrix)]


def score(method: str, cluster: Clusterer, rows: list[dict[str, str]], language: str,
          size: int, samples: int, seed: int) -> Row:
    """Run one method on many seeded samples of one size and collect the scores."""
    rng = np.random.default_rng([seed, size])
    result = Row(method, language, size, [], [], [], [])
    for _ in range(samples):
        picked = [rows[i] for i in rng.choice(len(rows), size=size, replace=False)]
        texts = [r[f"text_{language}"] for r in picked]
        start = time.perf_counter()
        ids = cluster(texts, language)
        result.seconds.append(time.perf_counter() - start)
        truth = [r["label"] for r in picked]
        result.ari.append(adjusted_rand_score(truth, ids))
        result.nmi.append(normalized_mutual_info_score(truth, ids))
        inverse = np.unique(ids, return_inverse=True)[1]
        result.unsorted.append(float(np.mean(np.bincount(inverse)[inverse] == 1)))
    return result


def show(row: Row) -> None:
    """Print one table line."""
    ms = np.array(row.seconds) * 1000
    print(f"{row.method:<9} {row.language:<4} {row.size:>5} "
          f"{np.mean(row.ari):6.3f} ±{np.std(row.ari):5.3f} "
          f"{np.mean(row.nmi):6.3f} ±{np.std(row.nmi):5.3f} "
          f"{np.mean(row.unsorted):8.3f} {np.median(ms):9.1f} {np.percentile(ms, 95):8.1f}")


def time_thousand(rows: list[dict[str, str]], seed: int, repeats: int = 5) -> None:
    """Time the engine on 1,000 mixed-language ideas (500 rows in both languages)."""
    rng = np.random.default_rng([seed, 1000])
    seconds = []
    for _ in range(repeats):
        picked = [rows[i] for i in rng.choice(len(rows), size=500, replace=False)]
        texts = [r["text_da"] for r in picked] + [r["text_en"] for r in picked]
        start = time.perf_counter()
        suggest_clusters(texts)
        seconds.append(time.perf_counter() - start)
    ms = np.array(seconds) * 1000
    print(f"\n1,000 mixed da+en ideas, {repeats} runs: median {np.median(ms):.1f} ms, "
          f"max {ms.max():.1f} ms")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run every method, language and size, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=30, help="samples per size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    rows = load(args.data.resolve())
    print(f"{len(rows)} labelled texts, {args.samples} samples per size, seed {args.seed}; "
          "language auto-detected; unsorted ideas scored as singletons\n")
    print(f"{'method':<9} {'lang':<4} {'size':>5} {'ARI':>6} {'std':>6} {'NMI':>6} {'std':>6} "
          f"{'unsorted':>8} {'median ms':>9} {'p95 ms':>8}")
    for language in ("da", "en"):
        for size in SIZES:
            for method, cluster in (("engine", engine), ("baseline", baseline)):
                show(score(method, cluster, rows, language, size, args.samples, args.seed))
    time_thousand(rows, args.seed)
    print(f"\nrerun: .venv/bin/python bench/clustering.py --samples {args.samples} "
          f"--seed {args.seed} --data {args.data}")


if __name__ == "__main__":
    main()
