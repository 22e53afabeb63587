"""`python -m wwc_analysis` runs the `wwc` command line."""

from .cli import main_exit

main_exit()
