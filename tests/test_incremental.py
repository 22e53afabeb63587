"""Scheduled reruns: up-to-date reports are skipped, a change rebuilds what it touches, failures keep the last good."""

import json

import pandas as pd
import pytest

from wwc_analysis.cli import main
from wwc_analysis.reports import batch
from wwc_analysis.simulate import write_cohort

CITIES = ["simulated-city-001", "simulated-city-002", "simulated-city-003"]


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
def without_pdf():
    """No PDF copies here: what is rebuilt or skipped does not depend on them (test_reports checks PDFs)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WWC_CHROMIUM", "")
        yield


@pytest.fixture(scope="module")
def first(tmp_path_factory, without_pdf):
    root = tmp_path_factory.mktemp("incremental")
    responses, outcomes = write_cohort(3, seed=5, folder=root / "sim")
    out = root / "out"

    def run(*extra, workers="2"):
        return main(
            [
                "batch",
                str(responses),
                "--outcomes",
                str(outcomes),
                "--workers",
                workers,
                "--no-progress",
                "--out",
                str(out),
                *extra,
            ]
        )

    assert run() == 0
    return root, responses, out, run


def no_kernel(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a kernel or a worker was started")

    monkeypatch.setattr(batch, "init_worker", refuse)
    monkeypatch.setattr(batch, "ProcessPoolExecutor", refuse)
    monkeypatch.setattr("wwc_analysis.reports.kernel.WarmKernel.start", refuse)
    monkeypatch.setattr("wwc_analysis.reports.kernel.WarmKernel.launch", refuse)


def test_every_report_records_what_it_was_built_from(first):
    _, _, out, _ = first
    for folder in [*CITIES, "cohort"]:
        record = json.loads((out / folder / "build.json").read_text())
        assert set(record["build"]) >= {"city_rows", "cohort_rows", "notebook", "package", "edition", "published"}
        assert "time" not in json.dumps(record)
    assert json.loads((out / CITIES[0] / "build.json").read_text())["figures"]["criteria_met"] is not None


def test_rerun_with_nothing_changed_starts_no_kernel_and_rewrites_nothing(first, monkeypatch, capsys):
    _, _, out, run = first
    before = state(out)
    no_kernel(monkeypatch)
    assert run() == 0
    assert state(out) == before
    assert "4 up to date, not rebuilt" in capsys.readouterr().out
    index = (out / "index.md").read_text()
    assert all(f"Simulated city 00{i} (simulated) |" in index for i in (1, 2, 3))  # with their figures
    assert "| None |" not in index


def test_a_change_to_one_city_rebuilds_it_and_the_cohort_only(first):
    _, responses, out, run = first
    before = state(out)
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    two = frame["city"] == "Simulated city 002"
    frame.loc[two & (frame["criterion"] == "DM1"), "status"] = "Yes"
    frame.loc[two & (frame["criterion"] == "DM2"), "status"] = "Yes"
    frame.to_csv(responses, index=False)
    assert run() == 0
    assert changed_folders(before, state(out)) - {"_inputs", "index.html", "index.md"} == {CITIES[1], "cohort"}


def test_force_rebuilds_everything(first):
    _, _, out, run = first
    before = state(out)
    assert run("--force", workers="1") == 0
    after = state(out)
    for folder in [*CITIES, "cohort"]:
        name = f"{folder}/report.html"
        assert after[name][0] != before[name][0] and after[name][1] == before[name][1]  # rewritten, same bytes


def test_a_failed_rebuild_keeps_the_last_good_report_marked_stale(first, capsys):
    _, responses, out, run = first
    good = state(out / CITIES[2])
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    # 2022 passes validation, but no peer shares are published for 2022 or earlier: the notebook raises.
    frame.loc[frame["city"] == "Simulated city 003", "year"] = "2022"
    frame.to_csv(responses, index=False)
    assert run() == 1
    assert "Simulated city 003: the notebook failed: InputError" in capsys.readouterr().out
    assert state(out / CITIES[2]) == good
    failed = json.loads((out / "_failed" / f"{CITIES[2]}.ipynb").read_text())
    errors = [o for c in failed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "InputError" and errors[0]["traceback"]
    page = (out / "index.html").read_text()
    assert "stale: the last rebuild failed (the notebook failed: InputError" in page
    assert f'href="{CITIES[2]}/report.html"' in page
    assert "**stale**" in (out / "index.md").read_text()
