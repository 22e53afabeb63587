"""Helpers shared by the tests: build response and outcome files for made-up cities."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from wwc_analysis.rules.standard import load_standard

# Property tests: 100 generated cases each in the everyday run, 2,000 with HYPOTHESIS_PROFILE=thorough
# (a nightly or pre-release run; see the README). No deadline: a busy machine must not fail a case.
_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("everyday", max_examples=100, deadline=None, suppress_health_check=_SLOW_DATA)
settings.register_profile("thorough", max_examples=2000, deadline=None, suppress_health_check=_SLOW_DATA)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "everyday"))

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
# The committed Scottsdale report: tests/test_reports.py checks that a fresh one is the same, byte for byte.
GOLDEN = ROOT / "outputs" / "scottsdale"


@pytest.fixture(scope="session")
def standard():
    return load_standard("2022")


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def city_rows(city: str, statuses: dict[str, str], year: int = 2023) -> list[list[object]]:
    return [[city, year, code, value] for code, value in statuses.items()]


def statuses_with(
    standard,
    met: int,
    missing: tuple[str, ...] = (),
    fill: str = "No",
    first: tuple[str, ...] = ("DM1", "LC1", "PA1", "DM8"),
) -> dict[str, str]:
    """`met` criteria at Yes (core and DM8 first unless listed in `missing`), the rest `fill`."""
    order = (
        [c for c in first if c not in missing]
        + [c for c in standard.codes if c not in first and c not in missing]
        + list(missing)
    )
    return {code: ("Yes" if i < met else fill) for i, code in enumerate(order)}


def outcome_rows(city: str, n_met: int, year: int = 2023) -> list[list[object]]:
    """Broadband, PM2.5 and a nominated metric, the first `n_met` of them met."""
    values = [("broadband", 89, 60), ("pm25", 7.2, 14.0), ("nominated", "yes", "no")]
    rows = []
    for i, (metric, good, bad) in enumerate(values):
        value = good if i < n_met else bad
        if metric == "nominated":
            rows.append([city, year, metric, "", value])
        else:
            rows.append([city, year, metric, value, ""])
    return rows


@pytest.fixture
def make_city(tmp_path, standard):
    """Write responses (and outcomes) for one city and return (responses_path, outcomes_path)."""

    def make(statuses: dict[str, str], outcomes_met: int | None = 3, city: str = "Testville"):
        responses = write_csv(
            tmp_path / f"{city}_responses.csv", ["city", "year", "criterion", "status"], city_rows(city, statuses)
        )
        if outcomes_met is None:
            return responses, None
        outcomes = write_csv(
            tmp_path / f"{city}_outcomes.csv",
            ["city", "year", "metric", "value", "met"],
            outcome_rows(city, outcomes_met),
        )
        return responses, outcomes

    return make


@pytest.fixture
def no_pdf(monkeypatch):
    """Reports without their PDF copy, for tests about something else (test_browser and test_reports check PDFs)."""
    monkeypatch.setenv("WWC_CHROMIUM", "")


@pytest.fixture(scope="session")
def chromium_path():
    from wwc_analysis.reports.pdf import find_chromium

    return find_chromium()


@pytest.fixture(scope="module")
def chromium_browser(chromium_path):
    """One headless Chromium for a module's browser tests.

    Playwright's sync API runs one instance per thread at a time: while this one is open, a report built in
    this process would have to print its PDF with a Chromium of its own. Per module, it is closed again
    before the tests that build reports."""
    from wwc_analysis.reports.pdf import QUIET_FLAGS
    from wwc_analysis.reports.worker import stop_worker

    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install playwright")
    stop_worker()  # a warm report worker's Playwright, if an earlier test left one: one Playwright at a time
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium_path, args=list(QUIET_FLAGS), headless=True)
        yield launched
        launched.close()


def score_csv(folder: Path, capsys) -> str:
    """`wwc score` of the responses.csv and outcomes.csv in `folder`, as CSV text."""
    from wwc_analysis.cli import main

    responses, outcomes = folder / "responses.csv", folder / "outcomes.csv"
    assert main(["score", str(responses), "--outcomes", str(outcomes), "--format", "csv"]) == 0
    return capsys.readouterr().out
