"""The app as a person uses it: Voila serves the panel, Chromium (Debian's) clicks through it."""

import pytest

from wwc_analysis.app import serve, voila_available
from wwc_analysis.reports.pdf import find_chromium

SHORTLIST = ["DM8", "SI1", "RDC1", "BF3", "RDC3", "RDC7"]

pytestmark = [
    pytest.mark.skipif(not voila_available(), reason="the app needs voila and ipywidgets (pip install -e '.[app]')"),
    pytest.mark.skipif(find_chromium() is None, reason="no Chromium (apt-get install chromium)"),
]


def test_scottsdale_reaches_platinum_in_the_app_and_resets_to_gold(tmp_path, chromium_browser):
    with serve(timeout=120, log=tmp_path / "voila.log") as url:
        context = chromium_browser.new_context(viewport={"width": 1500, "height": 1000})
        page = context.new_page()
        try:
            page.goto(url, timeout=120_000)
            headline = page.locator(".wwc-headline").first
            headline.wait_for(timeout=120_000)
            assert "Gold" in headline.inner_text() and "31 of 43" in headline.inner_text()
            for code in SHORTLIST:
                page.locator(f".wwc-status-{code} button", has_text="Yes").first.click()
            page.locator(".wwc-metric-nominated button", has_text="met").first.click()
            page.wait_for_function(
                "document.querySelector('.wwc-headline').innerText.includes('Platinum')", timeout=30_000
            )
            assert "37 of 43" in headline.inner_text()
            page.get_by_role("button", name="Reset to recorded answers").click()
            page.wait_for_function("document.querySelector('.wwc-headline').innerText.includes('Gold')", timeout=30_000)
            assert "31 of 43" in headline.inner_text()
        except Exception:
            shot = tmp_path / "failure.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failure: {shot}; server log: {tmp_path / 'voila.log'}")
            raise
        finally:
            context.close()
