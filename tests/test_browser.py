"""Reports and the index as people see them: rendered in headless Chromium, and the PDF read back.

Screenshots at a phone and a desktop width go to a temporary folder (or to $WWC_SCREENSHOTS,
to keep them). Everything here needs Debian's Chromium and skips with a clear message without it.
"""

from __future__ import annotations

import os
import re

import pytest
from conftest import GOLDEN

from wwc_analysis.reports.batch import Job, Result, index_html
from wwc_analysis.reports.pdf import find_chromium

NO_CHROMIUM = "Chromium is not installed: apt-get install -y chromium"
WIDTHS = {"phone": 390, "desktop": 1280}


pytestmark = pytest.mark.skipif(find_chromium() is None, reason=NO_CHROMIUM)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    folder = os.environ.get("WWC_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        from pathlib import Path

        return Path(folder)
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def offline_page(chromium_browser):
    """A page whose every request outside file:// is refused and recorded (the pages must not need any)."""
    pages = []

    def make(width: int):
        context = chromium_browser.new_context(viewport={"width": width, "height": 900}, offline=True)
        requests = []

        def route(r):
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                requests.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.network_requests = requests
        pages.append(context)
        return page

    yield make
    for context in pages:
        context.close()


def _check_rendered(page, name: str, width: int, screenshots):
    text = page.inner_text("body")
    assert len(text.strip()) > 200, f"{name} looks blank at {width}px"
    images = page.eval_on_selector_all("img", "els => els.map(e => [e.naturalWidth, e.getAttribute('alt') || ''])")
    assert all(w > 0 for w, _ in images), f"an image did not load in {name}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 2, f"{name} scrolls sideways by {overflow}px at {width}px"
    page.screenshot(path=str(screenshots / f"{name}-{width}.png"), full_page=True)
    assert page.network_requests == [], f"{name} tried to fetch {page.network_requests}"
    return text, images


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_report_html_in_a_browser(offline_page, screenshots, width):
    """The committed report (tests/test_reports.py checks that a fresh one is the same bytes)."""
    page = offline_page(width)
    page.goto((GOLDEN / "report.html").as_uri(), wait_until="load")
    text, images = _check_rendered(page, "report", width, screenshots)
    assert "Scottsdale" in text and "Gold" in text and "31 of 43" in text
    assert len(images) == 4
    for _, alt in images:
        assert alt and "No description" not in alt and "Scottsdale" in alt
    assert any(
        alt.startswith("Tier gauge: Scottsdale meets 31 of 43 criteria, in the Gold band (67-84%") for _, alt in images
    )
    # tables for people: percentages, readable headers, marks with a legend, no index column, full text
    assert "89%" in text and "0.889" not in text and "0.888889" not in text
    assert "Typical peer" in text and "expected_met" not in text and "z_score" not in text
    assert "● met" in text and "◐ in progress" in text
    assert "True" not in text and "False" not in text and "..." not in text
    assert page.locator("table th.blank.level0").count() == 0  # no index column
    assert page.locator("script[src], link[rel=stylesheet]").count() == 0


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_index_sorts_and_filters_in_a_browser(tmp_path, offline_page, screenshots, width):
    jobs = [
        Job(
            "Scottsdale",
            "scottsdale",
            "city_report.ipynb",
            {"edition": "2022"},
            tier="Gold",
            tier_high="Gold",
            criteria_met=31,
            year=2023,
            next_tier="Platinum",
            criteria_needed=6,
        ),
        Job(
            "Carlsbad",
            "carlsbad",
            "city_report.ipynb",
            {"edition": "2022"},
            tier=None,
            tier_high="Platinum",
            criteria_met=17,
            year=2023,
            next_tier="Silver",
            criteria_needed=5,
        ),
        Job(
            "Simulated city 001",
            "simulated-city-001",
            "city_report.ipynb",
            {"edition": "2022"},
            tier="Silver",
            tier_high="Silver",
            criteria_met=24,
            simulated=True,
            next_tier="Gold",
            criteria_needed=5,
        ),
        Job(
            "<b>Bold</b> & Co",
            "b-bold-b-co-1234",
            "city_report.ipynb",
            {"edition": "2022"},
            tier="Gold",
            tier_high="Gold",
            criteria_met=30,
            published_tier="Gold",
            change="+2 criteria",
        ),
    ]
    results = [Result(j, True) for j in jobs]
    results.append(
        Result(
            Job("Brokenville", "brokenville", "city_report.ipynb", {}),
            False,
            "broken.csv: row 7: unknown status: 'Maybe'",
        )
    )
    page_file = tmp_path / "index.html"
    page_file.write_text(index_html(results))
    page = offline_page(width)
    page.goto(page_file.as_uri(), wait_until="load")
    text, _ = _check_rendered(page, "index", width, screenshots)
    assert "<b>Bold</b> & Co" in text  # shown as text, not markup
    assert "Brokenville" in page.inner_text("#failures") and "'Maybe'" in page.inner_text("#failures")
    assert "—" in page.inner_text("#cities")  # published tier and change unknown: an em dash

    def column(i):
        return page.eval_on_selector_all(
            f"#cities tbody tr:not([hidden]) td:nth-child({i})", "els => els.map(e => e.innerText.trim())"
        )

    if width >= 800:
        page.click("#cities th:nth-child(4) button")  # criteria met, ascending
    else:  # on a phone the headings are hidden: the sort menu does it
        page.select_option("#sort-by", "3")
    met = [int(re.match(r"\d+", v).group()) for v in column(4)]
    assert met == sorted(met) == [17, 24, 30, 31]
    if width >= 800:
        page.click("#cities th:nth-child(4) button")
        assert [int(re.match(r"\d+", v).group()) for v in column(4)] == [31, 30, 24, 17]
        assert page.get_attribute("#cities th:nth-child(4)", "aria-sort") == "descending"
    page.select_option("#tier-filter", "Gold")
    names = column(1)
    assert sorted(names) == ["<b>Bold</b> & Co", "Scottsdale"]
    assert "2 of 4 shown" in page.inner_text("#shown")
    page.screenshot(path=str(screenshots / f"index-gold-{width}.png"), full_page=True)
    page.select_option("#tier-filter", "")
    assert len(column(1)) == 4


def test_pdf_reads_back(chromium_path):
    """The committed PDF (a fresh one has the same text: tests/test_reports.py)."""
    from pypdf import PdfReader

    pdf = GOLDEN / "report.pdf"
    assert pdf.is_file()
    reader = PdfReader(pdf)
    assert 4 <= len(reader.pages) <= 20
    first = reader.pages[0].extract_text()
    assert "Scottsdale" in first and "Gold" in first and "2023" in first and "31 of 43" in first
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Opportunities" in text and "Audit risk" in text
    # the four charts, each on one page: a chart split across pages would be drawn on two
    assert sum(len(p.images) for p in reader.pages) == 4
    assert b"/CreationDate (D:20000101000000" in pdf.read_bytes()
