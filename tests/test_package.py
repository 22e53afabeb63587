"""The package installs on its own: a wheel built from the checkout writes reports from any folder.

The wheel is installed, without its dependencies, into a fresh virtual environment that borrows this
environment's packages (but not its editable copy of the workbench), and run from a folder outside the
checkout: it must find the standard, the bundled cities, the published record and the notebooks inside itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The `python` of a fresh environment with the wheel installed, and the environment variables to run it."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (work / "dist").glob("wwc_analysis-*.whl")
    venv.create(work / "env", with_pip=True)
    python = work / "env" / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WWC_") and k != "PYTHONPATH"}
    install = [python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, env=env)  # a checkout on PYTHONPATH would stand in
    borrowed = sysconfig.get_paths()["purelib"]  # this environment's dependencies; its editable copy is a .pth
    env |= {"PYTHONPATH": borrowed, "WWC_CHROMIUM": "", "XDG_CACHE_HOME": str(work / "cache")}
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")  # nbconvert's templates, borrowed likewise
    return python, env, wheel


def test_the_wheel_carries_the_data_and_the_notebooks(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed[2]).namelist())
    for needed in (
        "bundled/raw/standard/2022/criteria.csv",
        "bundled/raw/cities/certification_history.csv",
        "bundled/notebooks/city_report.ipynb",
        "reports/templates/report/index.html.j2",
        "app/share/voila/templates/wwc/conf.json",
    ):
        assert f"wwc_analysis/{needed}" in names, needed


def test_an_installed_wheel_scores_and_writes_a_report_from_any_folder(installed, tmp_path):
    python, env, _ = installed
    where = subprocess.run(
        [python, "-c", "import wwc_analysis; print(wwc_analysis.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT) not in where  # the installed copy, not the checkout
    score = subprocess.run(
        [python, "-m", "wwc_analysis", "score", "--city", "Scottsdale", "--format", "json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(score.stdout)[0]["tier"] == "Gold"
    report = subprocess.run(
        [python, "-m", "wwc_analysis", "report", "--city", "Scottsdale"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.returncode == 0, report.stderr
    folder = tmp_path / "outputs" / "scottsdale"
    assert (folder / "report.html").is_file() and json.loads((folder / "facts.json").read_text())["criteria_met"] == 31
