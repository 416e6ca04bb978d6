"""Download names: people's and cycles' names made safe for a file name."""

from __future__ import annotations

import re
import unicodedata

# Letters that no accent-stripping decomposes into ASCII, written as people who use them transliterate them.
TRANSLITERATION = str.maketrans(
    {
        "ı": "i",
        "İ": "I",
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ħ": "h",
        "Ħ": "H",
    }
)


def slug(text: str) -> str:
    """ASCII words joined by hyphens, for a file name ('Chloé Martin' → 'chloe-martin', 'Elif Yılmaz' →
    'elif-yilmaz')."""
    plain = unicodedata.normalize("NFKD", text.translate(TRANSLITERATION)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "review"
