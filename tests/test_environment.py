"""The pinned environment: requirements.lock satisfies every requirement in pyproject.toml.

`make setup` installs from the lock, so a dependency added to (or removed from) pyproject.toml
without `make lock` fails here rather than on someone else's machine.
"""

import re
import tomllib

from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

LOCK = ROOT / "requirements.lock"
# the lock is made for CPython 3.11 on Linux (see `make lock`)
TARGET = {
    "python_version": "3.11",
    "python_full_version": "3.11.7",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "platform_machine": "x86_64",
}


def project_requirements() -> dict[str, list[Requirement]]:
    """pyproject's requirements: "" for the runtime ones, then one entry per extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"": project["dependencies"], **project["optional-dependencies"]}
    return {group: [Requirement(spec) for spec in specs] for group, specs in groups.items()}


def lock_pins() -> dict[str, Version]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        assert match, f"requirements.lock: {line!r} is not a pin (name==version)"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"requirements.lock pins {name} twice"
        pins[name] = Version(match.group(2))
    return pins


def lock_direct() -> set[str]:
    """The packages uv recorded as required by pyproject.toml itself when it wrote the lock."""
    direct, current = set(), None
    for line in LOCK.read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            current = canonicalize_name(line.split("==")[0])
        elif current and re.search(r"#\s+(via\s+)?wwc-analysis \(pyproject\.toml\)", line):
            direct.add(current)
    return direct


def test_lock_pins_a_version_that_satisfies_every_requirement():
    pins = lock_pins()
    assert len(pins) > 50
    for group, requirements in project_requirements().items():
        for req in requirements:
            if req.marker and not req.marker.evaluate({**TARGET, "extra": group}):
                continue
            name = canonicalize_name(req.name)
            where = f"extra {group!r}" if group else "dependencies"
            assert name in pins, f"{req} ({where} in pyproject.toml) is not in requirements.lock: run `make lock`"
            assert req.specifier.contains(pins[name], prereleases=True), (
                f"requirements.lock pins {name}=={pins[name]}, which does not satisfy {req} "
                f"({where} in pyproject.toml): run `make lock`"
            )


def test_lock_was_made_from_the_current_requirements():
    declared = {canonicalize_name(r.name) for reqs in project_requirements().values() for r in reqs}
    direct = lock_direct()
    assert direct, "requirements.lock says nothing of what pyproject.toml requires: regenerate it with `make lock`"
    assert direct == declared, (
        f"pyproject.toml and requirements.lock disagree (only in pyproject: "
        f"{sorted(declared - direct)}, only in the lock: {sorted(direct - declared)}): "
        "run `make lock`"
    )


def test_make_lock_and_make_setup_cover_every_extra():
    makefile = (ROOT / "Makefile").read_text()
    lock_rule = makefile[makefile.index("\nlock:") :]
    lock_rule = lock_rule[: lock_rule.index("\n\n")]
    for extra in project_requirements():
        if extra:
            assert f"--extra {extra}" in lock_rule, f"`make lock` does not lock the {extra!r} extra"
    assert "pip install --quiet -r $(LOCK)" in makefile and "pip install --quiet --no-deps -e ." in makefile
    assert re.search(r"^\$\(STAMP\):.*\bpyproject\.toml\b.*\$\(LOCK\)", makefile, re.M)
    assert "make lock" in LOCK.read_text().splitlines()[1]
