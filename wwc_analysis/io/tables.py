"""Read a user's table (CSV, TSV or Excel) into text cells, keeping each row's line number.

What a person can get wrong about the file itself (encoding, binary or HTML content, a ragged row, a
title above the header, a huge file, a control character) is an InputError naming the file, row and
limit or value; limits are checked before parsing. Cells are categoricals of stripped text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..settings import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, max_input_bytes
from .excel import Sheet, checked, normalise_header, pick_sheet, read_workbook, sheet_names

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_HEADER_CHARS = 100_000  # a header line longer than this is not a table's (200 columns of 500 characters)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # control characters but tab and line ends

RESPONSE_COLUMNS = ("city", "criterion")  # and `status` or `self_assessed`
_STATUS_COLUMNS = ("status", "self_assessed")
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
        return pd.Series(pd.Categorical.from_codes(np.zeros(len(self.frame), np.int8), [""]), name=name)

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


def read_table(
    path: str | Path, required: tuple[str, ...], sheet: str | None = None, any_of: tuple[str, ...] = ()
) -> Table:
    """Read `path`, checking that the header holds every column in `required` (and one of `any_of`)."""
    path = Path(path)
    check_file(path)
    try:
        if is_workbook(path):
            return _excel_table(path, read_workbook(path), required, sheet, any_of)
        return _read_text(path, required, any_of)
    except MemoryError:
        raise out_of_memory(path) from None


def out_of_memory(path: str | Path) -> InputError:
    """The error for a file that needed more memory than the machine has."""
    return InputError(
        path, None, "reading the file needs more memory than this machine has; split it into smaller files"
    )


def check_file(path: Path) -> None:
    """Refuse a file that is missing, empty, over the size limit, or a legacy .xls workbook."""
    if not path.is_file():
        raise InputError(path, None, "file not found")
    size = path.stat().st_size
    if size > max_input_bytes():
        limit = f"the limit is {max_input_bytes() / 2**20:.0f} MB, set WWC_MAX_INPUT_MB to raise it"
        raise InputError(path, None, f"file is too large ({size / 2**20:.0f} MB; {limit})")
    if size == 0:
        raise InputError(path, None, "file is empty")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE_MAGIC) or (path.suffix.lower() == ".xls" and not head.startswith(_ZIP_MAGIC)):
        raise InputError(path, None, "legacy .xls workbooks are not read; save it as .xlsx or CSV")


def is_workbook(path: Path) -> bool:
    """Whether `path` is read as an Excel workbook (by its suffix, or a zip package's first bytes)."""
    with path.open("rb") as fh:
        return fh.read(4) == _ZIP_MAGIC or path.suffix.lower() in EXCEL_SUFFIXES


def _decode(path: Path, raw: bytes) -> str:
    """The file's text (UTF-8, or UTF-16 with its byte-order mark); a NUL byte anywhere is binary content."""
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in raw:
        raise _binary(path, raw[: raw.index(b"\x00")].count(b"\n") + 1)
    try:
        text = raw.decode("utf-16") if utf16 else raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            path, line, "not UTF-8 text (save the file as UTF-8 CSV)", raw[exc.start : exc.start + 4].hex(" ")
        ) from None
    if "\x00" in text:
        raise _binary(path, text[: text.index("\x00")].count("\n") + 1)
    return text


def _binary(path: Path, line: int) -> InputError:
    return InputError(path, line, "not a text table (binary content: a NUL byte)")


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=counts.get) if max(counts.values()) else ","


def _read_text(path: Path, required: tuple[str, ...], any_of: tuple[str, ...]) -> Table:
    raw = path.read_bytes()
    text = _decode(path, raw)
    if not text.strip():
        raise InputError(path, None, "file is empty")
    opening = text[:_HEADER_CHARS].lstrip()  # the checks below read the start of the file only
    if opening[:200].lower().startswith(("<!doctype", "<html", "<?xml", "<table", "<head", "<body")):
        raise InputError(path, 1, "looks like HTML or XML, not a CSV table", opening.splitlines()[0][:80])
    start = re.match(r"[\r\n]*", text).end()
    end = text.find("\n", start)
    header = text[start : end if end >= 0 else len(text)]
    sep = _separator(header[:_HEADER_CHARS])
    row, columns = text[:start].count("\n") + 1, header.count(sep) + 1
    if len(header) > _HEADER_CHARS:
        raise InputError(
            path, row, f"the first line is {len(header):,} characters long, over the limit of {_HEADER_CHARS:,}"
        )
    if columns > MAX_COLUMNS:
        raise InputError(path, row, f"the header has {columns:,} columns, over the limit of {MAX_COLUMNS}")
    lines = max(1, text.count("\n"))
    if lines > MAX_ROWS:
        raise InputError(path, None, f"the file has {lines:,} lines, over the limit of {MAX_ROWS:,}")
    if lines * columns > MAX_CELLS:
        raise InputError(path, None, f"the file has over {MAX_CELLS:,} cells (lines x columns), over the limit")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw = text.encode("utf-8")
    del text  # the parser reads the bytes; the text is rebuilt only for an error's message
    try:
        frame = pd.read_csv(
            io.BytesIO(raw),
            sep=sep,
            dtype="category",
            keep_default_na=False,
            skip_blank_lines=False,
            header=None,
            encoding="utf-8-sig",
            engine="c",
        )
    except pd.errors.ParserError as exc:
        _ragged(path, raw.decode("utf-8-sig"), sep, required, exc)
    except (pd.errors.EmptyDataError, UnicodeError) as exc:
        raise InputError(path, None, f"not a readable table ({exc})") from None
    return _finish(path, frame, _line_numbers(raw, len(frame)), required, any_of, None)


