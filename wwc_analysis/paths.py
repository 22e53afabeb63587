"""Where the project's data lives: data/raw (published inputs), data/processed, outputs."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """The data folder; `WWC_DATA_DIR` overrides the copy beside the package."""
    override = os.environ.get("WWC_DATA_DIR")
    return Path(override) if override else PROJECT_ROOT / "data"


def raw_dir() -> Path:
    return data_dir() / "raw"


def processed_dir() -> Path:
    """Derived data (simulated cohorts, the validated store); `WWC_PROCESSED_DIR` overrides it."""
    override = os.environ.get("WWC_PROCESSED_DIR")
    return Path(override) if override else data_dir() / "processed"


def standard_dir(edition: str) -> Path:
    return raw_dir() / "standard" / edition


def outputs_dir() -> Path:
    """Where reports go; `WWC_OUTPUT_DIR` overrides outputs/ beside the package."""
    override = os.environ.get("WWC_OUTPUT_DIR")
    return Path(override) if override else PROJECT_ROOT / "outputs"
