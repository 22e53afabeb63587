"""The errors the workbench raises for people: one base class, each a one-line message.

`InputError` names a file, row and value; `ParameterError` names a parameter (city, year, cohort,
edition), which the command line shows as its flag.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path


class WWCError(Exception):
    """Something the workbench could not do, said in one line."""


class InputError(WWCError, ValueError):
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
            text += f": {shown(self.value)}"
        return text


class ParameterError(WWCError, ValueError):
    """A question's parameter names nothing the workbench has: `city: no assessment ...: 'Nowhere'`."""

    def __init__(self, parameter: str, problem: str, value: object = None):
        self.parameter, self.problem, self.value = parameter, problem, value
        super().__init__(self.message(parameter))

    def message(self, name: str) -> str:
        return f"{name}: {self.problem}" + (f": {shown(self.value)}" if self.value is not None else "")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """Text safe for a terminal or a page: control characters (escape sequences, NUL, bidi marks) as \\x.. escapes."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))


def without_controls(text: str) -> str:
    """Text for a page: control characters removed (line breaks and tabs kept)."""
    return _CONTROL.sub("", text.replace("\x00", ""))


def shown(value: object, limit: int = 80) -> str:
    """Quote a value for a one-line message: control characters escaped, long values cut."""
    text = repr(value) if isinstance(value, str) else repr(str(value))
    text = printable(unicodedata.normalize("NFC", text))
    return text if len(text) <= limit else text[: limit - 4] + "...'"
