"""PDF copies of HTML reports, printed by Debian's headless Chromium with the network off.

Chromium stamps each PDF with its creation and modification times, and names the elements of
its accessibility tags after DOM node numbers, which shift with timing on a busy machine. Both
are rewritten in place with values of the same length (so the cross-reference offsets stay
valid): a fixed date, and each node number replaced by its rank (so the ID tree stays sorted).
The same HTML then gives the same bytes from the same Chromium. Without Chromium there is no PDF:
`find_chromium` returns None and the caller says so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "apt-get install -y chromium"
MISSING = f"Chromium is not installed: report.pdf not written ({INSTALL_HINT})"
# What every headless Chromium here needs: no sandbox (root), no GPU, no calls home on a closed network.
QUIET_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
FLAGS = (
    "--headless",
    *QUIET_FLAGS,
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--no-pdf-header-footer",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",  # nothing is fetched from the network
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=10000",
)
TIMEOUT = 180
_FIXED_DATE = b"20000101000000"
_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14})")
_NODE = re.compile(rb"\(node(\d{8})\)")


class PdfFailed(Exception):
    """Chromium ran but wrote no PDF."""


def find_chromium() -> str | None:
    """The Chromium executable (WWC_CHROMIUM overrides the search), or None when there is none."""
    override = os.environ.get("WWC_CHROMIUM")
    if override is not None:
        return shutil.which(override) if override else None
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def stable(pdf: bytes) -> bytes:
    """The PDF with a fixed date and tag element IDs numbered by rank, each the same length as before."""
    pdf = _DATE.sub(lambda m: m.group(1) + _FIXED_DATE, pdf)
    ranks = {node: b"%08d" % rank for rank, node in enumerate(sorted(set(_NODE.findall(pdf)), key=int))}
    return _NODE.sub(lambda m: b"(node" + ranks[m.group(1)] + b")", pdf)


def html_to_pdf(html: Path, pdf: Path, chromium: str | None = None) -> Path:
    """Print `html` to `pdf` with headless Chromium (no network, no header or footer), byte-stable."""
    from ..io.atomic import write_file

    chromium = chromium or find_chromium()
    if chromium is None:
        raise PdfFailed(MISSING)
    with tempfile.TemporaryDirectory(prefix="wwc-chromium-") as profile:
        target = Path(profile) / "out.pdf"
        cmd = [
            chromium,
            *FLAGS,
            f"--user-data-dir={profile}/profile",
            f"--print-to-pdf={target}",
            Path(html).resolve().as_uri(),
        ]
        env = {**os.environ, "HOME": profile}  # no state shared with, or left for, anyone else
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"Chromium did not finish printing within {TIMEOUT} s") from None
        if not target.is_file() or target.stat().st_size == 0:
            last = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
            raise PdfFailed(f"Chromium wrote no PDF (exit {done.returncode}): {last}")
        return write_file(pdf, stable(target.read_bytes()))
