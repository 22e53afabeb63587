"""Project-level promises: conda and pip agree, the package imports light, data/raw is cited."""

import re
import subprocess
import sys
import tomllib

import yaml
from conftest import ROOT


def _name_and_bound(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(>=\s*[\d.]+)?\s*", spec)
    assert match, f"cannot read dependency {spec!r}"
    return match.group(1).lower().replace("_", "-"), (match.group(2) or "").replace(" ", "")


def test_environment_yml_and_pyproject_list_the_same_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # a new extra also goes into environment.yml, `make lock` and the lock (tests/test_environment.py)
    assert set(project["optional-dependencies"]) == {"dev", "lab", "app"}
    pip_deps = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pip_deps += extra
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))]
    assert len(conda) == len(set(map(_name_and_bound, conda))) and len(pip_deps) == len(set(pip_deps))
    assert dict(map(_name_and_bound, conda)) == dict(map(_name_and_bound, pip_deps))
    app = dict(map(_name_and_bound, project["optional-dependencies"]["app"]))
    assert {"ipywidgets", "voila"} <= app.keys()
    assert app.items() <= dict(map(_name_and_bound, conda)).items()
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace(" ", "") == "python" + project["requires-python"]


def python_output(code: str) -> str:
    """What `code` prints in a fresh interpreter."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def imported_after(statement: str, modules: tuple[str, ...]) -> list[str]:
    """Which of `modules` a fresh interpreter has imported after running `statement`."""
    return eval(python_output(f"import sys; {statement}; print([m for m in {modules!r} if m in sys.modules])"))


def test_import_is_light():
    assert imported_after("import wwc_analysis", ("matplotlib", "seaborn", "pandas", "papermill")) == []


def test_scoring_does_not_import_plotting():
    statement = "from wwc_analysis import city_context; city_context('Scottsdale').opportunities()"
    assert imported_after(statement, ("matplotlib", "seaborn")) == []


def test_the_command_line_does_not_import_plotting_or_widgets():
    modules = ("matplotlib", "seaborn", "ipywidgets", "nbformat")
    assert imported_after("import wwc_analysis.cli", modules) == []


def test_notebook_libraries_load_without_the_iri_grammars_and_still_validate():
    code = (
        "import sys; from wwc_analysis.reports.notebook_libs import load_jsonschema; load_jsonschema(); "
        "import nbformat; nb = nbformat.v4.new_notebook(); nb.cells.append(nbformat.v4.new_code_cell('1')); "
        "nbformat.validate(nb); nb.cells[0]['execution_count'] = 'one'\n"
        "try: nbformat.validate(nb)\nexcept nbformat.ValidationError: print('refused')\n"
        "print('rfc3987_syntax' in sys.modules)"
    )
    assert python_output(code).split() == ["refused", "False"]


def test_every_raw_file_is_cited_in_the_raw_readme():
    readme = (ROOT / "data" / "raw" / "README.md").read_text()
    for path in sorted((ROOT / "data" / "raw").rglob("*")):
        if path.is_file() and path.name != "README.md":
            rel = path.relative_to(ROOT / "data" / "raw").as_posix()
            assert f"`{rel}`" in readme, f"{rel} has no source in data/raw/README.md"


def test_imports_point_one_way_through_the_layers():
    """rules < analysis < io < reports < app < the command line: no module imports a layer above its own."""
    order = ["rules", "analysis", "io", "reports", "app"]
    package = ROOT / "wwc_analysis"
    for layer in order:
        above = order[order.index(layer) + 1 :]
        for path in (package / layer).rglob("*.py"):
            text = path.read_text()
            for upper in above:
                assert f"from ..{upper}" not in text and f"wwc_analysis.{upper}" not in text, f"{path} imports {upper}"


def test_no_module_is_over_400_lines_and_none_uses_platform_tricks():
    for path in (ROOT / "wwc_analysis").rglob("*.py"):
        text = path.read_text()
        assert text.count("\n") <= 400, f"{path} has {text.count(chr(10))} lines"
        assert "ctypes" not in text and "numpy._core" not in text, path
