"""Plans as files: the changes a city means to make, with an owner, a due date and a note each.

A plan is a CSV file (or a workbook's `plan` sheet) with the columns `criterion` (or an outcome metric
code), `status` (Yes / In Progress / No; met / not met / a value for a metric), `owner`, `due` (YYYY-MM-DD)
and `note`, and optionally the `city` and `year` it was made for (without them it fits any city). A bad
row is refused with the file, row and value.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.changes import Plan, parse_change
from ..analysis.identity import city_key, display_name
from ..errors import InputError
from ..rules.standard import Standard
from .atomic import write_file
from .export import to_csv_text, to_xlsx_bytes
from .tables import read_table

COLUMNS = ("city", "year", "criterion", "status", "owner", "due", "note")
SHEET = "plan"


def load_plan(path: str | Path, standard: Standard, shown: str | None = None) -> Plan:
    """Read and check a plan file (CSV, or the `plan` sheet of a workbook); `shown` names it in errors."""
    table = read_table(path, ("criterion", "status"))
    label = shown or table.label
    cells = {c: table.column(c).astype(object).to_numpy() for c in COLUMNS}
    changes, seen = [], {}
    for i in range(len(table.frame)):
        line = int(table.lines[i])
        code = cells["criterion"][i]
        if not code:
            raise InputError(label, line, "criterion is blank", "")
        meta = {k: cells[k][i] for k in ("owner", "due", "note")}
        change = parse_change(code, cells["status"][i], standard, label, line, **meta)
        if change.code in seen:
            raise InputError(label, line, f"listed twice in the plan (first on row {seen[change.code]})", code)
        seen[change.code] = line
        changes.append(change)
    return Plan(tuple(changes), *_made_for(cells, label), source=label)


def _made_for(cells: dict, label: str) -> tuple[str | None, int | None]:
    """The one city and year a plan names (None where it names none); a plan naming two cities is refused."""
    cities = {city_key(c): c for c in cells["city"] if c}
    years = {y for y in cells["year"] if y}
    if len(cities) > 1 or len(years) > 1:
        raise InputError(
            label, None, "a plan is for one city and year; this one names several", ", ".join(cities.values())
        )
    year = next(iter(years), None)
    if year is not None and not str(year).isdigit():
        raise InputError(label, None, "year must be a four-digit year", year)
    return (display_name(next(iter(cities.values()))) if cities else None), (int(year) if year else None)


def plan_frame(plan: Plan) -> pd.DataFrame:
    """The plan as a table with the file's columns."""
    rows = [
        {
            "city": plan.city or "",
            "year": plan.year or "",
            "criterion": c.code,
            "status": c.file_text,
            "owner": c.owner,
            "due": c.due.isoformat() if c.due else "",
            "note": c.note,
        }
        for c in plan.changes
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(str)


def plan_bytes(plan: Plan, suffix: str) -> bytes:
    """A plan as the bytes of a CSV file, or of an Excel workbook with one `plan` sheet (suffix .xlsx)."""
    if suffix.lower() in (".xlsx", ".xlsm"):
        return to_xlsx_bytes({SHEET: plan_frame(plan)})
    return to_csv_text(plan_frame(plan)).encode("utf-8")


def write_plan(plan: Plan, path: str | Path) -> Path:
    """Write a plan as CSV, or as an Excel workbook with one `plan` sheet (by the file's suffix)."""
    path = Path(path)
    return write_file(path, plan_bytes(plan, path.suffix))
