"""Where the workbench reads and writes, and its limits: every environment setting, in one place.

Published inputs and notebooks ship inside the package; in a checkout they are read from `data/raw/`
and `notebooks/`. Reports go to `outputs/`, derived data to `data/processed/` (or a cache folder).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_BUNDLED = PACKAGE / "bundled"  # filled by the wheel's build (setup.py); absent in a checkout
_CHECKOUT = PACKAGE.parent if (PACKAGE.parent / "data" / "raw").is_dir() else None


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def raw_dir() -> Path:
    """Published inputs; `WWC_DATA_DIR` names another data folder (its raw/ is read)."""
    if _env("WWC_DATA_DIR"):
        return Path(_env("WWC_DATA_DIR")) / "raw"
    return _CHECKOUT / "data" / "raw" if _CHECKOUT else _BUNDLED / "raw"


def notebooks_dir() -> Path:
    """The template notebooks the reports run."""
    return _CHECKOUT / "notebooks" if _CHECKOUT else _BUNDLED / "notebooks"


def project_dir() -> Path:
    """The checkout, or the current folder where the package is installed on its own."""
    return _CHECKOUT or Path.cwd()


def processed_dir() -> Path:
    """Derived data (simulated cohorts, the validated store); `WWC_PROCESSED_DIR` moves it."""
    if _env("WWC_PROCESSED_DIR"):
        return Path(_env("WWC_PROCESSED_DIR"))
    if _env("WWC_DATA_DIR"):
        return Path(_env("WWC_DATA_DIR")) / "processed"
    if _CHECKOUT:
        return _CHECKOUT / "data" / "processed"
    return Path(_env("XDG_CACHE_HOME") or Path.home() / ".cache") / "wwc-analysis"


def outputs_dir() -> Path:
    """Where reports go by default; `WWC_OUTPUT_DIR` moves it."""
    return Path(_env("WWC_OUTPUT_DIR")) if _env("WWC_OUTPUT_DIR") else project_dir() / "outputs"


def chromium_setting() -> str | None:
    """`WWC_CHROMIUM`: None when unset (search the PATH), '' for no Chromium, else the browser to use."""
    return os.environ.get("WWC_CHROMIUM")


def in_app() -> bool:
    """Whether the code runs in the app's kernel (Voilà), where the panel leaves out its static copy."""
    return bool(_env("WWC_PANEL_APP")) or _env("SERVER_SOFTWARE").startswith("voila")


def kernel_settings() -> tuple:
    """The WWC_ settings a report kernel inherits (where data and outputs are): a change needs a new kernel."""
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("WWC_") and k != "WWC_CHROMIUM"))


# Limits on inputs: a file over any of them is refused, naming the file and the limit, before it is read whole.
def max_input_bytes() -> int:
    """Largest input file (`WWC_MAX_INPUT_MB`, default 256)."""
    return int(float(_env("WWC_MAX_INPUT_MB") or 256) * 2**20)


MAX_COLUMNS = 200  # columns in a table (the formats use at most a dozen)
MAX_ROWS = 10_000_000  # rows in a table (100,000 assessments of 43 criteria is 4.3 million)
MAX_CELLS = 50_000_000  # cells (rows x columns) in a CSV or Parquet table (4.3 million rows of 8 columns is 34 million)
MAX_WORKBOOK_CELLS = 100_000  # cells in a workbook, all sheets (a workbook is one city or a few: 43 rows of ~10 cells)
MAX_XML_ELEMENTS = 500_000  # XML elements in a workbook's parts (a cell is 2 to 4 of them)
MAX_PART_ELEMENTS = 50_000  # XML elements in a part other than a sheet or its strings (styles, comments, drawings)
MAX_XLSX_BYTES = 32 * 2**20  # a workbook's file, and its parts unpacked
MAX_XLSX_PARTS = 1_000  # files in a workbook's package (a workbook has a dozen or two)
MAX_PDF_PAGES = 100  # pages of a certification report (a report has about 15)
MAX_PDF_STREAM_BYTES = 10 * 2**20  # a PDF stream, decompressed (a page's text is a few hundred KB)
MAX_PDF_SECONDS = 10  # time to read a report's text from its PDF (a report takes a second or two)
MAX_PDF_TOKENS = 200_000  # tokens in a page's text stream (a dense page has some tens of thousands)
MAX_REPORT_CHARS = 2_000_000  # characters of a report's text (a report has about 30,000)
MAX_PLAN_BYTES = 2**20  # a plan uploaded in the app
