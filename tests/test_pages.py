"""The pages people read, checked in a real browser: report.html, index.html and the cohort overview at a
phone's width (390 px) and a desktop's (1280 px), and the printed Scottsdale report.

The bundled batch is built once for the module (in a temporary folder), and one Debian Chromium is
launched once. Each page must fit its width (no sideways scroll, nothing past the right edge), load
every image with alt text, show its charts at no less than ~72% of their size (their 9-point text stays
above 9 px), fetch nothing but its own file, and speak to readers, not developers. Screenshots go to
the folder named by WWC_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
WIDTHS = (390, 1280)
PAGES = {
    "scottsdale": "scottsdale/report.html",
    "carlsbad": "carlsbad/report.html",
    "index": "index.html",
    "cohort": "cohort/report.html",
}
MIN_CHART_SCALE = 0.72  # 9 pt at 100 dpi is 12.5 px; shown at 72% it is 9 px
# Words for developers, not readers: module and command names, cohort keys, file paths and types, metric keys.
DEVELOPER_WORDS = (
    "wwc_analysis",
    "wwc report",
    "wwc batch",
    "published:all",
    "published:size",
    "data/raw",
    ".csv",
    ".py",
    ".ipynb",
    "pm25",
    "None",
    "NaN",
)
MAKE_COMMAND = re.compile(r"\bmake (setup|test|reports?|batch|all|lint|clean|app)\b")
BARE_NOMINATED = re.compile(r"\bnominated\b(?! (metric|by the city))")
PATH_TO_PLATINUM = ("DM8", "SI1", "RDC1", "BF3", "RDC3", "RDC7")

QUIET_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

# Every element a reader sees whose box must stay inside the page; a visually hidden table head is skipped.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const hidden = el => el.closest('thead') && el.closest('thead').getBoundingClientRect().width <= 1;
  const out = [];
  const seen = 'td, th, img, button, select, input, figure, table, caption, p, li, h1, h2, h3, a';
  for (const el of document.querySelectorAll(seen)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || hidden(el)) continue;
    const name = `${el.tagName.toLowerCase()}#${el.id}.${el.className}`;
    if (r.right > width + 1) out.push(`${name} right=${Math.round(r.right)}`);
  }
  return out.slice(0, 10);
}"""
IMAGES_JS = """() => Array.from(document.images).map(img => ({
  alt: img.getAttribute('alt') || '', loaded: img.complete && img.naturalWidth > 0,
  natural: img.naturalWidth, shown: img.getBoundingClientRect().width
}))"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """The bundled batch (two cities and the cohort overview) built once, in a temporary folder."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install playwright")
    tmp = tmp_path_factory.mktemp("pages")
    out = tmp / "site"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "WWC_OUTPUT_DIR": str(tmp / "outputs"),
        "WWC_PROCESSED_DIR": str(tmp / "processed"),
        "WWC_CHROMIUM": CHROMIUM,
    }
    cmd = [sys.executable, "-m", "wwc_analysis", "batch", "--all", "--workers", "1", "--no-progress", "--out", str(out)]
    done = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    for page in PAGES.values():
        assert (out / page).is_file(), f"{page} was not written"
    return out


@pytest.fixture(scope="module")
def chromium(batch):
    """One headless Debian Chromium for the module (a warm report worker's own Playwright stopped first: one
    Playwright at a time in a process)."""
    from playwright.sync_api import sync_playwright

    from wwc_analysis.reports.worker import stop_worker

    stop_worker()
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=list(QUIET_FLAGS), headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def opened(batch, chromium):
    """Each page at each width, opened once: its facts, as the checks below read them."""
    seen: dict[tuple[str, int], dict] = {}
    shots = os.environ.get("WWC_SCREENSHOTS")
    for name, page_path in PAGES.items():
        for width in WIDTHS:
            context = chromium.new_context(viewport={"width": width, "height": 900})
            requests: list[str] = []
            context.route("**/*", lambda route, request, seen=requests: _only_local(route, request.url, seen))
            page = context.new_page()
            page.goto((batch / page_path).as_uri(), wait_until="load")
            seen[(name, width)] = {
                "scroll": page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"),
                "overflow": page.evaluate(OVERFLOW_JS),
                "images": page.evaluate(IMAGES_JS),
                "text": page.inner_text("body"),
                "requests": requests,
                "unlabelled": page.evaluate(
                    "() => Array.from(document.querySelectorAll('table.wwc-table td, #cities td'))"
                    ".filter(td => !td.hasAttribute('data-label')).length"
                ),
            }
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
            context.close()
    return seen


def _only_local(route, url: str, seen: list[str]) -> None:
    """Record a request; let the page's own file and its inline data through, refuse anything else."""
    seen.append(url)
    if url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()


CASES = [(name, width) for name in PAGES for width in WIDTHS]


@pytest.mark.parametrize(("name", "width"), CASES)
def test_page_fits_its_width(opened, name, width):
    scroll_width, inner_width = opened[(name, width)]["scroll"]
    assert scroll_width <= inner_width, f"{name} scrolls sideways at {width} px: {scroll_width} > {inner_width}"
    assert opened[(name, width)]["overflow"] == [], f"{name} at {width} px: elements past the right edge"


