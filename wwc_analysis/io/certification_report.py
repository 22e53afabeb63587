"""Read a WWC certification report (its text, or the PDF) into the workbench's own formats.

Each practice's table gives a criterion's code and wording, the audited response ('*': corrected by
the audit), the shares of all applicants and of same-size cities meeting it, and the auditor's note.
What is read must agree with the report's own totals ("achieved 31 of 43 criteria"). OCR slips are
tolerated: 'S11' for SI1, letters for digits in codes, misspelt wording.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import re
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pandas as pd

from ..analysis.phrases import tier_label
from ..analysis.scoring import build_assessments, score_assessments
from ..errors import InputError
from ..rules import status as st
from ..rules.standard import Standard, load_standard
from ..rules.tiers import tier_name
from ..settings import MAX_PDF_PAGES, MAX_PDF_SECONDS, MAX_PDF_STREAM_BYTES, MAX_PDF_TOKENS, MAX_REPORT_CHARS
from .atomic import write_folder
from .export import to_csv_text
from .outcomes import outcomes_from_table
from .responses import responses_from_table
from .tables import check_file, out_of_memory, table_from_frame

_ROW = re.compile(
    r"^(?P<code>[A-Z]{1,4}[0-9IlO|]{1,2})\**[ \t]+(?P<text>.+?)[ \t]+"
    r"(?P<status>Yes|No|In\s+Progress)(?P<star>\*?)[ \t]+(?P<all>\d{1,3})%[ \t]+(?P<size>\d{1,3})%(?P<note>.*)$",
    re.IGNORECASE,
)
_PRACTICE_TOTAL = re.compile(r"achieved (\d{1,3})% of (.+?) Criteria", re.IGNORECASE)
_OVERALL = re.compile(r"achieved (\d+) of (\d+) criteria", re.IGNORECASE)
_TIER = re.compile(r"Certification at the (\w+) level", re.IGNORECASE)
_CHANGED = re.compile(r"changed from (YES|NO|IN\s+PROGRESS) to (YES|NO|IN\s+PROGRESS)", re.IGNORECASE)
_MONTH_YEAR = re.compile(
    r"^(January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+(\d{4})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_ENDS_RECORD = re.compile(
    r"^(\*|[A-Z0-9&' \-]{6,}$|Your city has achieved|CERTIFICATION CRITERIA|RESIDENT OUTCOME"
    r"|For more information)"
)
_DIGIT_SLIPS = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0"})
_COHORTS = ("all_applicants", "same_size")  # the two shares each row prints: of all applicants, of cities its size
TEXT_MATCH = 0.8  # wording must be this similar (difflib ratio) to the edition's to count as the same criterion


@dataclass
class ImportedReport:
    """A report read into tables, with the totals it states about itself."""

    city: str
    year: int
    responses: pd.DataFrame  # city, year, criterion, self_assessed, status, audit_note
    shares: pd.DataFrame  # year, cohort, reference_city, criterion, share_pct
    outcomes: pd.DataFrame  # city, year, metric, value, met, source
    stated_met: tuple[int, int] | None  # "achieved 31 of 43 criteria"
    stated_practices: dict[str, int]  # practice code -> stated percentage
    stated_tier: str | None


def read_report_text(path: str | Path) -> str:
    """The report's text: a PDF read with pypdf (within limits of pages, stream size and time), else UTF-8."""
    path = Path(path)
    check_file(path)
    raw = path.read_bytes()
    try:
        text = _pdf_text(path, raw) if raw.startswith(b"%PDF") else raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, None, "not UTF-8 text or a PDF", raw[exc.start : exc.start + 8]) from None
    except MemoryError:
        raise out_of_memory(path) from None
    if len(text) > MAX_REPORT_CHARS:
        raise InputError(path, None, f"the report's text is over {MAX_REPORT_CHARS:,} characters, over the limit")
    return text