def _ragged(path: Path, text: str, sep: str, required: tuple[str, ...], exc: Exception) -> None:
    """The error for a row pandas could not parse: a title line above the header, or a row of too many fields."""
    lines = text.splitlines()
    row = lambda line: lines[line - 1][:80] if line <= len(lines) else ""  # noqa: E731 - the line, as shown
    unclosed = re.search(r"EOF inside string starting at row (\d+)", str(exc))
    if unclosed:  # rows counted from 0 at the first line
        line = int(unclosed.group(1)) + 1
        raise InputError(path, line, 'a quoted cell is never closed (a " without its pair)', row(line)) from None
    match = re.search(r"line (\d+), saw (\d+)", str(exc))
    if not match:
        raise InputError(path, None, f"not a readable table ({str(exc)[:120]})") from None
    line = int(match.group(1))
    cells = {normalise_header(c) for c in lines[line - 1].split(sep)} if line <= len(lines) else set()
    if set(required) <= cells:
        raise InputError(
            path, line, f"the header must be the first row; remove the {line - 1} row(s) above it", lines[0]
        ) from None
    raise InputError(path, line, f"row has {match.group(2)} fields, more than the header", row(line)) from None


def _line_numbers(raw: bytes, n_rows: int) -> np.ndarray:
    """Physical line of each parsed record: a line break inside a quoted cell does not start a record."""
    if b'"' not in raw:
        return np.arange(1, n_rows + 1)
    data = np.frombuffer(raw, dtype=np.uint8)
    quotes = data == ord('"')
    newlines = np.flatnonzero(data == ord("\n"))
    quoted = (np.cumsum(quotes) % 2 == 1)[newlines]  # inside quotes at each line break ('""' toggles twice)
    starts = np.concatenate([[1], np.flatnonzero(~quoted) + 2])[:n_rows]
    return np.concatenate([starts, np.arange(len(newlines) + 2, len(newlines) + 2 + n_rows - len(starts))])


def _excel_table(
    path: Path, sheets: dict[str, Sheet], required: tuple[str, ...], sheet: str | None, any_of: tuple[str, ...]
) -> Table:
    """The table of one sheet of a workbook read by `read_workbook`: the one named, or the one `pick_sheet` picks."""
    if sheet is None:
        sheet = pick_sheet(path, sheets, sheet_names(required))
    elif sheet not in sheets:
        raise InputError(path, None, "workbook has no such sheet", sheet)
    chosen = checked(path, sheets[sheet])
    return _finish(path, chosen.frame, np.arange(1, len(chosen.frame) + 1), required, any_of, sheet)


