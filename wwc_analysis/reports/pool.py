"""Reports on several worker processes that the batch watches: a worker that dies fails its report, not the run.

Each worker (see `worker`) is handed one job at a time. A worker that dies (killed, out of memory), or whose
report runs past its deadline, fails the report it held, and a new worker takes its place for the rest.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import wait

from .build import Job, Result

JOB_DEADLINE = 900  # seconds a report may take on a worker before the worker is stopped
WORKER_DIED = "the report's worker process died"


def _serve(tasks, results, parent: int) -> None:
    """A worker process: run the jobs it is handed until it is handed None, or until the batch is gone."""
    from .worker import kill_worker, run_job, stop_worker

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch decides when its workers stop

    def watch() -> None:  # the batch was killed: leave rather than work for nobody
        while os.getppid() == parent:
            time.sleep(1.0)
        kill_worker()
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    try:
        for job, out in iter(tasks.get, None):
            try:
                results.send(run_job(job, out))
            except Exception as exc:  # one city's failure must not stop the worker
                results.send(Result(job, False, f"{type(exc).__name__}: {exc}"))
    finally:
        stop_worker()


@dataclass
class _Slot:
    process: multiprocessing.Process
    tasks: object
    results: object
    job: Job | None = None
    started: float = 0.0


def _start(context) -> _Slot:
    tasks = context.SimpleQueue()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_serve, args=(tasks, send, os.getpid()), daemon=True)
    process.start()
    send.close()
    return _Slot(process, tasks, receive)


def _stop(slot: _Slot, now: bool = False) -> None:
    """Stop a worker: politely when idle (it stops its kernel and Chromium), at once when it holds a job (its kernel
    then leaves by itself: it watches its parent)."""
    if slot.process.is_alive() and not now:
        slot.tasks.put(None)
        slot.process.join(30)
    if slot.process.is_alive():
        slot.process.kill()
    slot.process.join(5)


def run_pool(
    jobs: Iterable[Job], out: str, workers: int, done: Callable[[Result], None], deadline: float = JOB_DEADLINE
) -> None:
    """Run every job on `workers` processes, calling `done` with each result as it comes."""
    queue = list(jobs)
    context = multiprocessing.get_context("spawn")
    slots = [_start(context) for _ in range(min(workers, len(queue)))]
    try:
        while queue or any(s.job for s in slots):
            for slot in slots:
                if slot.job is None and queue:
                    slot.job, slot.started = queue.pop(0), time.monotonic()
                    slot.tasks.put((slot.job, out))
            busy = [s for s in slots if s.job]
            ready = wait([s.results for s in busy] + [s.process.sentinel for s in busy], timeout=1.0)
            for i, slot in enumerate(slots):
                if slot.job is None:
                    continue
                if slot.results in ready:
                    try:
                        result = slot.results.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is not None:
                        slot.job = None
                        done(result)
                        continue
                late = time.monotonic() - slot.started > deadline
                if slot.process.sentinel in ready or not slot.process.is_alive() or late:
                    why = f"the report did not finish within {deadline:.0f} s" if late else WORKER_DIED
                    done(Result(slot.job, False, why, time.monotonic() - slot.started))
                    _stop(slot, now=True)
                    slots[i] = _start(context) if queue else _Slot(slot.process, slot.tasks, slot.results)
    finally:
        for slot in slots:
            _stop(slot, now=not slot.process.is_alive() or slot.job is not None)
