"""Content hashes of the inputs a report is built from: files, the edition's rules, the published tables.

A report records them and the validated store is named by them: a change to any input is noticed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..settings import raw_dir


def digest(data: bytes | str) -> str:
    """The SHA-256 of some bytes or text (UTF-8), as hex."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def files_digest(paths: Iterable[Path], root: Path) -> str:
    """One digest for several files: their paths relative to `root` and their bytes."""
    h = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@lru_cache(maxsize=8)
def edition_digest(edition: str) -> str:
    """Every file of one edition of the standard: its criteria, tiers, bands and outcome thresholds."""
    folder = raw_dir() / "standard" / edition
    return files_digest([p for p in folder.rglob("*") if p.is_file()], folder)


@lru_cache(maxsize=1)
def published_digest() -> str:
    """Published shares and certification history: the published cohorts and the published tiers."""
    root = raw_dir()
    files = [p for folder in ("benchmarks", "cities") for p in (root / folder).glob("*") if p.is_file()]
    return files_digest(files, root)


def file_digest(path: str | Path | None) -> str | None:
    """One file's bytes, or None when there is no file."""
    return digest(Path(path).read_bytes()) if path else None
