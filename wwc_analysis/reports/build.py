"""What a report was built from, so a rerun can skip the reports that are up to date.

Each report folder holds `build.json`: digests of the city's own validated rows, of the
cohort's inputs (every loaded row for a cohort computed from loaded cities, the published
files otherwise), of the notebook's cells (not its outputs), of the package's source files
and of the edition's files, plus the parameters and the figures the index shows. It is
deterministic: no timestamps, no absolute paths, so a rerun on the same inputs writes the
same bytes, and a report whose record matches is not rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

BUILD_FILE = "build.json"
PACKAGE = Path(__file__).resolve().parents[1]


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def files_digest(paths: Iterable[Path], root: Path) -> str:
    """One digest for several files: their paths relative to `root` and their bytes."""
    h = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@lru_cache(maxsize=1)
def package_digest() -> str:
    """The package's source: any change to its code or templates rebuilds every report."""
    files = [
        p
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    ]
    return files_digest(files, PACKAGE)


@lru_cache(maxsize=8)
def notebook_digest(path: Path) -> str:
    """The notebook's cells (type and source), not the outputs of its committed, executed copy."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return digest(
        json.dumps(
            [[c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"]] for c in cells]
        )
    )


@lru_cache(maxsize=8)
def edition_digest(edition: str) -> str:
    from ..paths import standard_dir

    folder = standard_dir(edition)
    return files_digest([p for p in folder.rglob("*") if p.is_file()], folder)


@lru_cache(maxsize=1)
def published_digest() -> str:
    """Published shares and certification history: the published cohorts and the published tiers."""
    from ..paths import raw_dir

    root = raw_dir()
    files = [p for folder in ("benchmarks", "cities") for p in (root / folder).glob("*") if p.is_file()]
    return files_digest(files, root)


def rows_digest(responses: pd.DataFrame | None, outcomes: pd.DataFrame | None) -> str:
    """Validated rows, in a canonical order, without where they were read from."""
    from ..io.by_city import outcomes_csv, responses_csv

    parts = []
    if responses is not None and len(responses):
        own = responses.sort_values(["city", "year", "criterion"], kind="stable")
        parts.append(responses_csv(own))
    if outcomes is not None and len(outcomes):
        own = outcomes.sort_values(["city", "year", "metric"], kind="stable")
        parts.append(outcomes_csv(own))
    return digest("\0".join(parts))


def file_digest(path: str | Path | None) -> str | None:
    return digest(Path(path).read_bytes()) if path else None


def record_text(record: dict) -> str:
    return json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def read_record(folder: Path) -> dict | None:
    try:
        return json.loads((Path(folder) / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
