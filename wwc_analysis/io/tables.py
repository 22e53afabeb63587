"""Read a user's table (CSV, TSV or Excel) into text cells, keeping each row's line number.

Everything a person can get wrong about the file itself (encoding, binary or HTML content, an
empty file, a ragged row, a title above the header, a file far larger than any real one) is
caught here and reported as an InputError naming the file, the row and the limit or value. Cells
are read as categoricals of stripped text: a city's name on each of its 43 rows is held once.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..settings import MAX_COLUMNS, MAX_ROWS, max_input_bytes
from .excel import Sheet, checked, read_workbook

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_HEADER_BYTES = 1 << 20  # a header line longer than this is not a table's

RESPONSE_COLUMNS = ("city", "criterion")  # and `status` or `self_assessed`
OUTCOME_COLUMNS = ("city", "metric", "value")


@dataclass
class Table:
    """A table of stripped text cells with normalised column names and the source line of each row."""

    path: Path
    frame: pd.DataFrame  # categorical columns of text
    lines: np.ndarray  # line (CSV) or row (Excel) number of each frame row, 1-based
    sheet: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path}[{self.sheet}]" if self.sheet else str(self.path)

    def column(self, name: str) -> pd.Series:
        """A column's text (a categorical); blank where the table has no such column."""
        if name in self.frame:
            return self.frame[name]
        return pd.Series(pd.Categorical([""] * len(self.frame)), name=name)

    def error(self, position: int, problem: str, value: object = None) -> InputError:
        return InputError(self.label, int(self.lines[position]), problem, value)

    def refuse_first(self, problem: str, bad: np.ndarray | pd.Series, column: str = "") -> None:
        """Raise the error of the first row flagged in `bad`, naming its cell in `column`."""
        bad = np.asarray(bad, dtype=bool)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.error(i, problem, str(self.column(column).iloc[i]) if column else "")

    def per_cell(self, column: str, fn) -> np.ndarray:
        """`fn` of each row's cell in `column`, computed once per distinct cell."""
        cells = self.column(column)
        results = np.array([fn(c) for c in cells.cat.categories] + [fn("")], dtype=object)
        return results[cells.cat.codes.to_numpy()]


def normalise_header(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).replace("\ufeff", "").strip().lower())


