"""Run a parameterised notebook in a kernel that stays warm between runs.

Start-up and imports dominate a short report, so a worker runs notebook after notebook in one kernel:
each run clears its namespace (modules stay imported) and works in its own folder. The executed notebook
is cleaned of what varies between runs (timings, execution counts), so the same inputs give the same bytes.
The notebook libraries are imported on first use, so planning a batch does not load them.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import signal
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import WWCError
from ..io.atomic import write_file
from .notebook_libs import load_jsonschema

if TYPE_CHECKING:
    from nbformat import NotebookNode

KERNEL = "python3"
WARM_UP = (
    "import pandas, IPython.display, wwc_analysis.reports.charts, wwc_analysis.reports.city_report, "
    "wwc_analysis.reports.overview, wwc_analysis.reports.reader_tables, wwc_analysis.reports.summary"
)
# Seconds the last run spent drawing and saving charts, read from the kernel as it leaves the run's folder.
CHART_SECONDS = "__import__('wwc_analysis.reports.charts', fromlist=['take_seconds']).take_seconds()"
# No output cache (Out, _1, ...: nothing to collect on each reset) and history in memory (no disk writes).
KERNEL_ARGS = ["--InteractiveShell.cache_size=0", "--HistoryManager.hist_file=:memory:"]
_RESET_TAG = "wwc-reset"
# The last run's names forgotten before the next (what %reset does, less its full garbage collection, 80 ms a run;
# Python's own collector takes the cycles later). Charts are Figures: there is no pyplot state to reset.
_FORGET = (
    "_shell = get_ipython()\n"
    "for _n in [n for n in _shell.user_ns if n[0] != '_' and n not in _shell.user_ns_hidden]:\n"
    "    del _shell.user_ns[_n]\n"
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TIMEOUT = 600  # seconds a cell may run
KERNEL_DIED = "the notebook's kernel died"
# What papermill records of one run: dropped from the notebook's metadata.
RUN_METADATA = "start_time end_time duration exception input_path output_path environment_variables version".split()


class NotebookFailed(WWCError):
    """A notebook cell raised; the message is the error's last line, `notebook` the run up to the error."""

    def __init__(self, message: str, notebook: NotebookNode | None = None):
        super().__init__(message)
        self.notebook = notebook


class WarmKernel:
    """One kernel kept alive for many notebook runs (not thread-safe: one per worker process)."""

    def __init__(self, kernel_name: str = KERNEL):
        self.kernel_name = kernel_name
        self.km = self.kc = None
        self.chart_seconds = 0.0  # spent drawing charts in the last run

    def start(self) -> None:
        """Start the kernel and import what the reports need (the warm-up)."""
        self.launch()
        self.wait()

    def launch(self) -> None:
        """Start the kernel's process; `wait` for it (the caller may do other work while it boots)."""
        from jupyter_client.manager import KernelManager

        # IPC sockets in a private folder: no TCP ports to collide between parallel kernels.
        self._sockets = tempfile.mkdtemp(prefix="wwc-kernel-")
        self.km = KernelManager(kernel_name=self.kernel_name, transport="ipc", ip=os.path.join(self._sockets, "k"))

        env = {**os.environ, "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
        self.km.start_kernel(cwd=self._sockets, env=env, extra_arguments=KERNEL_ARGS)
        self.kc = self.km.client()
        self.kc.start_channels()

    def wait(self) -> None:
        """Wait until the launched kernel answers, and import what the reports need (the warm-up)."""
        self.kc.wait_for_ready(timeout=60)
        self.kc.execute_interactive(WARM_UP, timeout=120, store_history=False)

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        if getattr(self, "_sockets", None):
            shutil.rmtree(self._sockets, ignore_errors=True)
        self.km = self.kc = None

    def kill(self) -> None:
        """End the kernel's process at once, without jupyter_client (whose shutdown can hang in a dying worker)."""
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):  # already gone
                os.kill(pid, signal.SIGKILL)
        if getattr(self, "_sockets", None):
            shutil.rmtree(self._sockets, ignore_errors=True)

    def run(self, nb: NotebookNode, cwd: Path) -> NotebookNode:
        """Execute `nb` with `cwd` as its working folder; raise NotebookFailed on a cell error."""
        load_jsonschema()
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, DeadKernelError

        if not self.alive():
            self.stop()
            self.start()
        nb = copy.deepcopy(nb)
        reset = nbformat.v4.new_code_cell(_FORGET + f"import os as _os\n_os.chdir({str(cwd)!r}); del _os")
        reset.metadata["tags"] = [_RESET_TAG]
        nb.cells.insert(0, reset)
        client = NotebookClient(
            nb, km=self.km, kernel_name=self.kernel_name, timeout=TIMEOUT, record_timing=False, allow_errors=False
        )
        client.kc = _Watched(self.kc, self.alive)
        try:
            client.execute(cleanup_kc=False)
        except CellExecutionError as exc:
            raise NotebookFailed(_last_line(exc), clean(nb)) from None
        except DeadKernelError:
            self.kill()
            self.km = self.kc = None
            raise NotebookFailed(KERNEL_DIED) from None
        finally:
            self._leave(cwd)
        return clean(nb)

    def _leave(self, cwd: Path) -> None:
        """Move the kernel out of the run's folder, which is about to be renamed or removed; read its chart time."""
        self.chart_seconds = 0.0
        if self.kc is not None and self.alive():
            reply = self.kc.execute_interactive(
                f"import os as _os; _os.chdir({self._sockets!r}); del _os",
                store_history=False,
                timeout=30,
                user_expressions={"charts": CHART_SECONDS},
            )
            self.chart_seconds = _float_expression(reply, "charts")


