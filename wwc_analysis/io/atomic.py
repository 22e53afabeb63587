"""Writing outputs whole or not at all: files go to a temporary folder that is renamed into place.

A reader sees the complete old folder, the complete new one, or none. A '.tmp-' folder left by a
killed run is cleared by a later write to the same place once it is an hour old, so two processes
writing the same place never remove each other's work.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from ..errors import InputError
from ..settings import raw_dir

TMP_PREFIX = ".tmp-"
STALE_SECONDS = 3600  # a temporary folder older than this was left by a killed run


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
        if time.time() - stale.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{target.name}-", dir=target.parent))


def publish_folder(staging: Path, target: Path, replace: bool = True) -> Path:
    """Move a finished staging folder to `target`, replacing any earlier version (with `replace` false, keeping it)."""
    os.chmod(staging, 0o755)
    if target.exists() and not replace:
        shutil.rmtree(staging, ignore_errors=True)
    elif target.exists():
        old = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{target.name}-old-", dir=target.parent))
        target.rename(old / target.name)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        try:
            staging.rename(target)
        except OSError:  # another process published it first
            if replace:
                raise
            shutil.rmtree(staging, ignore_errors=True)
    return target


def write_folder(target: Path, files: dict[str, str | bytes], replace: bool = True) -> list[Path]:
    """Write `files` (name -> content) as the whole content of folder `target` (see `publish_folder`)."""
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
    publish_folder(staging, target, replace)
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
