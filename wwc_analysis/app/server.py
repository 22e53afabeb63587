"""The planning panel as a web app: notebooks/plan.ipynb served by Voilà on 127.0.0.1, without code.

`python -m wwc_analysis.app` serves it until Ctrl-C; `serve()` runs it for a test, bounded in time.
One kernel per page, at most MAX_KERNELS, culled once the page is gone; the page links nothing
outside the app and a content security policy enforces it."""

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

from ..settings import notebooks_dir, project_dir

HOST = "127.0.0.1"
MAX_KERNELS = 6
CULL_IDLE = 60  # seconds a kernel whose page is closed is kept
CULL_EVERY = 15  # seconds between two looks for such kernels
SHARE = Path(__file__).resolve().parent / "share"  # a Jupyter data folder holding the app's Voilà template
POLICY = (
    "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; connect-src 'self' ws: wss:; "
    "img-src 'self' data: blob:; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)
HEADERS = {"Content-Security-Policy": POLICY, "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


def voila_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("voila", "ipywidgets"))


# `python -m voila`, with jsonschema loaded first without its IRI grammars (see reports/notebook_libs.py).
_VOILA = "import sys; from wwc_analysis.app.server import run_voila; sys.exit(run_voila(sys.argv[1:]))"


def run_voila(argv: list[str]) -> int:
    """Voilà's own command with the settings a command line cannot carry: the headers, and the hook that gives
    each page its `_xsrf` cookie (so a page closed normally shuts its kernel down at once)."""
    from traitlets.config import Config

    from ..reports.notebook_libs import load_jsonschema

    load_jsonschema()
    from voila.app import Voila

    from .kernels import give_xsrf_cookie

    config = Config()
    config.Voila.tornado_settings = {"headers": HEADERS}
    config.VoilaConfiguration.prelaunch_hook = give_xsrf_cookie
    config.VoilaConfiguration.file_allowlist = []  # no file is served: the page needs none
    sys.argv[0] = "voila"
    Voila.launch_instance(argv, config=config)
    return 0


def command(
    port: int,
    notebook: Path | None = None,
    max_kernels: int = MAX_KERNELS,
    cull_idle: int = CULL_IDLE,
    cull_every: int = CULL_EVERY,
) -> list[str]:
    """The Voilà command line: local only, sources stripped, bounded kernels culled when their page is gone, the
    app's own template only (a visitor cannot pick another), no files served, nothing fetched from elsewhere."""
    return [
        sys.executable,
        "-c",
        _VOILA,
        str(notebook or notebooks_dir() / "plan.ipynb"),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--theme=light",
        "--template=wwc",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.multi_kernel_manager_class=wwc_analysis.app.kernels.BoundedKernelManager",
        f"--BoundedKernelManager.max_kernels={max_kernels}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={cull_every}",
        "--MappingKernelManager.cull_connected=False",
        "--VoilaConfiguration.show_tracebacks=False",
    ]


def environment() -> dict[str, str]:
    """The server's environment (its kernels inherit it): marks the app, keeps the package importable."""
    # One view per kernel: a kernel need not echo a page's widget changes to other views (ipywidgets' echo),
    # and must not show a crafted message's values back on the page that sent them.
    env = {**os.environ, "WWC_PANEL_APP": "1", "MPLBACKEND": "Agg", "JUPYTER_WIDGETS_ECHO": "0"}
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(SHARE), env.get("JUPYTER_PATH", "")) if p)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "voila/api/shutdown", timeout=2) as response:  # a cheap page: no kernel
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


@contextlib.contextmanager
def serve(port: int | None = None, timeout: float = 60.0, log: Path | None = None, **options) -> Iterator[str]:
    """Start the app, yield its URL once it answers (or raise TimeoutError), and always stop it."""
    port = port or free_port()
    url = f"http://{HOST}:{port}/"
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        command(port, **options),
        env=environment(),
        cwd=str(project_dir()),
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
    parser = argparse.ArgumentParser(prog="python -m wwc_analysis.app.server", description=__doc__)
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--max-kernels", type=int, default=MAX_KERNELS, help="page views served at once")
    args = parser.parse_args(argv)
    if not voila_available():
        print("the app needs the 'app' extra: pip install 'wwc-analysis[app]'", file=sys.stderr)
        return 2
    print(f"Planning app: http://{HOST}:{args.port}/ (Ctrl-C stops it)")
    return subprocess.call(command(args.port, max_kernels=args.max_kernels), env=environment(), cwd=str(project_dir()))


if __name__ == "__main__":
    sys.exit(main())