def _pdf_limits():
    """pypdf's own limits on decompression and parsing, tightened to a report's size (where pypdf has them)."""
    import pypdf

    if not hasattr(pypdf, "apply_configuration"):
        return contextlib.nullcontext()
    sizes = ("zlib", "lzw", "run_length", "brotli", "jbig2", "array_based_stream")
    return pypdf.apply_configuration(
        **{f"{name}_maximum_output_length": MAX_PDF_STREAM_BYTES for name in sizes},
        maximum_declared_stream_length=MAX_PDF_STREAM_BYTES,
        image_maximum_buffer_size=MAX_PDF_STREAM_BYTES,
        stream_parsing_work_maximum_count=MAX_PDF_TOKENS,
    )


def _pdf_text(path: Path, raw: bytes) -> str:
    """A PDF's text, page by page, refused past the limits of pages, characters or time."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about a damaged file are ours to word
    started, texts, chars = time.monotonic(), [], 0
    with _pdf_limits():
        try:
            pages = PdfReader(BytesIO(raw)).pages
            if len(pages) > MAX_PDF_PAGES:
                raise InputError(path, None, f"the PDF has {len(pages):,} pages, over the limit of {MAX_PDF_PAGES}")
            for number, page in enumerate(pages, start=1):
                texts.append(page.extract_text() or "")
                chars += len(texts[-1])
                if chars > MAX_REPORT_CHARS or time.monotonic() - started > MAX_PDF_SECONDS:
                    limits = f"{MAX_REPORT_CHARS:,} characters, {MAX_PDF_SECONDS} s"
                    raise InputError(
                        path, None, f"reading the PDF's text went over the limit ({limits}) by page {number}"
                    )
        except (InputError, MemoryError):
            raise
        except Exception as exc:  # pypdf raises many types for a broken or hostile PDF
            if type(exc).__name__ == "LimitReachedError":
                limits = f"a stream over {MAX_PDF_STREAM_BYTES // 2**20} MB decompressed or {MAX_PDF_TOKENS:,} tokens"
                raise InputError(path, None, f"the PDF is over a limit: {limits}") from None
            raise InputError(path, None, "cannot read this PDF: it is damaged or not a PDF; export it again") from None
    return "\n".join(texts)


def _code(raw: str, standard: Standard) -> str | None:
    """The criterion code an OCR'd code stands for ('S11' -> 'SI1', 'DMl' -> 'DM1'), or None."""
    raw = raw.upper() if raw[-1] not in "l|" else raw[:-1].upper() + raw[-1]
    letters = re.match(r"[A-Z]+", raw).group(0)
    known = {c.rstrip("0123456789") for c in standard.codes}
    for cut in range(len(letters), 0, -1):  # 'S11': letters 'S', and '1' may be an I
        head, tail = raw[:cut], raw[cut:].translate(_DIGIT_SLIPS)
        if head in known and tail.isdigit():
            return head + str(int(tail)) if f"{head}{int(tail)}" in standard.codes else None
        if head + "I" in known and tail[:1] == "1" and tail[1:].isdigit():  # 'S1' + '1': SI1
            candidate = f"{head}I{tail[1:]}"
            if candidate in standard.codes:
                return candidate
    return None


def _records(lines: list[str]) -> list[tuple[int, str]]:
    """Lines joined into logical rows: a row wrapped over several lines (as PDFs do) becomes one."""
    out: list[tuple[int, str]] = []
    open_row = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        starts_row = bool(re.match(r"^[A-Z]{1,4}[0-9IlO|]{1,2}\**[ \t]", stripped))
        if not stripped or _ENDS_RECORD.match(stripped):
            out.append((number, stripped))
            open_row = False
        elif open_row and not starts_row:
            out[-1] = (out[-1][0], out[-1][1] + " " + stripped)
        else:
            out.append((number, stripped))
            open_row = starts_row
    return out


