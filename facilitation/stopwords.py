"""Danish and English stopwords from the stopwords-iso collection (the stopwordsiso package)."""

from __future__ import annotations

import stopwordsiso

# The lists ship inside the package: nothing is downloaded at run time. Apostrophes are dropped
# because the engine's words are letters only ("don't" reaches it as "don" and "t").
DANISH: frozenset[str] = frozenset(stopwordsiso.stopwords("da"))
ENGLISH: frozenset[str] = frozenset(
    part for word in stopwordsiso.stopwords("en") for part in word.replace("’", "'").split("'") if part)
