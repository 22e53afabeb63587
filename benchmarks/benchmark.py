"""Measure the workbench's speed on this machine: `python benchmarks/benchmark.py --help`.

A thin wrapper over `wwc benchmark`, so the figures in the README can be reproduced
without remembering the command line.
"""

import sys

from wwc_analysis.benchmark import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
