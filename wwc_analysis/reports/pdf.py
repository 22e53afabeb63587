"""PDF copies of HTML reports, printed by Debian's headless Chromium with the network off.

A `Printer` keeps one Chromium open through Playwright (without it, `html_to_pdf` starts one per report).
Chromium's dates and tag node numbers are rewritten with values of the same length (the offsets stay
valid), so the same HTML gives the same bytes. Without Chromium, `find_chromium` returns None: no PDF.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..errors import WWCError
from ..io.atomic import write_file
from ..settings import chromium_setting

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# What every headless Chromium here needs: no sandbox (root), no GPU, no calls home on a closed network.
QUIET_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost"  # nothing is fetched from the network
FLAGS = (
    "--headless",
    *QUIET_FLAGS,
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--no-pdf-header-footer",
    "--hide-scrollbars",
    OFFLINE,
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=10000",
)
BROWSER_FLAGS = (*QUIET_FLAGS, "--disable-extensions", "--mute-audio", OFFLINE)  # a Printer's Chromium
TIMEOUT = 180
_FIXED_DATE = b"20000101000000"
_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14})")
_NODE = re.compile(rb"\(node(\d{8})\)")


class PdfFailed(WWCError):
    """Chromium ran but wrote no PDF."""


def find_chromium() -> str | None:
    """The Chromium executable (WWC_CHROMIUM overrides the search), or None when there is none."""
    override = chromium_setting()
    if override is not None:
        return shutil.which(override) if override else None
    return next(filter(None, map(shutil.which, CANDIDATES)), None)


def stable(pdf: bytes) -> bytes:
    """The PDF with a fixed date and tag element IDs numbered by rank, each the same length as before."""
    pdf = _DATE.sub(lambda m: m.group(1) + _FIXED_DATE, pdf)
    ranks = {node: b"%08d" % rank for rank, node in enumerate(sorted(set(_NODE.findall(pdf)), key=int))}
    return _NODE.sub(lambda m: b"(node" + ranks[m.group(1)] + b")", pdf)


def html_to_pdf(html: Path, pdf: Path, chromium: str | None = None) -> Path:
    """Print `html` to `pdf` with a Chromium process of its own (no network, no header or footer), byte-stable."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise PdfFailed("Chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="wwc-chromium-") as profile:
        target = Path(profile) / "out.pdf"
        page = Path(html).resolve().as_uri()
        cmd = [chromium, *FLAGS, f"--user-data-dir={profile}/profile", f"--print-to-pdf={target}", page]
        env = {**os.environ, "HOME": profile}  # no state shared with, or left for, anyone else
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"Chromium did not finish printing within {TIMEOUT} s") from None
        if not target.is_file() or target.stat().st_size == 0:
            last = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
            raise PdfFailed(f"Chromium wrote no PDF (exit {done.returncode}): {last}")
        return write_file(pdf, stable(target.read_bytes()))


class Printer:
    """One headless Chromium kept open for many reports (one per process: Playwright's API is not thread-safe);
    without Playwright, or where it cannot start this Chromium, each report gets a Chromium of its own."""

    def __init__(self, chromium: str):
        self.chromium = chromium
        self._playwright: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._fallback = False  # print with html_to_pdf

    def start(self) -> None:
        """Start Chromium now rather than on the first report."""
        if not self._fallback:
            self._open()

    def to_pdf(self, html: Path, pdf: Path) -> Path:
        """Print `html` to `pdf` (Letter, the page's own margins, no header or footer), byte-stable."""
        page = None if self._fallback else self._open()
        if page is None:
            return html_to_pdf(html, pdf, self.chromium)
        try:
            page.goto(Path(html).resolve().as_uri(), wait_until="load", timeout=TIMEOUT * 1000)
            data = page.pdf(prefer_css_page_size=True, tagged=True, outline=False)
        except Exception as exc:  # Playwright's errors: the browser is closed, and the next report starts another
            self.close()
            raise PdfFailed(f"Chromium could not print the page: {str(exc).splitlines()[0]}") from None
        return write_file(pdf, stable(data))

    def _open(self) -> Any:
        """The page reports are printed in, with Chromium started on first use (None: print without Playwright)."""
        if self._page is not None:
            return self._page
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            self._fallback = True
            return None
        try:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=self.chromium, args=list(BROWSER_FLAGS), headless=True, timeout=TIMEOUT * 1000
            )
            self._page = self._browser.new_context(offline=True).new_page()
        except Exception:  # a Chromium (or a driver) Playwright cannot start: one process per report still prints
            self.close()
            self._fallback = True
        return self._page

    def close(self) -> None:
        """Close Chromium and Playwright's driver (a closed printer starts them again when used)."""
        with contextlib.suppress(Exception):  # already gone: the browser crashed, or its process was killed
            if self._browser is not None:
                self._browser.close()
        with contextlib.suppress(Exception):
            if self._playwright is not None:
                self._playwright.stop()
        self._playwright = self._browser = self._page = None
