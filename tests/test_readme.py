"""The README's examples run as written: its shell commands and its Python, in order, in a scratch folder.

Lines that set up the environment (`make`, `pip`, `conda`) are what CI itself runs; every other line of a
`sh` block and every `python` block is run here, from a folder that sees the checkout's data/, notebooks/ and
tests/ as the README's paths expect, so files the examples write land in the scratch folder.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SETUP = ("make", "pip", "conda", "source")


def examples() -> list[tuple[str, str]]:
    """("sh", command) and ("python", code) in the README's order."""
    found = []
    for lang, body in re.findall(r"```(sh|python)\n(.*?)```", (ROOT / "README.md").read_text(), re.S):
        if lang == "python":
            found.append(("python", body))
            continue
        for line in body.splitlines():
            command = line.split(" #")[0].strip()
            if command and not command.startswith(SETUP):
                found.append(("sh", command))
    return found


def test_the_readme_shows_examples_of_every_kind():
    kinds = {kind for kind, _ in examples()}
    commands = [c for kind, c in examples() if kind == "sh"]
    assert kinds == {"sh", "python"} and len(commands) >= 10
    assert {c.split()[1] for c in commands if c.startswith("wwc ")} >= {
        "score",
        "opportunities",
        "whatif",
        "progress",
        "batch",
    }


def test_every_readme_example_runs(tmp_path):
    for name in ("data", "notebooks", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {**os.environ, "WWC_CHROMIUM": "", "WWC_OUTPUT_DIR": str(tmp_path / "outputs")}
    papermill = str(Path(sys.executable).with_name("papermill"))
    for kind, text in examples():
        if kind == "python":
            done = subprocess.run([sys.executable, "-c", text], cwd=tmp_path, env=env, capture_output=True, text=True)
        else:
            words = shlex.split(text)
            program = {"wwc": [sys.executable, "-m", "wwc_analysis"], "papermill": [papermill, "-k", "python3"]}[
                words[0]
            ]
            done = subprocess.run([*program, *words[1:]], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{text}\n{done.stderr[-2000:]}"
    assert (tmp_path / "tempe.xlsx").is_file() and (tmp_path / "imported" / "scottsdale" / "responses.csv").is_file()
    assert (tmp_path / "outputs" / "index.html").is_file() and (tmp_path / "carlsbad.ipynb").is_file()
