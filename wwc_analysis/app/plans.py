"""Plans in the app: out as downloads, in as uploads, never by a path on the server.

A download is two data-URI links (CSV, Excel); an upload is read from a private folder removed at
once, and messages name it by the name the person gave it.
"""

from __future__ import annotations

import base64
import html
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..analysis.changes import Plan
from ..errors import InputError, WWCError, without_controls
from ..io.plans import load_plan, plan_bytes
from ..io.slugs import slugify
from ..rules.standard import Standard
from ..settings import MAX_PLAN_BYTES

KINDS = {".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_NAME_LIMIT = 80


def file_stem(city: str, year: int) -> str:
    """The name a plan's files share: `plan-<city>-<year>`."""
    return f"plan-{slugify(city)}-{year}"


def plan_files(plan: Plan, city: str, year: int) -> dict[str, bytes]:
    """The plan as a CSV file and an Excel workbook, by file name."""
    stem = file_stem(city, year)
    return {f"{stem}{suffix}": plan_bytes(plan, suffix) for suffix in KINDS}


def download_links(files: dict[str, bytes]) -> str:
    """HTML links that download each file from the page itself (data URIs)."""
    links = [
        f"<a download='{html.escape(name, quote=True)}' "
        f"href='data:{KINDS[Path(name).suffix]};base64,{base64.b64encode(data).decode('ascii')}'>"
        f"{html.escape(name)}</a>"
        for name, data in files.items()
    ]
    return "<p class='wwc-downloads'>Download: " + " · ".join(links) + "</p>"


def shown_name(name: object) -> str:
    """The name a message gives an uploaded file: its last part only, without control characters, cut short."""
    text = without_controls(str(name or "")).replace("\\", "/").rsplit("/", 1)[-1].strip()
    text = re.sub(r"\s+", " ", text) or "the plan"
    return text if len(text) <= _NAME_LIMIT else text[: _NAME_LIMIT - 1] + "…"


def uploaded(value: object) -> list[tuple[str, bytes]]:
    """(name, bytes) of each file in a FileUpload's value; anything else is refused in a sentence."""
    files = []
    for item in value if isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict)) else [value]:
        content = item.get("content") if isinstance(item, dict) else None
        if not isinstance(content, (bytes, bytearray, memoryview)):
            raise WWCError("The upload could not be read; please choose the file again.")
        files.append((shown_name(item.get("name")), bytes(content)))
    return files


def read_upload(name: str, content: bytes, standard: Standard) -> Plan:
    """Check and read an uploaded plan; every error names it by `name` (see `shown_name`), not by a server path."""
    if len(content) > MAX_PLAN_BYTES:
        raise WWCError(f"{name}: over the limit of {MAX_PLAN_BYTES // 1024} KB for a plan")
    suffix = ".xlsx" if name.lower().endswith((".xlsx", ".xlsm")) else ".csv"
    with tempfile.TemporaryDirectory(prefix="wwc-upload-") as folder:
        path = Path(folder) / f"plan{suffix}"
        path.write_bytes(content)
        try:
            return load_plan(path, standard, shown=name)
        except InputError as exc:
            value = _without(exc.value, folder) if isinstance(exc.value, str) else exc.value
            raise InputError(name, exc.row, _without(exc.problem, folder), value) from None
        except WWCError as exc:
            raise WWCError(f"{name}: {_without(str(exc), folder)}") from None
        except Exception:  # noqa: BLE001 - a reader's own error may name the private folder: say it plainly
            raise WWCError(f"{name}: not a plan that can be read (a CSV file or an Excel workbook)") from None


def _without(text: str, folder: str) -> str:
    """A message with any path into the private folder said as "the file"."""
    return re.sub(re.escape(str(folder)) + r"[^\s:'\"]*", "the file", str(text))
