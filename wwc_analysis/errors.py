"""The one error type users see for bad input: it names the file, the row and the value."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input, described in one line: `FILE: row N: PROBLEM: 'VALUE'`.

    `row` is the line a person sees in a spreadsheet or editor (the header is row 1);
    None means the problem belongs to the whole file.
    """

    def __init__(self, path: str | Path | None, row: int | None, problem: str, value: object = None):
        self.path = str(path) if path is not None else "<input>"
        self.row = row
        self.problem = problem
        self.value = value
        super().__init__(self.message())

    def message(self) -> str:
        where = self.path if self.row is None else f"{self.path}: row {self.row}"
        text = f"{where}: {self.problem}"
        if self.value is not None:
            text += f": {_show(self.value)}"
        return text


def _show(value: object, limit: int = 80) -> str:
    """Quote a value for a one-line message: newlines escaped, long values cut."""
    text = repr(value) if isinstance(value, str) else repr(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "...'"