def parse_report(
    text: str, source: str | Path, standard: Standard | None = None, city: str | None = None
) -> ImportedReport:
    """Read a report's text into tables; `source` names it in errors."""
    standard = standard or load_standard()
    lines = text.splitlines()
    city = city or _city(lines, source)
    year = _year(text, source)
    rows, seen = [], {}
    for number, record in _records(lines):
        match = _ROW.match(record)
        if not match:
            continue
        code = _code(match["code"], standard)
        if code is None:
            raise InputError(source, number, "not a criterion code of edition " + standard.edition, match["code"])
        if code in seen:
            raise InputError(source, number, f"{code} appears twice (first at line {seen[code]})", match["code"])
        seen[code] = number
        wording = re.sub(r"\s+", " ", match["text"]).strip()
        similarity = difflib.SequenceMatcher(None, wording.lower(), standard.criterion_text(code).lower()).ratio()
        if similarity < TEXT_MATCH:
            raise InputError(
                source, number, f"the wording does not match {code} of edition {standard.edition}", wording[:60]
            )
        note = " ".join(match["note"].split())  # PDFs justify and wrap lines: spacing is not data
        audited = st.parse_status(match["status"])
        changed = _CHANGED.search(note)
        self_assessed = st.parse_status(changed.group(1)) if changed else audited
        if changed and st.parse_status(changed.group(2)) != audited:
            problem = f"the note says the response was changed to {changed.group(2)}, the table says {match['status']}"
            raise InputError(source, number, problem, note[:60])
        rows.append((code, st.label(self_assessed), st.label(audited), note, int(match["all"]), int(match["size"])))
    missing = [c for c in standard.codes if c not in seen]
    if missing:
        raise InputError(source, None, f"{len(missing)} criteria not found in the report", ", ".join(missing[:8]))
    rows.sort(key=lambda r: standard.criterion_index()[r[0]])
    read = pd.DataFrame(rows, columns=["criterion", "self_assessed", "status", "audit_note", *_COHORTS])
    read = read.assign(city=city, year=year)
    responses = read[["city", "year", "criterion", "self_assessed", "status", "audit_note"]]
    shares = read.melt(["year", "criterion"], list(_COHORTS), var_name="cohort", value_name="share_pct")
    shares["reference_city"] = shares["cohort"].map({"all_applicants": "", "same_size": city})
    shares = shares[["year", "cohort", "reference_city", "criterion", "share_pct"]]
    overall = _OVERALL.search(text)
    tier = _TIER.search(text)
    practices = {}
    names = {
        re.sub(r"\W+", " ", n).strip().lower(): c for c, n in zip(standard.practice_codes, standard.practices["name"])
    }
    for match in _PRACTICE_TOTAL.finditer(text):
        code = names.get(re.sub(r"\W+", " ", match.group(2)).strip().lower())
        if code:
            practices[code] = int(match.group(1))
    return ImportedReport(
        city,
        year,
        responses,
        shares,
        _outcomes(lines, city, year, source, standard),
        (int(overall.group(1)), int(overall.group(2))) if overall else None,
        practices,
        tier.group(1).title() if tier else None,
    )


def _city(lines: list[str], source: str | Path) -> str:
    """The city named at the top of the report ("Scottsdale, AZ" -> "Scottsdale")."""
    for line in lines[:40]:
        match = re.match(r"^\s*([A-Z][\w .'\-]+?),\s*[A-Z]{2}\s*$", line)
        if match:
            return match.group(1).strip()
    raise InputError(source, None, "cannot find the city's name at the top; give it with --city", "")


def _year(text: str, source: str | Path) -> int:
    match = _MONTH_YEAR.search(text)
    if not match:
        raise InputError(source, None, "cannot find the report's date (e.g. 'July 2023')", "")
    return int(match.group(2))


