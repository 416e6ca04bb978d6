"""Download names: people's and cycles' names made safe for a file name."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str) -> str:
    """ASCII words joined by hyphens, for a file name ('Chloé Martin' → 'chloe-martin')."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "review"
