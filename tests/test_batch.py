"""A batch and its reruns: whole reports and an index, hostile names contained, up-to-date reports skipped,
a change rebuilding only what it touches, `--force` giving the same bytes, failures keeping the last good.

One batch is built once for the module and the tests below run on it in file order: the later ones
rerun it after changing its inputs, as a weekly schedule would.
"""

import html
import json
import re
import shutil

import pandas as pd
import pytest
from conftest import RAW
from test_reports import CITY_FILES, FILES_WITHOUT_SELF

from wwc_analysis.cli import main
from wwc_analysis.io.slugs import slugify
from wwc_analysis.reports import batch as batch_module
from wwc_analysis.reports import worker as worker_module
from wwc_analysis.reports.pdf import find_chromium
from wwc_analysis.settings import kernel_settings

# One name with every hazard: a spreadsheet formula, a path out of the folder, markup, quotes, a line
# break and 500 characters.
HOSTILE_NAME = '=HYPERLINK("x")/../../../etc <script>alert(1)</script> Quote "me"\nand a newline ' + "N" * 500
HOSTILE = [HOSTILE_NAME]
SIMULATED = ["Simulated city 001"]
CITIES = ["Scottsdale", "Carlsbad", *SIMULATED, *HOSTILE]


def state(out):
    """Every file under `out`: its mtime and bytes."""
    return {
        p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def changed_folders(before, after):
    return {name.split("/")[0] for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A batch over real, simulated, hostile-named and broken cities: (root, its folder, a rerun, first exit code)."""
    root = tmp_path_factory.mktemp("batch")
    assert main(["simulate", "--cities", str(len(SIMULATED)), "--seed", "5", "--out", str(root / "sim")]) == 0
    sim_responses, sim_outcomes = root / "sim" / "responses.csv", root / "sim" / "outcomes.csv"
    scottsdale = pd.read_csv(RAW / "responses" / "scottsdale_2023.csv", dtype=str, keep_default_na=False)
    hostile = pd.concat([scottsdale.assign(city=name) for name in HOSTILE], ignore_index=True)
    hostile.to_csv(root / "hostile.csv", index=False)
    broken = scottsdale.assign(city="Brokenville")
    broken.loc[5, "status"] = "Maybe"
    broken.to_csv(root / "broken.csv", index=False)
    shutil.copy(RAW / "responses" / "carlsbad_2023.csv", root / "carlsbad.csv")  # a copy: a test below edits it
    files = [RAW / "responses" / "scottsdale_2023.csv", root / "carlsbad.csv", sim_responses]
    files += [root / "hostile.csv", root / "broken.csv"]
    outcomes = [RAW / "outcomes" / "scottsdale_2023.csv", sim_outcomes]
    out = root / "out"

    def run(*extra):
        """A run on one worker, this process's own: it stays warm for the reruns below (a pool of two runs
        through to the end in tests/test_faults.py)."""
        args = ["batch", *map(str, files), *(a for o in outcomes for a in ("--outcomes", str(o))), "--all"]
        return main([*args, "--workers", "1", "--no-progress", "--out", str(out), *extra])

    return root, out, run, run()


def test_batch_writes_every_report_whole_and_an_index(batch):
    _, out, _, code = batch
    assert code == 1  # Brokenville fails, so the batch exits non-zero
    for city in CITIES:
        folder = out / slugify(city)
        assert folder.parent == out
        with_self = city == "Scottsdale" or city in HOSTILE  # copies of Scottsdale, self-assessment and all
        assert {p.name for p in folder.iterdir()} == (CITY_FILES if with_self else FILES_WITHOUT_SELF), city
    assert (out / "cohort" / "report.html").is_file()
    assert not (out / slugify("Brokenville")).exists()
    assert not list(out.glob(".tmp-*"))
    index = (out / "index.md").read_text()
    assert (
        "| Scottsdale | Gold (published) | 31 of 43 | Silver 2019, Silver 2020, Gold 2023 | "
        "[report](scottsdale/report.html)" in index
    )
    assert "| Carlsbad | Silver (published) | 17 of 43, 26 unknown | Silver 2023, Gold 2024 |" in index
    page = (out / "index.html").read_text()
    assert "<script src" not in page and "<link" not in page  # inline JS and CSS only
    assert '<a href="scottsdale/report.html">Report</a>' in page and 'href="scottsdale/report.ipynb"' in page
    assert '<option value="Silver">Silver</option>' in page and '<option value="Gold">Gold</option>' in page
    assert ('href="scottsdale/report.pdf"' in page) == bool(find_chromium())
    assert "Platinum" in page and "Brokenville" in page and "Silver (published)" in page
    assert "Simulated city 001 (simulated)" in index
    assert "## Failed" in index and "Brokenville" in index and "'Maybe'" in index


def test_carlsbad_report_has_no_self_assessment_and_says_so(batch):
    _, out, _, _ = batch
    folder = out / "carlsbad"
    summary = (folder / "summary.md").read_text()
    assert "Silver (published)" in summary
    assert "No self-assessment was given" in summary
    assert "| Open Data | unknown (none of 4 known) | unknown | — |" in summary
    assert "| Data Management | 100% (4 of 9 known) | 31% | not compared: too few answers known |" in summary
    assert "The program announced Gold in June 2024 for the 2024 assessment" in summary
    assert not (folder / "self_vs_audited.png").exists()
    assert "&amp;" not in summary and "Leadership & Capacity" in summary


def test_report_html_has_every_chart_and_no_code(batch):
    _, out, _, _ = batch
    page = (out / "scottsdale" / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == 4
    assert "build_city_report" not in page and "charts.draw" not in page
    assert "No description has been provided" not in page and 'alt="Tier gauge: Scottsdale meets 31 of 43' in page
    assert "<script" not in page and "cdnjs" not in page and "MathJax" not in page  # nothing fetched
    assert "id='practices'" in page and "0.888889" not in page and "expected_met" not in page
    summary = (out / "scottsdale" / "summary.md").read_text()
    assert summary.startswith("# Scottsdale 2023: What Works Cities Certification gap report")
    assert "**Tier: Gold (published). 31 of 43" in summary and "DM8, SI1, RDC1, BF3, RDC3 and RDC7" in summary


def test_simulated_city_report_says_so(batch):
    _, out, _, _ = batch
    summary = (out / slugify(SIMULATED[0]) / "summary.md").read_text()
    assert "This city is simulated" in summary
    nb = json.loads((out / slugify(SIMULATED[0]) / "report.ipynb").read_text())
    assert "simulated" in json.dumps(nb["cells"][3]["outputs"])


def test_hostile_names_are_escaped_and_contained(batch):
    root, out, _, _ = batch
    index_html = (out / "index.html").read_text()
    assert "<script>alert(1)</script>" not in index_html
    assert "<script>alert(1)</script>" not in (out / "cohort" / "report.html").read_text()
    assert (out / "cohort" / "report.pdf").is_file() == bool(find_chromium())
    assert html.escape("<script>alert(1)</script>") in index_html
    for name in HOSTILE:
        folder = out / slugify(name)
        assert folder.resolve().parent == out.resolve()
        page = (folder / "report.html").read_text()
        assert "<script>alert(1)</script>" not in page
        score = pd.read_csv(folder / "score.csv", dtype=str, keep_default_na=False)
        assert not score["city"].iloc[0].startswith(("=", "+", "-", "@"))
        nb = json.loads((folder / "report.ipynb").read_text())
        # carried as data, not code (white space folded, as everywhere a city's name is shown)
        assert nb["metadata"]["papermill"]["parameters"]["city"] == " ".join(name.split())
    formula = pd.read_csv(out / slugify(HOSTILE_NAME) / "score.csv", dtype=str)
    assert formula["city"].iloc[0] == "'" + " ".join(HOSTILE_NAME.split())
    # No CSV anywhere under the batch's folder lets a cell run as a formula (the validated inputs are not there).
    for path in out.rglob("*.csv"):
        cells = pd.read_csv(path, dtype=str, keep_default_na=False, header=None).to_numpy().ravel()
        assert not [c for c in cells if str(c).startswith(("=", "+", "@"))], path
    assert not (out / "_inputs").exists()
    assert len(slugify(HOSTILE_NAME)) < 100
    landing = "etc <script>alert(1)<"  # the name's first folder after its "../../../"
    assert (out / HOSTILE_NAME).resolve().is_relative_to(root.parent / landing)  # where it climbs to, joined as is
    assert not (root.parent / landing).exists()  # nothing was written there
    assert not (root / landing).exists()  # nor where it climbs to from a report's staging folder (its cwd)


def test_every_report_records_what_it_was_built_from(batch):
    _, out, _, _ = batch
    for folder in [*map(slugify, CITIES), "cohort"]:
        record = json.loads((out / folder / "build.json").read_text())
        own = set() if folder == "cohort" else {"city_rows"}  # the overview has no city of its own
        assert set(record["build"]) >= {"cohort_rows", "notebook", "package", "edition", "published", *own}
        assert not re.search(r"\btime\b|\d{2}:\d{2}:\d{2}", json.dumps(record))  # no timestamps
    assert json.loads((out / "scottsdale" / "build.json").read_text())["facts"]["criteria_met"] == 31


def no_kernel(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a kernel or a worker was started")

    monkeypatch.setattr(worker_module, "init_worker", refuse)
    monkeypatch.setattr("wwc_analysis.reports.pool.run_pool", refuse)
    monkeypatch.setattr("wwc_analysis.reports.kernel.WarmKernel.start", refuse)
    monkeypatch.setattr("wwc_analysis.reports.kernel.WarmKernel.launch", refuse)


def test_rerun_with_nothing_changed_starts_no_kernel_and_rewrites_nothing(batch, monkeypatch, capsys):
    _, out, run, _ = batch
    before = state(out)
    no_kernel(monkeypatch)
    assert run() == 1  # Brokenville still fails validation
    assert state(out) == before
    assert f"{len(CITIES) + 1} up to date, not rebuilt" in capsys.readouterr().out
    index = (out / "index.md").read_text()
    assert all(f"{name} (simulated) |" in index for name in SIMULATED)  # with their figures
    assert "| None |" not in index


def test_force_rebuilds_everything_to_the_same_bytes(batch):
    _, out, run, _ = batch
    before = state(out)
    assert run("--force") == 1
    after = state(out)
    assert sorted(after) == sorted(before) and len(after) > 80
    assert [name for name in after if after[name][1] != before[name][1]] == []  # PDFs included
    for folder in [*map(slugify, CITIES), "cohort"]:
        assert after[f"{folder}/report.html"][0] != before[f"{folder}/report.html"][0]  # rewritten


def test_a_change_rebuilds_that_city_and_the_cohort_only(batch):
    root, out, run, _ = batch
    before = state(out)
    with (root / "carlsbad.csv").open("a") as responses:  # DM2 was unknown; now it is met
        responses.write("Carlsbad,2023,DM2,Yes,a change made by this test\n")
    kernel = worker_module._WORKER.kernel  # the earlier runs', still warm in this process
    assert run() == 1
    assert worker_module._WORKER.kernel is kernel and "start" not in batch_module.STAGES  # not started again
    assert changed_folders(before, state(out)) - {"index.html", "index.md"} == {"carlsbad", "cohort"}


def test_a_failure_keeps_the_last_good_report_marked_as_not_updated(batch, capsys):
    """Compared with itself alone, Carlsbad has no peers: its report fails, and its last good one stays."""
    _, out, run, _ = batch
    good = state(out / "carlsbad")
    assert run("--cohort", "cities:Carlsbad") == 1
    assert "Carlsbad: the notebook failed: cohort: the cohort has no cities besides Carlsbad" in capsys.readouterr().out
    assert state(out / "carlsbad") == good
    failed = json.loads((out / "_failed" / "carlsbad.ipynb").read_text())
    errors = [o for c in failed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "ParameterError" and errors[0]["traceback"]
    page = (out / "index.html").read_text()
    assert "not updated: the last rebuild failed (the notebook failed: cohort: the cohort has no cities" in page
    assert 'href="carlsbad/report.html"' in page and "**stale**" in (out / "index.md").read_text()


def test_the_warm_worker_keeps_its_kernel_when_only_chromium_changes(batch, monkeypatch):
    """The rerun above left this process's worker warm: another Chromium setting swaps the printer only,
    while a change to where the kernel reads or writes (a WWC_ path) calls for a new kernel."""
    worker = worker_module._WORKER
    kernel, env = worker.kernel, kernel_settings()
    monkeypatch.setenv("WWC_CHROMIUM", "")
    worker_module.init_worker()
    assert worker_module._WORKER is worker and worker.kernel is kernel and worker.printer is None
    assert kernel_settings() == env
    monkeypatch.setenv("WWC_OUTPUT_DIR", "/somewhere/else")
    assert kernel_settings() != env