def read_table(
    path: str | Path, required: tuple[str, ...], sheet: str | None = None, any_of: tuple[str, ...] = ()
) -> Table:
    """Read `path`, checking that the header holds every column in `required` (and one of `any_of`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "file not found")
    size = path.stat().st_size
    if size > max_input_bytes():
        raise InputError(
            path,
            None,
            f"file is too large ({size / 2**20:.0f} MB; the limit is {max_input_bytes() / 2**20:.0f} MB, "
            "set WWC_MAX_INPUT_MB to raise it)",
        )
    if size == 0:
        raise InputError(path, None, "file is empty")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_ZIP_MAGIC) or path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path, required, sheet, any_of)
    if head.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise InputError(path, None, "legacy .xls workbooks are not read; save it as .xlsx or CSV")
    return _read_text(path, required, any_of)


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError(path, line, "not a text table (binary content: a NUL byte)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            path, line, "not UTF-8 text (save the file as UTF-8 CSV)", raw[exc.start : exc.start + 4].hex(" ")
        ) from None


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=counts.get) if max(counts.values()) else ","


def _read_text(path: Path, required: tuple[str, ...], any_of: tuple[str, ...]) -> Table:
    raw = path.read_bytes()
    text = _decode(path, raw)
    if not text.strip():
        raise InputError(path, None, "file is empty")
    first = text.lstrip()[:200].lower()
    if first.startswith(("<!doctype", "<html", "<?xml", "<table", "<head", "<body")):
        raise InputError(path, 1, "looks like HTML or XML, not a CSV table", text.lstrip().splitlines()[0][:80])
    start = len(text) - len(text.lstrip("\r\n"))
    end = text.find("\n", start)
    header = text[start : end if end >= 0 else len(text)]
    if len(header) > _HEADER_BYTES:
        raise InputError(path, 1, f"the first line is over {_HEADER_BYTES // 2**20} MB long: not a table's header")
    sep = _separator(header)
    if header.count(sep) + 1 > MAX_COLUMNS:
        raise InputError(
            path,
            text[:start].count("\n") + 1,
            f"the header has {header.count(sep) + 1:,} columns, over the limit of {MAX_COLUMNS}",
        )
    if text.count("\n") > MAX_ROWS:
        raise InputError(path, None, f"the file has over {MAX_ROWS:,} lines, over the limit")
    data = io.BytesIO(text.encode("utf-8")) if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else io.BytesIO(raw)
    try:
        frame = pd.read_csv(
            data,
            sep=sep,
            dtype="category",
            keep_default_na=False,
            skip_blank_lines=False,
            header=None,
            encoding="utf-8-sig",
            engine="c",
        )
    except pd.errors.ParserError as exc:
        _ragged(path, text, sep, required, exc)
    except (pd.errors.EmptyDataError, UnicodeError) as exc:
        raise InputError(path, None, f"not a readable table ({exc})") from None
    return _finish(path, frame, _line_numbers(text, len(frame)), required, any_of, None)


def _ragged(path: Path, text: str, sep: str, required: tuple[str, ...], exc: Exception) -> None:
    """The error for a row pandas could not parse: a title line above the header, or a row of too many fields."""
    match = re.search(r"line (\d+), saw (\d+)", str(exc))
    if not match:
        raise InputError(path, None, f"not a readable table ({str(exc)[:120]})") from None
    line, lines = int(match.group(1)), text.splitlines()
    cells = {normalise_header(c) for c in lines[line - 1].split(sep)} if line <= len(lines) else set()
    if set(required) <= cells:
        raise InputError(
            path, line, f"the header must be the first row; remove the {line - 1} row(s) above it", lines[0]
        ) from None
    raise InputError(
        path,
        line,
        f"row has {match.group(2)} fields, more than the header",
        lines[line - 1][:80] if line <= len(lines) else "",
    ) from None


def _line_numbers(text: str, n_rows: int) -> np.ndarray:
    """Physical line of each parsed record (quoted cells may span lines)."""
    if '"' not in text or all(line.count('"') % 2 == 0 for line in text.splitlines()):
        return np.arange(1, n_rows + 1)
    starts, line, in_quotes, at_start = [], 1, False, True
    for ch in text:
        if at_start:
            starts.append(line)
            at_start = False
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == "\n":
            line += 1
            at_start = not in_quotes
    starts = starts[:n_rows] + list(range(line, line + max(0, n_rows - len(starts))))
    return np.asarray(starts)


def _read_excel(path: Path, required: tuple[str, ...], sheet: str | None, any_of: tuple[str, ...]) -> Table:
    sheets = read_workbook(path)
    if sheet is None:
        sheet = pick_sheet(path, sheets, _sheet_names(required))
    elif sheet not in sheets:
        raise InputError(path, None, "workbook has no such sheet", sheet)
    chosen = checked(path, sheets[sheet])
    return _finish(path, chosen.frame, np.arange(1, len(chosen.frame) + 1), required, any_of, sheet)


def pick_sheet(path: Path, sheets: dict[str, Sheet], names: tuple[str, ...]) -> str:
    """The sheet named for its contents, or the one visible sheet; a hidden one is never picked in silence."""
    named = [n for n in sheets if normalise_header(n) in names]
    visible = [n for n in sheets if not sheets[n].hidden]
    if named:
        return named[0]  # refused by `checked` if hidden
    if len(visible) == 1:
        return visible[0]
    raise InputError(
        path,
        None,
        f"workbook has several sheets and none is named for its contents ({', '.join(names)})",
        ", ".join(sheets),
    )


def _sheet_names(required: tuple[str, ...]) -> tuple[str, ...]:
    if "metric" in required:
        return ("outcomes", "outcome_metrics")
    if "status" in required and "criterion" in required and "city" not in required:
        return ("plan",)
    return ("responses", "criteria", "assessment")


def _stripped(column: pd.Series) -> pd.Categorical:
    """A column as a categorical of stripped text (cells that strip to the same text share one category)."""
    cat = column.astype("category") if not isinstance(column.dtype, pd.CategoricalDtype) else column
    cats = pd.Index(cat.cat.categories.astype(str)).str.strip()
    merged, uniques = pd.factorize(cats)
    codes = cat.cat.codes.to_numpy()
    return pd.Categorical.from_codes(np.where(codes >= 0, merged[codes], -1), categories=uniques)


def _finish(
    path: Path,
    frame: pd.DataFrame,
    lines: np.ndarray,
    required: tuple[str, ...],
    any_of: tuple[str, ...],
    sheet: str | None,
) -> Table:
    frame = pd.DataFrame({i: _stripped(frame[c]) for i, c in enumerate(frame.columns)})
    label = f"{path}[{sheet}]" if sheet else str(path)
    if frame.shape[1] > MAX_COLUMNS:
        raise InputError(label, None, f"the table has {frame.shape[1]:,} columns, over the limit of {MAX_COLUMNS}")
    filled = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:  # a cell is filled when it holds text (blank categories and missing cells do not)
        blank = np.append(frame[c].cat.categories == "", True)
        filled |= ~blank[frame[c].cat.codes.to_numpy()]
    if not filled.any():
        raise InputError(label, None, "file is empty")
    rows = np.flatnonzero(filled)
    header = [normalise_header(h) for h in frame.iloc[rows[0]].astype(object)]
    wanted = list(required) + ([any_of[0]] if any_of and not set(any_of) & set(header) else [])
    missing = [c for c in wanted if c not in header]
    if missing:
        for later in rows[1:6]:
            if all(c in [normalise_header(h) for h in frame.iloc[later].astype(object)] for c in required):
                raise InputError(
                    label,
                    int(lines[later]),
                    f"the header must be the first row; remove the {later - rows[0]} row(s) above it",
                    frame.iloc[rows[0]].iloc[0],
                )
        found = ", ".join(h for h in header if h) or "none"
        need = missing[0] if missing[0] not in any_of else " or ".join(any_of)
        raise InputError(label, int(lines[rows[0]]), f"missing column '{need}' (found: {found})", need)
    dupes = [h for h in header if h and header.count(h) > 1]
    if dupes:
        raise InputError(label, int(lines[rows[0]]), "column named twice", dupes[0])
    body = rows[1:]
    if not len(body):
        raise InputError(label, int(lines[rows[0]]), "table has a header but no rows", ", ".join(header))
    out = frame.iloc[body].reset_index(drop=True)
    out.columns = [h or f"unnamed_{i}" for i, h in enumerate(header)]
    for c in out.columns:
        out[c] = out[c].cat.remove_unused_categories()
    return Table(path=path, frame=out, lines=np.asarray(lines)[body], sheet=sheet)


def parse_years(table: Table, missing: int) -> pd.arrays.IntegerArray:
    """The `year` of each row, `missing` where blank or absent; each distinct cell checked once."""
    if "year" not in table.frame:
        return pd.array(np.full(len(table.frame), missing), dtype="Int64")
    cells = table.column("year")
    cats = pd.Series(cells.cat.categories.astype(str))
    years = pd.to_numeric(cats.str.replace(r"\.0$", "", regex=True), errors="coerce")
    bad = (cats != "") & (years.isna() | (years % 1 != 0) | (years < 2000) | (years > 2100))
    codes = cells.cat.codes.to_numpy()
    table.refuse_first("year must be a four-digit year", np.append(bad.to_numpy(), False)[codes], "year")
    values = np.append(years.fillna(missing).to_numpy(dtype=np.int64), missing)[codes]
    return pd.array(values, dtype="Int64")


def tables_to_validate(path: str | Path) -> list[tuple[str, Table]]:
    """Every table a command would read from `path`: ("responses" | "outcomes", table) pairs.

    A workbook gives its responses sheet and its outcomes sheet where it has them; a CSV is
    one or the other, told by its header (a `metric` column means outcome values).
    """
    path = Path(path)
    first = read_table(path, ("city",))
    if first.sheet is None:
        if "metric" in first.frame.columns:
            return [("outcomes", read_table(path, OUTCOME_COLUMNS))]
        return [("responses", read_table(path, RESPONSE_COLUMNS, any_of=("status", "self_assessed")))]
    names = {normalise_header(n): n for n in read_workbook(path)}
    out = []
    for kind, required in (("responses", RESPONSE_COLUMNS), ("outcomes", OUTCOME_COLUMNS)):
        sheet = next((names[n] for n in _sheet_names(required) if n in names), None)
        if sheet is not None:
            any_of = ("status", "self_assessed") if kind == "responses" else ()
            out.append((kind, read_table(path, required, sheet, any_of)))
    if not out:
        kind = "outcomes" if "metric" in first.frame.columns else "responses"
        out.append((kind, read_table(path, OUTCOME_COLUMNS if kind == "outcomes" else RESPONSE_COLUMNS, first.sheet)))
    return out


def table_from_frame(
    frame: pd.DataFrame, source: str | Path, required: tuple[str, ...] = (), any_of: tuple[str, ...] = ()
) -> Table:
    """A Table over an in-memory frame (a Parquet file's, an imported report's), checked as a CSV file would be:
    its column names are the header (row 1), its rows are numbered from 2."""
    cells = frame.astype(object).where(frame.notna(), "").astype(str)
    with_header = pd.DataFrame([list(map(str, frame.columns)), *cells.to_numpy().tolist()], dtype=object)
    return _finish(Path(str(source)), with_header, np.arange(1, len(cells) + 2), required, any_of, None)
