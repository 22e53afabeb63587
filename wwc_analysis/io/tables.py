"""Read a user's table (CSV, TSV or Excel) into strings, keeping each row's line number.

Everything a person can get wrong about the file itself (encoding, binary or HTML content,
an empty file, a ragged row, a title above the header) is caught here and reported as
an InputError naming the file and row.

A plain CSV file (UTF-8, one record a line, the header first) is read by pyarrow's reader, each
column dictionary-encoded, so a large file costs little time and memory and every distinct cell is
stripped once; anything else, or anything that reader refuses, is read by the careful reader,
which finds and names the problem.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..distinct import categorical, code_type, distinct, holds_any, lookup, text_index
from ..errors import InputError
from .store import is_parquet, read_validated

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_HEAD_BYTES = 1 << 16  # a plain CSV file's header line fits in this
_BLOCK_BYTES = 4 << 20  # pyarrow's read block: fewer, larger per-block dictionaries to merge than its 1 MB

# The columns each kind of table must have (the loaders in responses.py and outcomes.py use them).
RESPONSE_COLUMNS = ("city", "criterion", "status")
OUTCOME_COLUMNS = ("city", "metric", "value")


def max_bytes() -> int:
    """Largest input accepted, in bytes (`WWC_MAX_INPUT_MB`, default 256)."""
    return int(float(os.environ.get("WWC_MAX_INPUT_MB", "256")) * 1024 * 1024)


@dataclass
class Table:
    """A table of stripped strings with normalised column names and the source line of each row.

    Columns hold strings, or categoricals of strings (a large CSV file): read them with `distinct`.
    """

    path: Path
    frame: pd.DataFrame
    lines: np.ndarray  # line (CSV) or row (Excel) number of each frame row, 1-based (int32 where they fit)
    sheet: str | None = None

    def __post_init__(self) -> None:
        self.lines = np.asarray(self.lines, dtype=_line_type(len(self.lines)))  # half of int64 on a long file

    @property
    def label(self) -> str:
        return f"{self.path}[{self.sheet}]" if self.sheet else str(self.path)

    def error(self, position: int, problem: str, value: object = None) -> InputError:
        return InputError(self.label, int(self.lines[position]), problem, value)

    def cells(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """A column's codes and distinct cells (`distinct`); a column the table lacks is blank."""
        if column not in self.frame:
            return np.zeros(len(self.frame), dtype=np.int64), np.array([""], dtype=object)
        return distinct(self.frame[column])

    def refuse_first(self, problem: str, bad: np.ndarray, codes: np.ndarray | None = None, column: str = "") -> None:
        """Raise the error of the first row flagged in `bad` (per row, or per distinct cell with its `codes`).

        The error names the row's cell in `column` (a blank value where no column is given).
        """
        if not bad.any():
            return
        rows = bad if codes is None else bad[codes]
        if rows.any():
            i = int(np.flatnonzero(rows)[0])
            raise self.error(i, problem, self.frame[column].iloc[i] if column else "")


def _line_type(rows: int) -> type:
    """The integer type for the line numbers of a table of `rows` rows (a title and blank lines allowed for)."""
    return np.int32 if rows < 2**30 else np.int64


def parse_years(table: Table, missing: int | None = None) -> pd.api.extensions.ExtensionArray:
    """The `year` of each row as Int64, `missing` (or NA) where blank or absent; each distinct cell checked once."""
    n = len(table.frame)
    if "year" not in table.frame:
        fill = 0 if missing is None else missing
        return pd.arrays.IntegerArray(np.full(n, fill, dtype=np.int64), np.full(n, missing is None))
    codes, cells = table.cells("year")
    raw = pd.Series(cells, dtype=str)
    years = pd.to_numeric(raw.str.replace(r"\.0$", "", regex=True), errors="coerce")
    bad = (raw != "") & (years.isna() | (years % 1 != 0) | (years < 2000) | (years > 2100))
    table.refuse_first("year must be a four-digit year", bad.to_numpy(), codes, "year")
    years = years.astype("Int64")
    years = (years if missing is None else years.fillna(missing)).array
    # Taken in numpy, values and mask apart: pandas' own take of a masked array is several times slower.
    values, absent = years.to_numpy(dtype=np.int64, na_value=0), years.isna()
    return pd.arrays.IntegerArray(lookup(values, codes), lookup(absent, codes))


