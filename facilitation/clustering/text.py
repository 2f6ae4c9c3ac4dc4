"""Short ideas as words, stems and TF-IDF rows: the features every part of the engine shares."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import snowballstemmer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from facilitation.stopwords import DANISH, ENGLISH

from .lexicon import leaning, zipf

# Every weight below is fixed and was chosen on benchmark samples (bench/clustering.py) drawn with
# other seeds than the reported ones; none of them ever looks at labels at run time.
# Char n-grams catch Danish compounds and typos ("påmindelse"/"påmidelse") that stems miss.
# Whole words with stopwords kept catch phrasing ("will it", "how do I") that stems drop; they
# only shape the graph: in the whole-text test of whether an idea belongs (FULL_WORD_WEIGHT)
# words like "for" would pull outliers into themes.
# A word's weight blends the workshop's own IDF, noisy over a few dozen short ideas, with how rare
# the word is in general language (wordfreq): "what", "my", "the" weigh little even when the
# workshop happens to use them seldom. A share of the weight (LANGUAGE_VIEWS) is the general part, in IDF
# units (natural log: a Zipf point is a factor of ten), counted from COMMONEST_ZIPF down.
COMMONEST_ZIPF = 7.0
STEM_WEIGHT = 1.0
CHAR_WEIGHT = 1.5
WORD_WEIGHT = 1.0
FULL_WORD_WEIGHT = 0.0
# Per language of the workshop: (GENERAL_SHARE, char n-gram lengths). Danish says one thing in
# compounds and inflections that share only short pieces ("mind mig om" / "påmindelse"): 2-grams
# link more of them, and its IDF over a few dozen ideas leans more on general rarity. Chosen on
# seeds 101-108 (da ARI at 150 ideas 0.588 -> 0.598, and 0.599 -> 0.608 on unseen seeds
# 201-208); English loses with them (0.624 -> 0.618) and keeps its own.
LANGUAGE_VIEWS: dict[str, tuple[float, tuple[int, int]]] = {"da": (0.6, (2, 5)), "en": (0.5, (3, 5))}
# Features seen in a single idea cannot link two ideas, they only dilute the similarity.
MIN_DF = 2
# Char n-grams are hashed: they need no vocabulary (building one is most of the time for 1,000
# ideas); at 2**20 buckets two n-grams of a workshop share one by chance too rarely to matter.
# Words and stems are far fewer and keep a vocabulary, which is what looks up their frequency.
HASH_BUCKETS = 2 ** 20

# How much more evidence of the other language one idea needs to be read in it.
SWITCH_LANGUAGE = 2

# A hyphenated word is one word: "e-Boks" is a name, not "e" and "boks".
WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
STOPWORDS = {"da": DANISH, "en": ENGLISH}
# Words that exist in both lists say nothing about which language a text is in.
_DA_ONLY = DANISH - ENGLISH
_EN_ONLY = ENGLISH - DANISH
_STEMMERS = {"da": snowballstemmer.stemmer("danish"), "en": snowballstemmer.stemmer("english")}


@dataclass(frozen=True)
class Doc:
    """One idea: its lowercase words (stopwords kept), content words, their stems, its language."""

    text: str
    words: list[str]
    stems: list[str]
    language: str
    # Words written with a capital inside ("e-Boks", "MitID"): names of products, not topics.
    brands: frozenset[str] = frozenset()


@lru_cache(maxsize=65536)
def language_score(text: str) -> int:
    """Return a positive score for Danish evidence and a negative one for English."""
    lower = text.lower()
    words = WORD_RE.findall(lower)
    score = sum(w in _DA_ONLY for w in words) - sum(w in _EN_ONLY for w in words)
    # Short ideas often hold only words both stopword lists share ("af", "til", "et"): which
    # language uses each word clearly more often decides then ("aften", "bord").
    score += sum(leaning(w) for w in words)
    return score + 2 * sum(lower.count(c) for c in "æøå")


def detect_language(texts: Sequence[str]) -> str:
    """Return "da" or "en", whichever language the texts as a whole look more like."""
    return "da" if sum(language_score(t) for t in texts) > 0 else "en"


@lru_cache(maxsize=65536)
def stem(word: str, language: str) -> str:
    """Return the Snowball stem of a word, cached because the stemmer is pure Python."""
    return str(_STEMMERS[language].stemWord(word))


def analyse(text: str, language: str) -> Doc:
    """Split a text into lowercase words, its content words and their stems."""
    words = [w for w in WORD_RE.findall(text.lower()) if len(w) > 1]
    content = [w for w in words if w not in STOPWORDS[language]]
    brands = frozenset(w.lower() for w in WORD_RE.findall(text) if any(c.isupper() for c in w[1:]))
    return Doc(" ".join(words), content, [stem(w, language) for w in content], language, brands)


def analyse_all(texts: Sequence[str], language: str | None) -> list[Doc]:
    """Analyse every text, detecting the language per text when none is given."""
    fallback = language or detect_language(texts)
    docs = []
    for text in texts:
        score = 0 if language else language_score(text)
        # One short idea often carries little evidence, and a Danish idea may quote an English
        # title ("Give The American Scene 2 ud af 6 stjerner"): trust the set as a whole unless
        # the idea clearly says otherwise.
        lang = fallback if abs(score) < SWITCH_LANGUAGE else ("da" if score > 0 else "en")
        docs.append(analyse(text, lang))
    return docs


def _combine(parts: list[sp.csr_matrix], weights: tuple[float, ...]) -> sp.csr_matrix:
    """Weight each L2-normalised view, stack them and L2-normalise the rows again."""
    weighted = [w * normalize(p) for w, p in zip(weights, parts)]
    return sp.csr_matrix(normalize(sp.hstack(weighted).tocsr()))


def _hashed(analyzer: str, data: list[str], **options: object) -> sp.csr_matrix:
    """Sublinear TF-IDF of hashed features, without L2 norm (views are weighted later)."""
    counts = HashingVectorizer(analyzer=analyzer, n_features=HASH_BUCKETS,
                               alternate_sign=False, norm=None, lowercase=False,
                               **options).transform(data)
    counts.sum_duplicates()
    # Bucket ids are meaningless: number the used ones 0, 1, ... so later steps stay small.
    used, columns = np.unique(counts.indices, return_inverse=True)
    counts = sp.csr_matrix((counts.data, columns.ravel(), counts.indptr),
                           shape=(len(data), max(len(used), 1)))
    return sp.csr_matrix(TfidfTransformer(sublinear_tf=True, norm=None).fit_transform(counts))


def _general_idf(tokens: list[list[str]], surfaces: list[list[str]], languages: list[str],
                 general_share: float) -> sp.csr_matrix:
    """Sublinear TF-IDF of tokens whose IDF is blended with their rarity in general language,
    judged by the first spelling seen of each token, without L2 norm."""
    vocabulary: dict[str, int] = {}
    rarity: list[float] = []
    rows, columns = [], []
    for row, (doc_tokens, doc_surfaces, language) in enumerate(zip(tokens, surfaces, languages)):
        for token, surface in zip(doc_tokens, doc_surfaces):
            if token not in vocabulary:
                vocabulary[token] = len(vocabulary)
                rarity.append(max(COMMONEST_ZIPF - zipf(surface, language), 0.0) * np.log(10) / 2)
            rows.append(row)
            columns.append(vocabulary[token])
    counts = sp.csr_matrix((np.ones(len(rows)), (rows, columns)),
                           shape=(len(tokens), max(len(vocabulary), 1)))
    counts.sum_duplicates()
    counts.data = 1 + np.log(counts.data)
    local = np.log((1 + len(tokens)) / (1 + counts.getnnz(axis=0))) + 1
    general = np.array(rarity or [0.0])
    return sp.csr_matrix(counts @ sp.diags((1 - general_share) * local + general_share * general))


class Vectors(NamedTuple):
    """An idea per row: features shared with another idea, all its features, and its phrasing."""

    shared: sp.csr_matrix
    full: sp.csr_matrix
    # Whole words with stopwords kept ("kommer det til at", "show all"): how an idea is put.
    phrasing: sp.csr_matrix
    # The language most ideas are in, whose settings built the rows.
    language: str
    # How alike the ideas mean (meaning.centred_similarity), or None without the model.
    meaning: npt.NDArray[np.float64] | None = None
    # Which pairs of ideas are written in two languages (they share no words to compare).
    across: npt.NDArray[np.bool_] | None = None


def vectorize(docs: list[Doc]) -> Vectors:
    """Return rows of stem, char n-gram and word TF-IDF: only shared features, all, and words."""
    texts = [d.text for d in docs]
    # Char n-grams and words run over the whole text: recurring phrasings ("will it",
    # "kommer det til at") are a useful signal; IDF and general frequency keep common ones weak.
    languages = [d.language for d in docs]
    words = [t.split() for t in texts]
    language = "da" if 2 * languages.count("da") > len(docs) else "en"
    general_share, char_range = LANGUAGE_VIEWS[language]
    views = [_general_idf([d.stems for d in docs], [d.words for d in docs], languages, general_share),
             _hashed("char_wb", texts, ngram_range=char_range),
             _general_idf(words, words, languages, general_share)]
    shared = []
    for raw in views:
        df = raw.getnnz(axis=0)
        keep = np.flatnonzero(df >= MIN_DF)
        shared.append(raw[:, keep] if len(keep) else sp.csr_matrix((len(docs), 1)))
    return Vectors(_combine(shared, (STEM_WEIGHT, CHAR_WEIGHT, WORD_WEIGHT)),
                   _combine(views, (STEM_WEIGHT, CHAR_WEIGHT, FULL_WORD_WEIGHT)),
                   sp.csr_matrix(normalize(shared[2])), language)
