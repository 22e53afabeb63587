"""Build step: the wheel carries what the commands read at run time.

The published inputs (`data/raw/`: the standard's editions, the bundled cities, the published record)
and the notebooks the reports run (`notebooks/`) stay in the repository as their sources; building a
wheel copies them into the package as `wwc_analysis/bundled/`, where `wwc_analysis.settings` finds them
when the package runs outside a checkout. Everything else is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCES = {"raw": Path("data") / "raw", "notebooks": Path("notebooks")}


class BuildWithBundledData(build_py):
    """`build_py`, then the published inputs and the notebooks copied beside the modules."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads them from the checkout
            return
        target = Path(self.build_lib) / "wwc_analysis" / "bundled"
        for name, source in SOURCES.items():
            skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
            shutil.copytree(source, target / name, dirs_exist_ok=True, ignore=skip)


setup(cmdclass={"build_py": BuildWithBundledData})
