"""Words as search sees them: lower-cased, "ё" read as "е", Russian and English word forms
reduced to one stem by the Snowball stemmers ("шампуни", "шампуня" → "шампун"). Product texts
are stored this way for the SQLite index and queries are read this way, so both meet."""

import re
from functools import lru_cache

import Stemmer

# The tokens SQLite's unicode61 tokenizer makes: letters and digits; a hyphen separates ("SH-4411").
WORD = re.compile(r"\w+", re.UNICODE)
CYRILLIC = re.compile(r"[а-я]")
_RUSSIAN = Stemmer.Stemmer("russian")
_ENGLISH = Stemmer.Stemmer("english")


def words_of(text: str) -> list[str]:
    return WORD.findall((text or "").lower().replace("ё", "е"))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return (_RUSSIAN if CYRILLIC.search(word) else _ENGLISH).stemWord(word)


def stemmed(text: str) -> str:
    """`text` as the space-separated stems of its words."""
    return " ".join(stem(word) for word in words_of(text))


def typos_allowed(word: str) -> int:
    """How many letters may be wrong in a word before it stops being that word: none in a word
    of three letters, one up to seven, two beyond."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2