def normalise_header(name: object) -> str:
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def read_table(path: str | Path, required: tuple[str, ...], sheet: str | None = None) -> Table:
    """Read `path`, checking that the header holds every column in `required`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "file not found")
    size = path.stat().st_size
    if size > max_bytes():
        raise InputError(
            path,
            None,
            f"file is too large ({size / 2**20:.0f} MB; the limit is "
            f"{max_bytes() / 2**20:.0f} MB, set WWC_MAX_INPUT_MB to raise it)",
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if size == 0:
        raise InputError(path, None, "file is empty")
    if head.startswith(_ZIP_MAGIC) or path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path, required, sheet)
    if head.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise InputError(path, None, "legacy .xls workbooks are not read; save it as .xlsx or CSV")
    return _read_text(path, required)


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise InputError(path, None, "not a text table (binary content)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 4]
        raise InputError(path, line, "not UTF-8 text (save the file as UTF-8 CSV)", bad.hex(" ")) from None


def _read_text(path: Path, required: tuple[str, ...]) -> Table:
    return _read_plain_csv(path, required) or _read_text_carefully(path, required)


def _plain_header(path: Path) -> tuple[str, bytes] | None:
    """The first line of a file that may be a plain CSV file and the file's first bytes; None where the
    careful reader must look."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    end = head.find(b"\n")
    if b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff")) or (end < 0 and len(head) == _HEAD_BYTES):
        return None
    try:
        line = head[: end if end >= 0 else len(head)].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if not line.strip() or len(line.splitlines()) != 1 or line.lstrip().startswith("<"):  # blank, odd, or HTML
        return None
    return line, head


def _mostly_distinct(head: bytes, sep: str, n_columns: int) -> set[int]:
    """The columns whose cells mostly differ from row to row in a file's first bytes (at least 100 rows).

    Arrow's reader builds a dictionary per block of a column: for a column of nearly all different
    cells (each city once) that is a dictionary per block of nearly every cell, merged again after.
    Such a column is better read as plain text and encoded once.
    """
    rows = [line.split(sep.encode()) for line in head.split(b"\n")[1:-1]]  # the header and a cut line left out
    rows = [row for row in rows if len(row) == n_columns]
    if len(rows) < 100:
        return set()
    return {i for i in range(n_columns) if 2 * len({row[i] for row in rows}) > len(rows)}


