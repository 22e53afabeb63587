"""Safe, unique folder names for cities, whatever their names hold.

A slug is lowercase ASCII letters, digits and hyphens, at most 60 characters. Where a name does not
survive that unchanged ('../', accents, great length), a short hash of it is appended, so two names never
share a slug and none can reach outside its folder.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ..analysis.identity import city_key

MAX_LENGTH = 60


def slugify(name: str) -> str:
    """The folder name for a city: 'Scottsdale' -> 'scottsdale', '../../etc' -> 'etc-1b2c3d4e'."""
    key = city_key(name)  # one city, one folder: names that are the same city share a slug, others never do
    ascii_text = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:MAX_LENGTH].strip("-")
    if re.fullmatch(r"[a-z0-9]+( [a-z0-9]+)*", key) and len(key) <= MAX_LENGTH:
        return base  # plain words: the slug reads as the name and maps back to it
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return f"{base}-{digest}" if base else f"city-{digest}"