@pytest.mark.parametrize(("name", "width"), CASES)
def test_images_load_with_alt_text_and_legible_size(opened, name, width):
    for img in opened[(name, width)]["images"]:
        assert img["loaded"], f"{name}: an image did not load"
        assert img["alt"].strip(), f"{name}: an image has no alt text"
        scale = img["shown"] / img["natural"]
        assert scale >= MIN_CHART_SCALE, f"{name} at {width} px: a chart shown at {scale:.0%} of its size"
        assert scale <= 1.001, f"{name} at {width} px: a chart is enlarged ({scale:.0%})"


@pytest.mark.parametrize(("name", "width"), CASES)
def test_nothing_is_fetched_from_the_network(opened, name, width):
    outside = [u for u in opened[(name, width)]["requests"] if not u.startswith(("file:", "data:"))]
    assert outside == []


@pytest.mark.parametrize(("name", "width"), CASES)
def test_reader_words_only(opened, name, width):
    text = opened[(name, width)]["text"]
    found = [w for w in DEVELOPER_WORDS if w in text]
    found += [m.group(0) for pattern in (MAKE_COMMAND, BARE_NOMINATED) for m in pattern.finditer(text)]
    assert not found, f"{name}: developer words on the page: {found}"
    assert "((" not in text and "))" not in text, f"{name}: doubled parentheses"
    assert opened[(name, width)]["unlabelled"] == 0, f"{name}: table cells without a data-label"


def test_a_share_from_few_answers_says_so(opened):
    text = opened[("carlsbad", 390)]["text"]
    assert "(4 of 9 known)" in text
    assert "not compared" in text
    assert text.count("No self-assessment was given") == 1  # said once, not under both the chart and the table


def test_report_opens_with_the_summary(opened):
    text = opened[("scottsdale", 1280)]["text"]
    head = text[: text.index("Why this tier")]
    for words in ("Scottsdale, 2023 assessment", "Gold (published)", "31 of 43", "Shortest path to Platinum"):
        assert words in head
    assert text.index("Appendix: every criterion") > text.index("Criteria against peers")


def test_index_filters_by_the_tiers_present(batch, chromium):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto((batch / "index.html").as_uri())
    options = page.eval_on_selector_all("#tier-filter option", "os => os.map(o => o.value)")
    assert options == ["", "Silver", "Gold"]
    shown = (
        "() => Array.from(document.querySelectorAll('#cities tbody tr'))"
        ".filter(r => !r.hidden).map(r => r.cells[0].innerText)"
    )
    page.select_option("#tier-filter", "Gold")
    assert [c.split(" ·")[0] for c in page.evaluate(shown)] == ["Scottsdale"]
    page.select_option("#tier-filter", "Silver")
    assert [c.split(" ·")[0] for c in page.evaluate(shown)] == ["Carlsbad"]
    page.select_option("#tier-filter", "")
    assert len(page.evaluate(shown)) == 2
    page.close()


def test_overview_states_tier_ranges_and_why_no_quartiles(batch, chromium):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto((batch / "cohort" / "report.html").as_uri())
    column = page.eval_on_selector_all(
        "#cohort td[data-label='Tiers the answers allow']", "tds => tds.map(td => td.innerText.trim())"
    )
    assert column and all(column), column
    assert "no tier to Platinum" in column  # Carlsbad: 26 answers unknown
    assert "Quartiles are left out" in page.inner_text("body")
    page.close()


def _inked_height(png: Path) -> float:
    """How far down the page its content reaches, as a share of the page's height (the page number in the bottom
    margin, 0.5 in of 11, is not content)."""
    from PIL import Image

    with Image.open(png) as im:
        gray = im.convert("L")
        width, height = gray.size
        pixels = gray.load()
        body = int(height * (1 - 0.5 / 11))
        rows = [y for y in range(body) if any(pixels[x, y] < 230 for x in range(0, width, 2))]
    return (max(rows) + 1) / height if rows else 0.0


def test_scottsdale_pdf_is_a_council_packet(batch, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    pdf = batch / "scottsdale" / "report.pdf"
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) <= 10, f"{len(reader.pages)} pages"
    first = " ".join(reader.pages[0].extract_text().split())
    for words in ("Gold", "31 of 43", "Platinum", *PATH_TO_PLATINUM):
        assert words in first, f"page one does not say {words!r}"
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (apt-get install -y poppler-utils)")
    subprocess.run(["pdftoppm", "-r", "24", "-gray", "-png", str(pdf), str(tmp_path / "p")], check=True)
    filled = {png.name: _inked_height(png) for png in sorted(tmp_path.glob("p-*.png"))}
    assert len(filled) == len(reader.pages)
    nearly_empty = {name: f"{share:.0%}" for name, share in filled.items() if share < 0.25}
    assert not nearly_empty, f"nearly empty pages: {nearly_empty}"
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    unnumbered = [i for i, text in enumerate(texts, start=1) if f"page {i} of {len(texts)}" not in text]
    assert not unnumbered, f"pages without their number: {unnumbered}"
