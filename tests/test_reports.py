"""Gap reports and batches: complete folders, an index, failures reported, same bytes on rerun."""

import hashlib
import html
import json

import pandas as pd
import pytest
from conftest import RAW, ROOT

from wwc_analysis.cli import main
from wwc_analysis.io.slugs import slugify
from wwc_analysis.reports.pdf import find_chromium, stable
from wwc_analysis.simulate import write_cohort

HOSTILE = ["../../etc", "<script>alert(1)</script>", '=HYPERLINK("http://x")', "N" * 500, 'Quote "me"\nand a newline']
CITY_FILES = {
    "build.json",
    "report.ipynb",
    "report.html",
    "summary.md",
    "score.csv",
    "practices.csv",
    "criteria.csv",
    "opportunities.csv",
    "audit_risk.csv",
    "self_vs_audited.csv",
    *(
        f"{chart}.{ext}"
        for chart in ("tier_gauge", "practices", "criteria", "self_vs_audited")
        for ext in ("png", "svg")
    ),
} | ({"report.pdf"} if find_chromium() else set())
# A city without a self-assessment has no self-assessed table or chart.
FILES_WITHOUT_SELF = CITY_FILES - {"self_vs_audited.csv", "self_vs_audited.png", "self_vs_audited.svg"}
GOLDEN = ROOT / "outputs" / "scottsdale"


def digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A batch over real, simulated, hostile-named and broken cities, run twice into two folders."""
    root = tmp_path_factory.mktemp("batch")
    sim_responses, sim_outcomes = write_cohort(2, seed=5, folder=root / "sim")
    scottsdale = pd.read_csv(RAW / "responses" / "scottsdale_2023.csv", dtype=str, keep_default_na=False)
    hostile = pd.concat([scottsdale.assign(city=name) for name in HOSTILE], ignore_index=True)
    hostile_path = root / "hostile.csv"
    hostile.to_csv(hostile_path, index=False)
    broken = scottsdale.assign(city="Brokenville")
    broken.loc[5, "status"] = "Maybe"
    broken_path = root / "broken.csv"
    broken.to_csv(broken_path, index=False)
    files = [
        str(RAW / "responses" / "scottsdale_2023.csv"),
        str(RAW / "responses" / "carlsbad_2023.csv"),
        str(sim_responses),
        str(hostile_path),
        str(broken_path),
    ]
    outcomes = ["--outcomes", str(RAW / "outcomes" / "scottsdale_2023.csv"), "--outcomes", str(sim_outcomes)]
    codes = []
    for name in ("first", "second"):
        codes.append(
            main(["batch", *files, *outcomes, "--all", "--workers", "2", "--no-progress", "--out", str(root / name)])
        )
    return root, codes


def test_batch_writes_every_report_whole_and_an_index(batch):
    root, codes = batch
    out = root / "first"
    assert codes == [1, 1]  # Brokenville fails, so the batch exits non-zero
    cities = ["Scottsdale", "Carlsbad", "Simulated city 001", "Simulated city 002", *HOSTILE]
    for city in cities:
        folder = out / slugify(city)
        assert folder.parent == out
        with_self = city == "Scottsdale" or city in HOSTILE  # copies of Scottsdale, self-assessment and all
        assert {p.name for p in folder.iterdir()} == (CITY_FILES if with_self else FILES_WITHOUT_SELF), city
    assert (out / "cohort" / "report.html").is_file()
    assert not (out / slugify("Brokenville")).exists()
    assert not list(out.glob(".tmp-*"))
    index = (out / "index.md").read_text()
    assert "| Scottsdale | Gold (published) | 31 | [report](scottsdale/report.html)" in index
    assert "| Carlsbad | Silver (published) | 17 |" in index
    page = (out / "index.html").read_text()
    assert "<script src" not in page and "<link" not in page  # inline JS and CSS only
    assert '<a href="scottsdale/report.html">HTML</a>' in page and 'href="scottsdale/report.ipynb"' in page
    assert ('href="scottsdale/report.pdf"' in page) == bool(find_chromium())
    assert "Platinum" in page and "Brokenville" in page and "Silver (published)" in page
    assert "Simulated city 001 (simulated)" in index
    assert "## Failed" in index and "Brokenville" in index and "'Maybe'" in index


def test_rerun_gives_the_same_bytes(batch):
    root, _ = batch
    first, second = digest(root / "first"), digest(root / "second")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert len(first) > 100


def test_pdf_dates_and_tag_ids_are_made_stable():
    """Two prints of one page differ only in their dates and in DOM node numbers; both are evened out."""
    one = b"/CreationDate (D:20261123175501+00'00') /ID (node00000039) /ID (node00000041) [(node00000039)]"
    two = b"/CreationDate (D:20261124090000+00'00') /ID (node00000003) /ID (node00000005) [(node00000003)]"
    assert stable(one) == stable(two)
    assert len(stable(one)) == len(one)  # offsets in the cross-reference table stay right
    assert b"(node00000000)" in stable(one) and b"(node00000001)" in stable(one) and b"2026" not in stable(one)


def test_report_html_has_every_chart_and_no_code(batch):
    root, _ = batch
    page = (root / "first" / "scottsdale" / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == 4
    assert "build_city_report" not in page and "charts.draw" not in page
    assert "No description has been provided" not in page and 'alt="Tier gauge: Scottsdale meets 31 of 43' in page
    assert "<script" not in page and "cdnjs" not in page and "MathJax" not in page  # nothing fetched
    assert 'id="T_practices"' in page and "0.888889" not in page and "expected_met" not in page
    summary = (root / "first" / "scottsdale" / "summary.md").read_text()
    assert summary.startswith("# Scottsdale 2023: What Works Cities Certification gap report")
    assert "**Tier: Gold (published). 31 of 43" in summary and "DM8, SI1, RDC1, BF3, RDC3 and RDC7" in summary


def test_simulated_city_report_says_so(batch):
    root, _ = batch
    summary = (root / "first" / slugify("Simulated city 001") / "summary.md").read_text()
    assert "This city is simulated" in summary
    nb = json.loads((root / "first" / slugify("Simulated city 001") / "report.ipynb").read_text())
    assert "simulated" in json.dumps(nb["cells"][3]["outputs"])


def test_hostile_names_are_escaped_and_contained(batch):
    root, _ = batch
    out = root / "first"
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
    formula = pd.read_csv(out / slugify('=HYPERLINK("http://x")') / "score.csv", dtype=str)
    assert formula["city"].iloc[0] == '\'=HYPERLINK("http://x")'
    # No CSV anywhere under the batch's folder lets a cell run as a formula (the validated inputs are not there).
    for path in out.rglob("*.csv"):
        cells = pd.read_csv(path, dtype=str, keep_default_na=False, header=None).to_numpy().ravel()
        assert not [c for c in cells if str(c).startswith(("=", "+", "@"))], path
    assert not (out / "_inputs").exists()
    assert len({slugify(n) for n in HOSTILE}) == len(HOSTILE)
    escaped = (out / HOSTILE[0]).resolve()  # where "../../etc" lands if the name is joined to the batch's folder
    assert escaped == root.parent / "etc" and not escaped.exists()
    assert not (root / "etc").exists()  # or to a folder inside it (a report's staging folder, its cwd)


def test_a_notebook_failure_is_reported_and_leaves_no_folder(tmp_path, capsys, no_pdf):
    # Only Scottsdale has published same-size shares: Carlsbad's notebook raises.
    code = main(["batch", "--cohort", "published:size", "--workers", "1", "--no-progress", "--out", str(tmp_path)])
    assert code == 1
    out = capsys.readouterr().out
    assert "Carlsbad: the notebook failed: InputError: --cohort: no published shares of this kind" in out
    assert (tmp_path / "scottsdale" / "report.html").is_file()
    assert not (tmp_path / "carlsbad").exists()
    assert "Carlsbad" in (tmp_path / "index.html").read_text()


def test_report_command_prints_where_the_report_is(tmp_path, capsys, no_pdf):
    assert main(["report", "--city", "Scottsdale", "--out", str(tmp_path)]) == 0
    assert f"report written to {tmp_path / 'scottsdale'}/" in capsys.readouterr().out
    assert {p.name for p in (tmp_path / "scottsdale").iterdir()} == CITY_FILES - {"report.pdf"}
    assert not (tmp_path / "index.html").exists()


def _pdf_producer(data: bytes) -> bytes:
    import re

    match = re.search(rb"/Producer \(([^)]*)\)", data)
    return match.group(1) if match else b""


def test_fresh_report_matches_the_committed_outputs_byte_for_byte(fresh_scottsdale):
    """outputs/scottsdale/ is what `wwc report --city Scottsdale` writes: a chart that changes fails here.

    report.pdf is compared byte for byte when this machine's Chromium is the one that printed the
    committed copy (its bytes depend on the Chromium version), and by its text otherwise.
    """
    from pypdf import PdfReader

    committed = {p.name for p in GOLDEN.iterdir()}
    fresh = {p.name for p in fresh_scottsdale.iterdir()}
    assert fresh == committed - ({"report.pdf"} if not find_chromium() else set())
    for name in sorted(fresh):
        new, old = (fresh_scottsdale / name).read_bytes(), (GOLDEN / name).read_bytes()
        if name == "build.json":  # the package's digest changes with any edit to its code: compare the rest
            new, old = (json.loads(b) for b in (new, old))
            assert new["build"].pop("package") and old["build"].pop("package")
            assert new == old, "build.json differs from outputs/scottsdale/build.json (run `make notebooks`)"
            continue
        if name == "report.pdf" and _pdf_producer(new) != _pdf_producer(old):

            def text(path):
                return [page.extract_text() for page in PdfReader(path).pages]

            assert text(fresh_scottsdale / name) == text(GOLDEN / name), name
            continue
        assert new == old, f"{name} differs from outputs/scottsdale/{name} (run `make notebooks` after a change)"


def test_without_chromium_the_report_says_so_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WWC_CHROMIUM", "")  # as on a machine without Chromium
    assert main(["report", "--city", "Scottsdale", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert err.count("Chromium is not installed") == 1 and "apt-get install -y chromium" in err
    assert {p.name for p in (tmp_path / "scottsdale").iterdir()} == CITY_FILES - {"report.pdf"}
