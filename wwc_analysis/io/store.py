"""Validated inputs, stored once as Parquet in a content-addressed folder of data/processed/.

`write_store` puts validated responses and outcomes in `data/processed/validated/<digest>/`
(`responses.parquet`, `outcomes.parquet`, `manifest.json`), the digest being that of the rows
and of the edition's files: the same inputs give the same folder, written once. The loaders
read such a folder, or one of its `.parquet` files, directly: the rows are already validated,
so they are not checked again, and their dtypes (int8 status codes, Int64 years) are kept.
Nothing here is copied into outputs/, so no input cell reaches a spreadsheet from a report
folder. The folder is regenerable and git-ignored.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..paths import processed_dir
from .atomic import write_folder
from .digests import edition_digest

MANIFEST = "manifest.json"
STORE_FOLDER = "validated"
FILES = {"responses": "responses.parquet", "outcomes": "outcomes.parquet"}


def is_store(path: str | Path) -> bool:
    path = Path(path)
    return path.is_dir() and (path / MANIFEST).is_file()


def is_parquet(path: str | Path) -> bool:
    return Path(path).suffix.lower() == ".parquet"


def frame_digest(frame: pd.DataFrame | None) -> str:
    h = hashlib.sha256()
    if frame is not None:
        h.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def write_store(responses: pd.DataFrame, outcomes: pd.DataFrame | None, edition: str) -> Path:
    """The store folder for these validated rows (written unless it already exists)."""
    key = hashlib.sha256(
        "\0".join([frame_digest(responses), frame_digest(outcomes), edition_digest(edition)]).encode()
    ).hexdigest()
    folder = processed_dir() / STORE_FOLDER / key[:24]
    if is_store(folder):
        return folder
    files: dict[str, str | bytes] = {FILES["responses"]: _parquet(responses)}
    manifest = {
        "format": 1,
        "edition": edition,
        "digest": key,
        "responses": {"file": FILES["responses"], "rows": len(responses), "cities": int(responses["city"].nunique())},
    }
    if outcomes is not None and len(outcomes):
        files[FILES["outcomes"]] = _parquet(outcomes)
        manifest["outcomes"] = {"file": FILES["outcomes"], "rows": len(outcomes)}
    files[MANIFEST] = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    write_folder(folder, files)
    return folder


def store_files(folder: str | Path) -> tuple[list[Path], list[Path]]:
    """A store folder's responses and outcomes files."""
    folder = Path(folder)
    outcomes = folder / FILES["outcomes"]
    return [folder / FILES["responses"]], [outcomes] if outcomes.is_file() else []


def expand(paths: Iterable[str | Path], kind: str) -> list[Path]:
    """Paths with each store folder replaced by its file of `kind` (responses or outcomes)."""
    out = []
    for p in paths:
        if is_store(p):
            file = Path(p) / FILES[kind]
            if file.is_file():
                out.append(file)
        else:
            out.append(Path(p))
    return out


def read_validated(path: str | Path) -> pd.DataFrame:
    """Rows already validated into the store: read as stored, not checked again."""
    try:
        return pd.read_parquet(path, engine="pyarrow")
    except (OSError, ValueError) as exc:
        raise InputError(path, None, f"not a readable Parquet file of validated rows ({exc})") from None
