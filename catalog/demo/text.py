from django.utils.text import slugify

TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
})


def translit(text: str) -> str:
    """Russian letters in Latin ones, lower-cased: "Щётка" -> "shchetka"."""
    return text.lower().translate(TRANSLIT)


def latin_slug(text: str) -> str:
    return slugify(translit(text))