def _one_dictionary(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column of text dictionary-encoded in one pass, as one chunk (every chunk shares the one dictionary)."""
    chunks = pc.dictionary_encode(column).chunks
    if len(chunks) < 2:
        return pa.chunked_array(chunks, type=pa.dictionary(pa.int32(), pa.string()))
    indices = pa.concat_arrays([chunk.indices for chunk in chunks])
    return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, chunks[0].dictionary)])


def _read_plain_csv(path: Path, required: tuple[str, ...]) -> Table | None:
    """A plain CSV file read by pyarrow, each column as codes into its distinct stripped cells.

    Plain: UTF-8, the header on the first line, as many cells on every row, and no cell holding a
    quote, a line break or a NUL (so each line is one record, numbered as the careful reader numbers
    it). Blank lines are rows of blank cells, dropped as the careful reader drops them. None for any
    other file. The blocks are read with the system allocator: pyarrow's default one hands freed
    memory back within milliseconds, and a read block after block then pays for fresh pages each time.
    UTF-8 is checked on each column's distinct cells afterwards, not on every row as it is read.
    """
    found = _plain_header(path)
    if found is None:
        return None
    header, head = found
    sep = _separator(header)
    n_columns = header.count(sep) + 1
    plain = _mostly_distinct(head, sep, n_columns)
    text = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(delimiter=sep, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() if i in plain else text for i in range(n_columns)},
                check_utf8=False,
            ),
            memory_pool=pa.system_memory_pool(),  # see _read_plain_csv's docstring
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    columns = [
        _codes_and_cells(_one_dictionary(table.column(i)) if i in plain else table.column(i))
        for i in range(table.num_columns)
    ]
    del table
    if any(column is None for column in columns):
        return None
    return _finish_plain(path, columns, required)


_Column = tuple[str, np.ndarray, pd.Index]  # a plain file's column: its header cell, its rows' codes, its cells


def _codes_and_cells(column: pa.ChunkedArray) -> _Column | None:
    """A dictionary-encoded column as its first cell (the header), and the other rows' int32 codes into
    their distinct cells, each stripped once and every one used; None where a cell holds a quote, a line
    break or a NUL (not a plain file)."""
    chunks = [c for c in column.chunks if len(c)]
    if not chunks:
        return None
    raw = pa.concat_arrays([c.dictionary for c in chunks])  # each chunk has a dictionary of its own
    try:
        raw.validate(full=True)  # UTF-8 (the careful reader names the line that is not)
    except pa.ArrowInvalid:
        return None
    if holds_any(raw, b'"\r\n\x00'):
        return None
    # Stripped as the careful reader strips (pandas' str.strip is this same Arrow function), then merged.
    stripped = pc.utf8_trim_whitespace(raw)
    if len(chunks) == 1 and _text_length(stripped) == _text_length(raw):
        ids, cells = np.arange(len(raw), dtype=np.int32), stripped  # one dictionary, nothing stripped: distinct
    else:
        merged = pc.dictionary_encode(stripped)
        ids, cells = merged.indices.to_numpy(zero_copy_only=False), merged.dictionary
    head = int(ids[chunks[0].indices[0].as_py()])
    header = cells[head].as_py()
    if not _in_body(head, ids, chunks):  # the header's cell is not a cell of the table
        ids = ids - (ids > head)
        cells = pa.concat_arrays([cells.slice(0, head), cells.slice(head + 1)])
    return header, _row_codes(chunks, ids.astype(code_type(len(cells)))), text_index(cells)


def _text_length(array: pa.Array) -> int:
    """The bytes of all the strings of an Arrow string array, together."""
    return pc.sum(pc.binary_length(array)).as_py() or 0


def _row_codes(chunks: list[pa.DictionaryArray], ids: np.ndarray) -> np.ndarray:
    """Each row's code (but the first row's: the header), its chunk's entry looked up in `ids`.

    Written straight into one array of the codes' own small type (a byte a row for a column of a few
    values), which the categorical then keeps: no per-chunk or per-column copy of a long array is made.
    """
    codes = np.empty(sum(len(chunk) for chunk in chunks), dtype=ids.dtype)
    row = entry = 0
    for chunk in chunks:
        np.take(ids[entry : entry + len(chunk.dictionary)], chunk.indices.to_numpy(), out=codes[row : row + len(chunk)])
        row, entry = row + len(chunk), entry + len(chunk.dictionary)
    return codes[1:]


def _in_body(head: int, ids: np.ndarray, chunks: list[pa.DictionaryArray]) -> bool:
    """Whether a row below the first has the first row's (merged) cell `head`.

    Every entry of a chunk's dictionary is some row's cell; only the first chunk's entry for the
    first row may belong to that row alone.
    """
    first = len(chunks[0].dictionary)
    if (ids[first:] == head).any():
        return True
    entries = np.flatnonzero(ids[:first] == head)
    return bool(np.isin(chunks[0].indices.to_numpy()[1:], entries).any())


def _finish_plain(path: Path, columns: list[_Column], required: tuple[str, ...]) -> Table | None:
    """The Table of a plain file whose header is its first row; None where the careful reader must decide."""
    header = [normalise_header(cell) for cell, _, _ in columns]
    named = [h for h in header if h]
    if not named or not set(required) <= set(named) or len(set(named)) < len(named):
        return None
    n = len(columns[0][1])
    kept = _filled_rows(columns)
    if n == 0 or (kept is not None and not kept.any()):
        return None
    frame = {
        h or f"unnamed_{i}": pd.Categorical.from_codes(
            codes if kept is None else codes[kept], categories=cells, validate=False
        )
        for i, (h, (_, codes, cells)) in enumerate(zip(header, columns))
    }
    lines = np.arange(2, n + 2, dtype=_line_type(n))
    return Table(path=path, frame=pd.DataFrame(frame, copy=False), lines=lines if kept is None else lines[kept])


def _filled_rows(columns: list[_Column]) -> np.ndarray | None:
    """Rows with a cell that is not blank (a blank line is dropped, as the careful reader drops it); None: all."""
    if not all((cells == "").any() for _, _, cells in columns):
        return None
    blank = np.ones(len(columns[0][1]), dtype=bool)
    for _, codes, cells in columns:
        blank &= np.asarray(cells == "")[codes]
    return ~blank if blank.any() else None


def _read_text_carefully(path: Path, required: tuple[str, ...]) -> Table:
    text = _decode(path, path.read_bytes())
    if not text.strip():
        raise InputError(path, None, "file is empty")
    first = text.lstrip()[:200].lower()
    if first.startswith(("<!doctype", "<html", "<?xml", "<table", "<head", "<body")):
        raise InputError(path, 1, "looks like HTML or XML, not a CSV table", text.lstrip().splitlines()[0])
    lines = text.splitlines()
    header_line = next(i for i, line in enumerate(lines) if line.strip())
    sep = _separator(lines[header_line])
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            header=None,
            engine="c",
            quoting=0,
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+), saw (\d+)", str(exc))
        if match:
            line = int(match.group(1))
            cells = {normalise_header(c) for c in lines[line - 1].split(sep)} if line <= len(lines) else set()
            if set(required) <= cells:  # the real header, below a title line
                raise InputError(
                    path, line, f"the header must be the first row; remove the {line - 1} row(s) above it", lines[0]
                ) from None
            raise InputError(
                path,
                line,
                f"row has {match.group(2)} fields, more than the header",
                lines[line - 1] if line <= len(lines) else "",
            ) from None
        raise InputError(path, None, f"not a readable table ({exc})") from None
    except (pd.errors.EmptyDataError, UnicodeError) as exc:
        raise InputError(path, None, f"not a readable table ({exc})") from None
    line_numbers = _line_numbers(text, len(frame))
    return _finish(path, frame, line_numbers, required, None)


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=counts.get) if max(counts.values()) else ","


def _line_numbers(text: str, n_rows: int) -> np.ndarray:
    """Physical line of each parsed record (quoted cells may span lines)."""
    if '"' not in text or all(line.count('"') % 2 == 0 for line in text.splitlines()):
        return np.arange(1, n_rows + 1)
    starts, line, in_quotes = [], 1, False
    at_record_start = True
    for ch in text:
        if at_record_start:
            starts.append(line)
            at_record_start = False
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == "\n":
            line += 1
            if not in_quotes:
                at_record_start = True
    starts = starts[:n_rows] + list(range(line, line + max(0, n_rows - len(starts))))
    return np.asarray(starts)


def _read_excel(path: Path, required: tuple[str, ...], sheet: str | None) -> Table:
    sheets = read_workbook(path)
    names = list(sheets)
    if sheet is None:
        wanted = [n for n in names if normalise_header(n) in _sheet_names(required)]
        if wanted:
            sheet = wanted[0]
        elif len(names) == 1:
            sheet = names[0]
        else:
            raise InputError(
                path,
                None,
                f"workbook has several sheets and none is named for its contents ({', '.join(_sheet_names(required))})",
                ", ".join(names),
            )
    elif sheet not in sheets:
        raise InputError(path, None, "workbook has no such sheet", sheet)
    frame = sheets[sheet]
    return _finish(path, frame, np.arange(1, len(frame) + 1), required, sheet)


def read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of an .xlsx workbook as strings, cells written the way they look in Excel.

    A cell formatted as a percentage holds a fraction (80% is stored as 0.8); it is read as
    '80%', so a share means the same whether typed as 80, '80%' or in a percentage cell.
    Whole numbers lose Excel's '.0', dates read as YYYY-MM-DD.
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError(path, None, f"not a readable Excel workbook ({type(exc).__name__})") from None
    try:
        sheets = {}
        for ws in book.worksheets:
            rows = [[_cell_text(c) for c in row] for row in ws.iter_rows()]
            width = max((len(r) for r in rows), default=0)
            sheets[ws.title] = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
        return sheets
    finally:
        book.close()


def _cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if "%" in str(getattr(cell, "number_format", "") or ""):
            return _number_text(value * 100) + "%"
        return _number_text(value)
    return str(value)


def _number_text(value: float) -> str:
    value = round(float(value), 10)
    return str(int(value)) if value.is_integer() else repr(value)


def tables_to_validate(path: str | Path) -> list[tuple[str, Table]]:
    """Every table a command would read from `path`: ("responses" | "outcomes", table) pairs.

    A workbook gives its responses sheet and its outcomes sheet where it has them; a CSV is
    one or the other, told by its header (a `metric` column means outcome values).
    """
    path = Path(path)
    first = read_table(path, ("city",))
    if first.sheet is None:  # a text table
        kind = "outcomes" if "metric" in first.frame.columns else "responses"
        return [(kind, read_table(path, OUTCOME_COLUMNS if kind == "outcomes" else RESPONSE_COLUMNS))]
    names = {normalise_header(n): n for n in read_workbook(path)}
    out = []
    for kind, required in (("responses", RESPONSE_COLUMNS), ("outcomes", OUTCOME_COLUMNS)):
        sheet = next((names[n] for n in _sheet_names(required) if n in names), None)
        if sheet is not None:
            out.append((kind, read_table(path, required, sheet)))
    if not out:
        kind = "outcomes" if "metric" in first.frame.columns else "responses"
        out.append((kind, read_table(path, OUTCOME_COLUMNS if kind == "outcomes" else RESPONSE_COLUMNS, first.sheet)))
    return out


def _sheet_names(required: tuple[str, ...]) -> tuple[str, ...]:
    return ("outcomes", "outcome_metrics") if "metric" in required else ("responses", "criteria", "assessment")


def _finish(path: Path, frame: pd.DataFrame, lines: np.ndarray, required: tuple[str, ...], sheet: str | None) -> Table:
    frame = frame.fillna("").astype(str).apply(lambda col: col.str.strip())
    filled = (frame != "").any(axis=1).to_numpy()
    label = f"{path}[{sheet}]" if sheet else str(path)
    if not filled.any():
        raise InputError(label, None, "file is empty")
    first = int(np.flatnonzero(filled)[0])
    header = [normalise_header(h) for h in frame.iloc[first]]
    missing = [c for c in required if c not in header]
    if missing:
        for later in np.flatnonzero(filled)[1:6]:
            if all(c in [normalise_header(h) for h in frame.iloc[later]] for c in required):
                raise InputError(
                    label,
                    int(lines[later]),
                    f"the header must be the first row; remove the {later - first} row(s) above it",
                    frame.iloc[first].iloc[0],
                )
        raise InputError(
            label,
            int(lines[first]),
            f"missing column '{missing[0]}' (found: {', '.join(h for h in header if h) or 'none'})",
            missing[0],
        )
    dupes = [h for h in header if h and header.count(h) > 1]
    if dupes:
        raise InputError(label, int(lines[first]), "column named twice", dupes[0])
    body = frame.iloc[first + 1 :]
    keep = filled[first + 1 :]
    body_lines = lines[first + 1 :][keep]
    body = body[keep]
    body.columns = [h or f"unnamed_{i}" for i, h in enumerate(header)]
    if body.empty:
        raise InputError(label, int(lines[first]), "table has a header but no rows", ", ".join(header))
    return Table(path=path, frame=body.reset_index(drop=True), lines=body_lines, sheet=sheet)


def read_files(paths: list[Path], required: tuple[str, ...]) -> list[Table | pd.DataFrame | InputError]:
    """Each file read, not yet validated: a Parquet file of the store as its frame, any other as a Table.

    Reading is kept apart from validating so that a caller can read one kind of file while it
    validates another (Arrow's reader does its work on threads of its own). A file that cannot be
    read ends the list with its error, which `join_tables` raises in its turn: an earlier file's
    invalid row is still reported first, as when each file is read and validated before the next.
    """
    read: list[Table | pd.DataFrame | InputError] = []
    for path in paths:
        try:
            read.append(read_validated(path) if is_parquet(path) else read_table(path, required))
        except InputError as exc:
            read.append(exc)
            break
    return read


def join_tables(read: list[Table | pd.DataFrame | InputError], parse, check, empty) -> pd.DataFrame:
    """Validate and join the files of one kind as read by `read_files`, then check the whole.

    `parse(table)` validates one table, `check(frame)` the joined rows (duplicates across
    files), `empty()` is the frame returned when no file is given. A store's frame is taken as
    it is: it was checked when it was stored.
    """
    frames = []
    for item in read:
        if isinstance(item, InputError):
            raise item
        frames.append(parse(item) if isinstance(item, Table) else item)
    if not frames:
        return empty()
    out = concat_frames(frames)
    if len(frames) > 1 or isinstance(read[0], Table):
        check(out)
    return out


def concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames one after the other; a column categorical in each stays categorical (its categories joined)."""
    if len(frames) == 1:
        return frames[0]
    columns = [
        c for c in frames[0].columns if all(c in f and isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)
    ]
    out = pd.concat([f.drop(columns=columns) for f in frames], ignore_index=True)
    for c in columns:
        codes, values = zip(*(distinct(f[c]) for f in frames))
        offsets = np.cumsum([0, *map(len, values[:-1])])
        out[c] = categorical(np.concatenate([k + o for k, o in zip(codes, offsets)]), np.concatenate(values))
    return out[[c for c in frames[0].columns if c in out] + [c for c in out.columns if c not in frames[0].columns]]


def table_from_frame(frame: pd.DataFrame, source: str | Path) -> Table:
    """A Table over an in-memory frame (cells as stripped strings, rows numbered as in a CSV file)."""
    text = frame.astype(str).replace({"nan": "", "<NA>": "", "None": ""})
    text = text.apply(lambda col: col.str.strip())
    text.columns = [normalise_header(c) for c in text.columns]
    return Table(Path(str(source)), text.reset_index(drop=True), np.arange(2, len(text) + 2))
