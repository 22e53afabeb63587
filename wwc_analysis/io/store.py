"""Validated inputs, stored once as Parquet in a content-addressed folder of data/processed/, and read back.

`write_store` writes `validated/<digest of the rows and the edition>/` once. Its files are read back
without validating again only while each has the SHA-256 its manifest records; any other Parquet file
is read as text within the usual limits and validated as a CSV file is.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..rules import status as st
from ..settings import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, max_input_bytes, processed_dir
from .atomic import write_folder
from .digests import edition_digest
from .tables import Table, check_file, out_of_memory, read_table, table_from_frame

MANIFEST = "manifest.json"
REFERENCE = "validated:"  # a store folder named by its digest alone: the same text on every machine
FILES = {"responses": "responses.parquet", "outcomes": "outcomes.parquet"}


def is_store(path: str | Path) -> bool:
    path = Path(path)
    return path.is_dir() and (path / MANIFEST).is_file()


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
    """The store folder for these validated rows (written unless it exists; the same rows on any machine)."""
    responses, outcomes = (
        None if f is None else f.drop(columns=["source_file", "source_row"], errors="ignore")
        for f in (responses, outcomes)
    )
    key = hashlib.sha256(
        "\0".join([frame_digest(responses), frame_digest(outcomes), edition_digest(edition)]).encode()
    ).hexdigest()
    folder = processed_dir() / "validated" / key[:24]
    if is_store(folder):
        return folder
    files: dict[str, str | bytes] = {FILES["responses"]: _parquet(responses)}
    if outcomes is not None and len(outcomes):
        files[FILES["outcomes"]] = _parquet(outcomes)
    manifest = {"format": 2, "edition": edition, "digest": key}
    manifest |= {name: {"file": name, "sha256": hashlib.sha256(data).hexdigest()} for name, data in files.items()}
    files[MANIFEST] = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    write_folder(folder, files, replace=False)
    return folder


def reference(folder: Path) -> str:
    """A store folder as a notebook parameter names it: by its digest, never by a path on this machine."""
    return REFERENCE + Path(folder).name


def resolve(path: str | Path) -> Path:
    """A path, or the store folder a `validated:<digest>` reference names."""
    text = str(path)
    return processed_dir() / "validated" / text[len(REFERENCE) :] if text.startswith(REFERENCE) else Path(path)


def store_files(folder: str | Path) -> tuple[list[Path], list[Path]]:
    """A store folder's responses and outcomes files."""
    folder = Path(folder)
    outcomes = folder / FILES["outcomes"]
    return [folder / FILES["responses"]], [outcomes] if outcomes.is_file() else []


def _trusted(path: Path) -> bool:
    """Whether a Parquet file is one the store wrote and nobody has changed since (a missing or huge one is refused)."""
    check_file(path)
    try:
        manifest = json.loads((path.parent / MANIFEST).read_text(encoding="utf-8"))
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return manifest.get(path.name, {}).get("sha256") == digest
    except (OSError, ValueError, AttributeError):
        return False


def _parquet_table(path: Path, required: tuple[str, ...], any_of: tuple[str, ...] = ()) -> Table:
    """A Parquet file that is not the store's, as a table of text to validate like a CSV file (within its limits)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    unreadable = (OSError, ValueError, pa.ArrowException)
    try:
        meta = pq.ParquetFile(path).metadata
        schema = meta.schema.to_arrow_schema()
    except unreadable as exc:
        raise InputError(path, None, f"not a readable Parquet file ({str(exc)[:80]})") from None
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if meta.num_rows > MAX_ROWS or meta.num_columns > MAX_COLUMNS or meta.num_rows * meta.num_columns > MAX_CELLS:
        limits = f"{MAX_ROWS:,} rows, {MAX_COLUMNS} columns, {MAX_CELLS:,} cells"
        problem = f"the table has {meta.num_rows:,} rows of {meta.num_columns:,} columns, over the limits ({limits})"
        raise InputError(path, None, problem)
    if unpacked > max_input_bytes():
        limit = f"{max_input_bytes() / 2**20:.0f} MB"
        raise InputError(path, None, f"the table unpacks to {unpacked / 2**20:.0f} MB, over the limit of {limit}")
    texts = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    try:
        frame = pq.read_table(path, read_dictionary=texts).to_pandas()  # text as categoricals: each distinct cell once
    except unreadable as exc:
        raise InputError(path, None, f"not a readable Parquet file ({str(exc)[:80]})") from None
    except MemoryError:
        raise out_of_memory(path) from None
    return table_from_frame(_status_words(frame), path, required, any_of)


def _status_words(frame: pd.DataFrame) -> pd.DataFrame:
    """Integer status codes (the store's own form) as their words; a code that is no status stays a number."""
    for name in ("status", "self_assessed"):
        if name in frame and pd.api.types.is_integer_dtype(frame[name]):
            cells = pd.Categorical(frame[name])
            frame[name] = cells.rename_categories([st.LABELS.get(int(c), str(c)) for c in cells.categories])
    return frame


def input_paths(paths: str | Path | Iterable[str | Path], kind: str) -> list[Path]:
    """Paths with each store folder replaced by its file of `kind` (responses or outcomes)."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    out = []
    for p in map(Path, items):
        if is_store(p):
            out += [p / FILES[kind]] if (p / FILES[kind]).is_file() else []
        else:
            out.append(p)
    return out


def read_inputs(
    paths: str | Path | Iterable[str | Path],
    kind: str,
    required: tuple[str, ...],
    any_of: tuple[str, ...],
    parse: Callable[[Table], pd.DataFrame],
) -> list[pd.DataFrame]:
    """Each file of one kind read and validated in turn; a store's own Parquet file is taken as stored."""
    frames = []
    for path in input_paths(paths, kind):
        if path.suffix.lower() == ".parquet" and _trusted(path):
            frame = pd.read_parquet(path, engine="pyarrow")
            frames.append(frame.assign(source_file=str(path), source_row=range(2, len(frame) + 2)))
        elif path.suffix.lower() == ".parquet":
            frames.append(parse(_parquet_table(path, required, any_of)))
        else:
            frames.append(parse(read_table(path, required, any_of=any_of)))
    return frames
