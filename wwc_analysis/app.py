"""The planning panel as a web app: notebooks/plan.ipynb served by Voilà on 127.0.0.1, without code.

`python -m wwc_analysis.app [--port N]` (or `make app`) serves it until Ctrl-C; `serve()`
starts it for a test, waits a bounded time for it to answer, and always stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from .paths import PROJECT_ROOT

NOTEBOOK = PROJECT_ROOT / "notebooks" / "plan.ipynb"
HOST = "127.0.0.1"


def voila_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("voila", "ipywidgets"))


# `python -m voila`, with jsonschema loaded first without its IRI grammars (reports/notebook_libs.py):
# the server then starts in about 1 s instead of 5.
_VOILA = (
    "import sys; from wwc_analysis.reports.notebook_libs import load_jsonschema; load_jsonschema(); "
    "from voila.app import main; sys.argv[0] = 'voila'; sys.exit(main())"
)


def command(port: int, notebook: Path = NOTEBOOK) -> list[str]:
    """The Voilà command line: local only, sources stripped, no browser, exactly this port."""
    return [
        sys.executable,
        "-c",
        _VOILA,
        str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--theme=light",
    ]


def environment() -> dict[str, str]:
    """The server's environment (its kernels inherit it): marks the app, keeps the package importable."""
    env = {**os.environ, "WWC_PANEL_APP": "1", "MPLBACKEND": "Agg"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def serve(port: int | None = None, timeout: float = 60.0, log: Path | None = None) -> Iterator[str]:
    """Start the app, yield its URL once it answers (or raise TimeoutError), and always stop it."""
    port = port or free_port()
    url = f"http://{HOST}:{port}/"
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        command(port),
        env=environment(),
        cwd=str(PROJECT_ROOT),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while not _answers(url):
            if proc.poll() is not None:
                raise RuntimeError(f"voila exited with status {proc.returncode} before serving {url}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"voila did not answer on {url} within {timeout:.0f} s")
            time.sleep(0.3)
        yield url
    finally:
        stop(proc)
        if log:
            out.close()


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop the server and its kernels (its whole process group): politely, then for good."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(grace)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wwc_analysis.app", description=__doc__)
    parser.add_argument("--port", type=int, default=8866)
    args = parser.parse_args(argv)
    if not voila_available():
        print("the app needs the 'app' extra: pip install -e '.[app]'", file=sys.stderr)
        return 2
    print(f"Planning panel: http://{HOST}:{args.port}/ (Ctrl-C stops it)")
    return subprocess.call(command(args.port), env=environment(), cwd=str(PROJECT_ROOT))


if __name__ == "__main__":
    sys.exit(main())
