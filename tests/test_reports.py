"""Single gap reports: the committed Scottsdale report reproduced byte for byte, failures reported, PDFs stable."""

import json

import pytest
from conftest import GOLDEN

from wwc_analysis.cli import main
from wwc_analysis.reports.pdf import find_chromium, stable

CITY_FILES = {
    "build.json",
    "facts.json",
    "timeline.csv",
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


@pytest.fixture(scope="module")
def fresh_scottsdale(tmp_path_factory):
    """A fresh `wwc report --city Scottsdale`; its folder."""
    out = tmp_path_factory.mktemp("fresh")
    assert main(["report", "--city", "Scottsdale", "--out", str(out)]) == 0
    return out / "scottsdale"


def test_pdf_dates_and_tag_ids_are_made_stable():
    """Two prints of one page differ only in their dates and in DOM node numbers; both are evened out."""
    one = b"/CreationDate (D:20261123175501+00'00') /ID (node00000039) /ID (node00000041) [(node00000039)]"
    two = b"/CreationDate (D:20261124090000+00'00') /ID (node00000003) /ID (node00000005) [(node00000003)]"
    assert stable(one) == stable(two)
    assert len(stable(one)) == len(one)  # offsets in the cross-reference table stay right
    assert b"(node00000000)" in stable(one) and b"(node00000001)" in stable(one) and b"2026" not in stable(one)


def test_a_notebook_failure_is_reported_and_leaves_no_folder(tmp_path, capsys, no_pdf):
    # A cohort naming a city nobody loaded: the report's notebook raises.
    args = ["--cities", "Carlsbad", "--cohort", "cities:Nowhere", "--workers", "1", "--no-progress"]
    code = main(["batch", *args, "--out", str(tmp_path)])
    assert code == 1
    out = capsys.readouterr().out
    assert "Carlsbad: the notebook failed: cohort: no such city among those loaded: 'Nowhere'" in out
    assert not (tmp_path / "carlsbad").exists() and not list(tmp_path.glob(".tmp-*"))
    assert "Carlsbad" in (tmp_path / "index.html").read_text()


def _pdf_producer(data: bytes) -> bytes:
    import re

    match = re.search(rb"/Producer \(([^)]*)\)", data)
    return match.group(1) if match else b""


def test_fresh_report_matches_the_committed_outputs_byte_for_byte(fresh_scottsdale):
    """tests/golden/scottsdale/ is what `wwc report --city Scottsdale` writes: a chart that changes fails here.

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
            assert new == old, (
                "build.json differs from tests/golden/scottsdale/build.json (run `make golden` after an intended "
                "change)"
            )
            continue
        if name == "report.pdf" and _pdf_producer(new) != _pdf_producer(old):

            def text(path):
                return [page.extract_text() for page in PdfReader(path).pages]

            assert text(fresh_scottsdale / name) == text(GOLDEN / name), name
            continue
        assert new == old, (
            f"{name} differs from tests/golden/scottsdale/{name} (run `make golden` after an intended change)"
        )