def _outcomes(lines: list[str], city: str, year: int, source: str | Path, standard: Standard) -> pd.DataFrame:
    """The resident outcome metrics table: each metric's value, or 'not met' where none is given."""
    heading = re.compile(r"RESIDENT OUTCOME METRIC(\t|\s+INDICATOR)")
    start = next((i for i, line in enumerate(lines) if heading.match(line.strip().upper())), None)
    found: dict[str, tuple[int, str, str]] = {}
    if start is not None:
        block = " ".join(line.strip() for line in lines[start + 1 : start + 30])
        block = re.sub(r"<u>|</u>|<[^>]+>", "", block)
        for code, words in standard.metric_aliases.items():
            pos = min((block.lower().find(w) for w in words if w in block.lower()), default=-1)
            if pos >= 0:
                found[code] = (pos, "", "")
        order = sorted(found, key=lambda c: found[c][0])
        for k, code in enumerate(order):
            end = found[order[k + 1]][0] if k + 1 < len(order) else len(block)
            segment = block[found[code][0] : end]
            value = re.search(r"(?:^|\s)(\d+(?:\.\d+)?)%?\s+(US [A-Za-z ]+?Data|[A-Z][\w. ]*?Data)\b", segment)
            found[code] = (found[code][0], value.group(1) if value else "", value.group(2) if value else "")
    rows = []
    for code in standard.outcome_metrics["code"]:
        if code not in found:
            raise InputError(source, None, "the resident outcome metrics table lacks a metric", code)
        _, value, data_source = found[code]
        met = "" if value else "no"  # a metric the report gives no value for is not met
        where = (
            f"certification report, resident outcome metrics table ({data_source})"
            if data_source
            else "certification report: no value given for this metric"
        )
        rows.append((city, year, code, value, met, where))
    return pd.DataFrame(rows, columns=["city", "year", "metric", "value", "met", "source"])


def check_totals(report: ImportedReport, source: str | Path, standard: Standard) -> None:
    """Refuse a report whose rows disagree with the totals it states."""
    met = report.responses["status"].eq("Yes")
    if report.stated_met is not None:
        stated, total = report.stated_met
        if total != standard.n_criteria:
            problem = f"the report counts {total} criteria, edition {standard.edition} has {standard.n_criteria}"
            raise InputError(source, None, problem, f"{stated} of {total}")
        found = int(met.sum())
        if found != stated:
            problem = f"the report says {stated} of {total} criteria were achieved, its tables show {found} Yes"
            raise InputError(source, None, problem, f"{stated} of {total}")
    practice = report.responses["criterion"].map(dict(zip(standard.codes, standard.criteria["practice"])))
    shares = met.groupby(practice).mean()
    for code, pct in report.stated_practices.items():
        read = round(float(shares[code]) * 100)
        if read != pct:
            problem = f"the report says {pct}% of {standard.practice_name(code)} criteria, its table shows {read}%"
            raise InputError(source, None, problem, f"{pct}%")
    if len(report.stated_practices) not in (0, len(standard.practice_codes)):
        missing = sorted(set(standard.practice_codes) - set(report.stated_practices))
        raise InputError(source, None, "no stated total for some practices", ", ".join(missing))


def import_report(path: str | Path, city: str | None = None, standard: Standard | None = None) -> ImportedReport:
    """Read and check a report (text or PDF)."""
    standard = standard or load_standard()
    report = parse_report(read_report_text(path), path, standard, city)
    check_totals(report, path, standard)
    check_tier(report, path, standard)
    return report


def check_tier(report: ImportedReport, source: str | Path, standard: Standard) -> None:
    """Refuse a report whose stated tier is not the tier its rows score (through the usual loaders)."""
    if report.stated_tier is None:
        return
    responses = responses_from_table(table_from_frame(report.responses, source), standard)
    outcomes = outcomes_from_table(table_from_frame(report.outcomes, source), standard)
    tier = score_assessments(build_assessments(responses, outcomes, standard), standard)["tier"].iloc[0]
    if tier_name(tier) != report.stated_tier:
        problem = f"the report states {report.stated_tier}, its rows score {tier_label(tier)}"
        raise InputError(source, None, problem, report.stated_tier)


def write_report_tables(report: ImportedReport, folder: Path) -> list[Path]:
    """Write responses.csv, outcomes.csv and published_shares.csv into `folder`, whole or not at all."""
    tables = {"responses.csv": report.responses, "outcomes.csv": report.outcomes, "published_shares.csv": report.shares}
    return write_folder(folder, {name: to_csv_text(frame) for name, frame in tables.items()})
