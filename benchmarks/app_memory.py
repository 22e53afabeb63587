"""Memory per session of the planning app: start it, open N pages, and print what each page's kernel adds.

    python benchmarks/app_memory.py [--pages 4]

Each page is fetched whole over HTTP (as a browser does first: Voilà starts the page's kernel and runs
the notebook before the page is sent), so no browser is needed. For each kernel the script prints its
resident memory (RSS) and the part no other process shares (USS), and the growth of the whole app
(server and kernels) per page. The kernels are stopped with the server at the end.
"""

from __future__ import annotations

import argparse
import time
import urllib.request

import psutil

from wwc_analysis.app.server import serve

MB = 2**20


def _server(port: int) -> psutil.Process:
    """The Voilà process serving on `port` (started by `serve`)."""
    for proc in psutil.process_iter(["cmdline"]):
        if f"--port={port}" in (proc.info["cmdline"] or []):
            return proc
    raise RuntimeError(f"no server process found for port {port}")


def _tree_rss(server: psutil.Process) -> int:
    return sum(p.memory_info().rss for p in [server, *server.children(recursive=True)])


def _kernels(server: psutil.Process) -> list[psutil.Process]:
    return [p for p in server.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]


def measure(pages: int = 4) -> list[dict]:
    """Open `pages` pages one after the other; per page: the kernel's RSS and USS, and the app's growth (bytes)."""
    rows = []
    with serve(timeout=120, max_kernels=pages + 1, cull_idle=3600) as url:
        server = _server(int(url.rstrip("/").rsplit(":", 1)[1]))
        before = _tree_rss(server)
        seen: set[int] = set()
        for n in range(1, pages + 1):
            start = time.perf_counter()
            with urllib.request.urlopen(url, timeout=300) as reply:
                reply.read()
            took = time.perf_counter() - start
            time.sleep(1)  # let the kernel settle after running the notebook
            new = [k for k in _kernels(server) if k.pid not in seen]
            if len(new) != 1:
                raise RuntimeError(f"expected one new kernel after page {n}, found {len(new)}")
            kernel = new[0]
            seen.add(kernel.pid)
            total = _tree_rss(server)
            rows.append(
                {
                    "page": n,
                    "seconds": took,
                    "kernel_rss": kernel.memory_info().rss,
                    "kernel_uss": kernel.memory_full_info().uss,
                    "app_growth": total - before,
                }
            )
            before = total
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=4, help="pages opened one after the other (default 4)")
    args = parser.parse_args(argv)
    rows = measure(args.pages)
    print("page  load s  kernel RSS MB  kernel USS MB  app grew MB")
    for r in rows:
        print(
            f"{r['page']:>4}  {r['seconds']:6.1f}  {r['kernel_rss'] / MB:13.0f}  {r['kernel_uss'] / MB:13.0f}  "
            f"{r['app_growth'] / MB:11.0f}"
        )
    mean = sum(r["app_growth"] for r in rows) / len(rows) / MB
    uss = sum(r["kernel_uss"] for r in rows) / len(rows) / MB
    print(f"per session: the app grows by {mean:.0f} MB on average ({uss:.0f} MB of it the kernel's own)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