def _text_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """A column's cells as codes into its distinct stripped texts; a missing cell (a short row's, a Parquet null)
    reads as blank."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    texts = pd.Index(cat.cat.categories.astype(str)).str.strip().append(pd.Index([""]))
    merged, uniques = pd.factorize(texts)
    return merged[cat.cat.codes.to_numpy()], pd.Index(uniques)  # code -1 takes the last text, ""


def _categorical(codes: np.ndarray, texts: pd.Index) -> pd.Categorical:
    """Cells as a categorical of only the texts they use (not the header's, nor those of rows left out)."""
    used = np.bincount(codes, minlength=len(texts)) > 0
    return pd.Categorical.from_codes((np.cumsum(used) - 1)[codes], categories=texts[used])


def _finish(
    path: Path,
    frame: pd.DataFrame,
    lines: np.ndarray,
    required: tuple[str, ...],
    any_of: tuple[str, ...],
    sheet: str | None,
) -> Table:
    label = f"{path}[{sheet}]" if sheet else str(path)
    if frame.shape[1] > MAX_COLUMNS:
        raise InputError(label, None, f"the table has {frame.shape[1]:,} columns, over the limit of {MAX_COLUMNS}")
    columns = [_text_codes(frame[c]) for c in frame.columns]
    filled = np.zeros(len(frame), dtype=bool)
    for codes, texts in columns:  # a row is kept when a cell of it holds text
        filled |= np.asarray(texts != "")[codes]
    if not filled.any():
        raise InputError(label, None, "file is empty")
    rows = np.flatnonzero(filled)
    row_text = lambda row: [texts[codes[row]] for codes, texts in columns]  # noqa: E731
    header = [normalise_header(h) for h in row_text(rows[0])]
    wanted = list(required) + ([any_of[0]] if any_of and not set(any_of) & set(header) else [])
    missing = [c for c in wanted if c not in header]
    if missing:
        for later in rows[1:6]:
            if all(c in [normalise_header(h) for h in row_text(later)] for c in required):
                problem = f"the header must be the first row; remove the {later - rows[0]} row(s) above it"
                raise InputError(label, int(lines[later]), problem, row_text(rows[0])[0])
        found = ", ".join(h for h in header if h) or "none"
        need = missing[0] if missing[0] not in any_of else " or ".join(any_of)
        raise InputError(label, int(lines[rows[0]]), f"missing column '{need}' (found: {found})", need)
    dupes = [h for h in header if h and header.count(h) > 1]
    if dupes:
        raise InputError(label, int(lines[rows[0]]), "column named twice", dupes[0])
    body = rows[1:]
    if not len(body):
        raise InputError(label, int(lines[rows[0]]), "table has a header but no rows", ", ".join(header))
    names = [h or f"unnamed_{i}" for i, h in enumerate(header)]
    out = pd.DataFrame({name: _categorical(codes[body], texts) for name, (codes, texts) in zip(names, columns)})
    table = Table(path=path, frame=out, lines=np.asarray(lines)[body], sheet=sheet)
    _refuse_controls(table)
    return table


def _refuse_controls(table: Table) -> None:
    """Refuse the first cell holding a control character (a terminal escape, a NUL): text is never a command."""
    first, column = len(table.frame), ""
    for c in table.frame.columns:
        cats = table.frame[c].cat.categories
        flagged = pd.Series(cats.astype(str)).str.contains(_CONTROL).to_numpy()
        if flagged.any():
            rows = np.flatnonzero(np.append(flagged, False)[table.frame[c].cat.codes.to_numpy()])
            if rows[0] < first:
                first, column = int(rows[0]), c
    if column:
        raise table.error(
            first, "a cell holds a control character (such as a terminal escape)", table.frame[column].iloc[first]
        )


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
    """Every table a command would read from `path`, as ("responses" | "outcomes", table) pairs: a workbook's
    sheets named for them, or one table told by its header (a `metric` column means outcome values)."""
    path = Path(path)
    check_file(path)
    read = partial(read_table, path)
    if path.suffix.lower() == ".parquet":
        from .store import _parquet_table  # store.py imports this module

        read = partial(_parquet_table, path)
    try:
        if is_workbook(path):
            sheets = read_workbook(path)
            named = _named_sheets(path, sheets)
            if named:
                return named
            read = partial(_excel_table, path, sheets, sheet=None)  # its one visible sheet
        if "metric" in read(("city",), any_of=()).frame.columns:
            return [("outcomes", read(OUTCOME_COLUMNS, any_of=()))]
        return [("responses", read(RESPONSE_COLUMNS, any_of=_STATUS_COLUMNS))]
    except MemoryError:
        raise out_of_memory(path) from None


def _named_sheets(path: Path, sheets: dict[str, Sheet]) -> list[tuple[str, Table]]:
    """The responses and outcomes sheets of a workbook that are named for their contents."""
    names = {normalise_header(n): n for n in sheets}
    out = []
    for kind, required, any_of in (("responses", RESPONSE_COLUMNS, _STATUS_COLUMNS), ("outcomes", OUTCOME_COLUMNS, ())):
        sheet = next((names[n] for n in sheet_names(required) if n in names), None)
        if sheet is not None:
            out.append((kind, _excel_table(path, sheets, required, sheet, any_of)))
    return out


def _category_column(values: pd.Series, name: object) -> pd.Categorical:
    """A column of any type as a categorical of text, its name above it as the header cell (missing values blank)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.append(pd.Index(uniques).astype(str).to_numpy(dtype=object), str(name))
    merged, categories = pd.factorize(texts)
    codes = np.concatenate([[len(texts) - 1], codes])
    return pd.Categorical.from_codes(np.where(codes >= 0, merged[codes], -1), categories=categories)


def table_from_frame(
    frame: pd.DataFrame, source: str | Path, required: tuple[str, ...] = (), any_of: tuple[str, ...] = ()
) -> Table:
    """A Table over an in-memory frame, checked as a CSV file would be: names on row 1, rows from 2."""
    columns = {i: _category_column(frame.iloc[:, i], name) for i, name in enumerate(frame.columns)}
    with_header = pd.DataFrame(columns, index=pd.RangeIndex(len(frame) + 1))
    return _finish(Path(str(source)), with_header, np.arange(1, len(frame) + 2), required, any_of, None)