class _Watched:
    """A kernel client whose waits for a message check, each second, that the kernel still lives: nbclient on its
    own would wait for a kernel killed mid-cell until the cell's time-out, or for ever."""

    def __init__(self, client, alive):
        self._client, self._alive = client, alive

    def __getattr__(self, name: str):
        value = getattr(self._client, name)
        return _WatchedChannel(value, self._alive) if name.endswith("_channel") else value


class _WatchedChannel:
    def __init__(self, channel, alive):
        self._channel, self._alive = channel, alive

    def __getattr__(self, name: str):
        return getattr(self._channel, name)

    def get_msg(self, timeout: float | None = None, **kwargs):
        """The next message within `timeout` seconds (None: no limit), checking each second that the kernel lives."""
        import queue
        import time

        from nbclient.exceptions import DeadKernelError

        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = 1.0 if deadline is None else min(1.0, max(0.0, deadline - time.monotonic()))
            try:
                return self._channel.get_msg(timeout=left, **kwargs)
            except queue.Empty:
                if not self._alive():
                    raise DeadKernelError("the kernel died") from None
                if deadline is not None and time.monotonic() >= deadline:
                    raise


def _float_expression(reply: dict, name: str) -> float:
    """A user expression of an execute reply as a number (0 when it could not be evaluated)."""
    value = reply.get("content", {}).get("user_expressions", {}).get(name, {})
    try:
        return float(value.get("data", {}).get("text/plain", "0"))
    except ValueError:
        return 0.0


def _last_line(exc: Exception) -> str:
    """The error a cell raised, in one line: the package's own errors by their message alone (they are written for
    readers), anything else with its type."""
    ename, evalue = getattr(exc, "ename", ""), getattr(exc, "evalue", "")
    if ename in {cls.__name__ for cls in (WWCError, *WWCError.__subclasses__())}:
        return evalue
    if ename:
        return f"{ename}: {evalue}"
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


def parameterise(template: Path, parameters: dict[str, Any]) -> NotebookNode:
    """The template with an injected-parameters cell after its `parameters` cell, as papermill writes it."""
    load_jsonschema()
    from papermill.parameterize import parameterize_notebook

    template = Path(template)
    nb = copy.deepcopy(_template(template, template.stat().st_mtime_ns))  # papermill edits the notebook it is given
    return parameterize_notebook(nb, parameters, report_mode=False)


@lru_cache(maxsize=8)
def _template(path: Path, mtime_ns: int) -> NotebookNode:
    """A template notebook, read once per process (and again when the file changes)."""
    load_jsonschema()
    from papermill.iorw import load_notebook_node

    return load_notebook_node(str(path))


def clean(nb: NotebookNode) -> NotebookNode:
    """Drop the reset cell and run-specific metadata; number executions 1, 2, ... as a fresh kernel would."""
    nb.cells = [c for c in nb.cells if _RESET_TAG not in c.get("metadata", {}).get("tags", [])]
    count = 0
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = count
            output.get("data", {}).pop(WIDGET_VIEW, None)  # a random model id; the text/plain form stays
    papermill = nb.metadata.get("papermill", {})
    for key in RUN_METADATA:
        papermill.pop(key, None)
    nb.metadata.get("widgets", None) and nb.metadata.pop("widgets")
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": KERNEL}
    lang = nb.metadata.get("language_info", {})
    nb.metadata["language_info"] = {"name": lang.get("name", "python")}  # no interpreter version
    return nb


def write_notebook(nb: NotebookNode) -> str:
    """The notebook as saved: nbformat's JSON and a final newline."""
    load_jsonschema()
    import nbformat

    return nbformat.writes(nb) + "\n"


def execute_in_place(path: Path) -> None:
    """Execute a committed notebook with its default parameters and save it with its outputs."""
    load_jsonschema()
    import nbformat

    kernel = WarmKernel()
    try:
        nb = kernel.run(nbformat.read(path, as_version=4), path.parent.resolve())
    finally:
        kernel.stop()
    write_file(path, write_notebook(nb))


if __name__ == "__main__":
    for name in sys.argv[1:]:
        execute_in_place(Path(name))
        print(f"executed {name}")
