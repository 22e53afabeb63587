"""Writing outputs whole or not at all: files go to a temporary folder that is renamed into place.

A reader (or a rerun after a crash) sees either the complete old folder, the complete
new one, or none; never a half-written one. Leftover temporary folders from a killed
run start with '.tmp-' and are cleared by the next write to the same place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import InputError
from ..settings import raw_dir

TMP_PREFIX = ".tmp-"


def guard(path: Path) -> Path:
    """Refuse any write under data/raw/: published inputs are never written by code."""
    if Path(path).resolve().is_relative_to(raw_dir().resolve()):
        raise InputError(
            path, None, "data/raw/ holds published inputs and is never written; choose another output folder", str(path)
        )
    return Path(path)


def staging_folder(target: Path) -> Path:
    """A fresh empty folder beside `target` (same file system, so the final rename is atomic)."""
    guard(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f"{TMP_PREFIX}{target.name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{target.name}-", dir=target.parent))


def publish_folder(staging: Path, target: Path) -> Path:
    """Move a finished staging folder to `target`, replacing any earlier version."""
    os.chmod(staging, 0o755)
    if target.exists():
        old = target.with_name(f"{TMP_PREFIX}{target.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)
    return target


def write_folder(target: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Write `files` (name -> content) as the whole content of folder `target`."""
    staging = staging_folder(target)
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="\n")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish_folder(staging, target)
    return [target / name for name in files]


def write_file(path: Path, content: str | bytes) -> Path:
    """Write one file atomically (a temporary file renamed over it)."""
    guard(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
