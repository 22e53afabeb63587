"""The certification standard as data: one folder per edition under data/raw/standard/.

Each edition holds practices.csv, criteria.csv, tiers.csv, tier_bands.csv,
outcome_metrics.csv and edition.toml. Nothing about a particular edition lives in code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, ParameterError
from ..settings import raw_dir
from .tiers import build_requirements

DEFAULT_EDITION = "2022"


@dataclass(frozen=True, eq=False)
class Standard:
    """One edition of the standard: its tables, and lookups derived from them once."""

    edition: str
    title: str
    official_reading: str
    assessment_years: tuple[int, ...]
    practices: pd.DataFrame  # code, order, name, description
    criteria: pd.DataFrame  # code, practice, order, core, required_from, short_name, aliases, text
    tiers: pd.DataFrame  # tier, rank, min_outcomes, requires_all_core, summary (ascending rank)
    bands: pd.DataFrame  # reading, tier, min_share, label, source
    outcome_metrics: pd.DataFrame  # code, order, outcome, indicator, threshold, direction, unit, ...
    folder: Path = field(compare=False)

    @cached_property
    def codes(self) -> list[str]:
        return self.criteria["code"].tolist()

    @property
    def n_criteria(self) -> int:
        return len(self.codes)

    @cached_property
    def core_codes(self) -> list[str]:
        return self.criteria.loc[self.criteria["core"], "code"].tolist()

    @cached_property
    def practice_codes(self) -> list[str]:
        return self.practices["code"].tolist()

    @cached_property
    def tier_names(self) -> list[str]:
        return self.tiers["tier"].tolist()

    @cached_property
    def metric_codes(self) -> list[str]:
        return self.outcome_metrics["code"].tolist()

    @cached_property
    def readings(self) -> list[str]:
        """Band readings, the official one first."""
        return [self.official_reading, *sorted(set(self.bands["reading"]) - {self.official_reading})]

    @cached_property
    def _index(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.codes)}

    def criterion_index(self) -> dict[str, int]:
        return self._index

    @cached_property
    def _aliases(self) -> dict[str, str]:
        """Other codes published lists give a criterion (CI1 for SI1), from criteria.csv's `aliases`."""
        column = self.criteria["aliases"] if "aliases" in self.criteria else [""] * self.n_criteria
        return {a.strip().upper(): c for c, text in zip(self.codes, column) for a in str(text).split(";") if a.strip()}

    def criterion_code(self, text: object) -> str | None:
        """The criterion a cell names: its code in any case and spacing, a published alias (CI1 for SI1), or an
        OCR slip of a letter I read as the digit 1 ('S11' for SI1); None when it names none."""
        code = str(text).upper().replace(" ", "")
        if code in self._index:
            return code
        if code in self._aliases:
            return self._aliases[code]
        slips = {code[:i] + "I" + code[i + 1 :] for i, ch in enumerate(code) if ch == "1"}
        found = sorted(slips & set(self._index))
        return found[0] if len(found) == 1 else None

    @cached_property
    def practice_of(self) -> np.ndarray:
        """For each criterion (in order), the position of its practice."""
        position = {code: i for i, code in enumerate(self.practice_codes)}
        return np.array([position[p] for p in self.criteria["practice"]], dtype=np.intp)

    def tier_rank(self, tier: str) -> int:
        return int(self.tiers.set_index("tier").loc[tier, "rank"])

    def required_for(self, tier: str) -> list[str]:
        """Criteria a tier needs beyond the core: those required from this tier or a lower one."""
        rank = self.tier_rank(tier)
        req = self.criteria[self.criteria["required_from"] != ""]
        return [c for c, t in zip(req["code"], req["required_from"]) if self.tier_rank(t) <= rank]

    @cached_property
    def _bands(self) -> dict[tuple[str, str], pd.Series]:
        return {(str(r["reading"]), str(r["tier"])): r for _, r in self.bands.iterrows()}

    def _band(self, tier: str, reading: str | None) -> pd.Series:
        return self._bands[(reading or self.official_reading, tier)]

    def min_share(self, tier: str, reading: str | None = None) -> float:
        return float(self._band(tier, reading)["min_share"])

    def min_criteria(self, tier: str, reading: str | None = None) -> int:
        """The fewest criteria met that reach a tier's band (shares are lower edges)."""
        return int(np.ceil(self.min_share(tier, reading) * self.n_criteria - 1e-9))

    def band_label(self, tier: str, reading: str | None = None) -> str:
        return str(self._band(tier, reading)["label"])

    def criterion_text(self, code: str) -> str:
        return str(self.criteria.loc[self._index[code], "text"])

    def short_name(self, code: str) -> str:
        """The program's short name of a criterion ('Data Service Standard'), or its code where none is held."""
        name = str(self.criteria.loc[self._index[code], "short_name"]) if "short_name" in self.criteria else ""
        return name or code

    @cached_property
    def _practice_names(self) -> dict[str, str]:
        return dict(zip(self.practices["code"], self.practices["name"].astype(str)))

    def practice_name(self, code: str) -> str:
        return self._practice_names[code]

    @cached_property
    def _requirements(self) -> dict[tuple[str, str], tuple]:
        return {(t, r): build_requirements(self, t, r) for t in self.tier_names for r in self.readings}

    def requirements(self, tier: str, reading: str | None = None) -> tuple:
        """Everything `tier` requires under a reading of the bands (default: the official one)."""
        return self._requirements[(tier, reading or self.official_reading)]

    @property
    def default_year(self) -> int:
        """The assessment year assumed where a file gives none: the edition's first."""
        return int(self.assessment_years[0])

    def tier_spec(self, tier: str) -> dict:
        """min_outcomes, requires_all_core and summary of one tier."""
        return self.tiers.set_index("tier").loc[tier].to_dict()

    def metric(self, code: str) -> dict:
        """One outcome metric's row of outcome_metrics.csv."""
        return self.outcome_metrics.set_index("code").loc[code].to_dict()

    @cached_property
    def metric_aliases(self) -> dict[str, tuple[str, ...]]:
        """Each outcome metric's other spellings and the words that name it in a report (`aliases`)."""
        column = self.outcome_metrics["aliases"] if "aliases" in self.outcome_metrics else [""] * len(self.metric_codes)
        return {
            code: tuple(a.strip().lower() for a in str(text).split(";") if a.strip())
            for code, text in zip(self.metric_codes, column)
        }

    def metric_code(self, text: object) -> str | None:
        """The code of the metric a file or a report names, by its code or one of its aliases."""
        key = str(text).strip().lower()
        for code, words in self.metric_aliases.items():
            if key in (code, *words, *(w.replace(" ", "_") for w in words)):
                return code
        return None


def available_editions() -> list[str]:
    """Editions with a folder under data/raw/standard/."""
    root = raw_dir() / "standard"
    return sorted(p.name for p in root.iterdir() if (p / "edition.toml").is_file()) if root.is_dir() else []


def load_standard(edition: str | None = None) -> Standard:
    """Load and check one edition of the standard (read once per folder and process)."""
    return _load(raw_dir() / "standard" / str(edition or DEFAULT_EDITION))


@lru_cache(maxsize=8)
def _load(folder: Path) -> Standard:
    meta_path = folder / "edition.toml"
    if not meta_path.is_file():
        known = ", ".join(available_editions()) or "none"
        raise ParameterError("edition", f"no such edition of the standard (known: {known})", folder.name)
    meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    practices = _read(folder / "practices.csv", {"order": int})
    criteria = _read(folder / "criteria.csv", {"order": int})
    tiers = _read(folder / "tiers.csv", {"rank": int, "min_outcomes": int})
    bands = _read(folder / "tier_bands.csv", {"min_share": float})
    metrics = _read(folder / "outcome_metrics.csv", {"order": int})
    criteria["core"] = _flag(criteria, "core", folder / "criteria.csv")
    tiers["requires_all_core"] = _flag(tiers, "requires_all_core", folder / "tiers.csv")
    for col in ("threshold", "min_value", "max_value"):
        metrics[col] = pd.to_numeric(metrics[col].replace("", np.nan))
    standard = Standard(
        edition=str(meta["edition"]),
        title=meta.get("title", f"edition {folder.name}"),
        official_reading=meta["official_reading"],
        assessment_years=tuple(meta.get("assessment_years", ())),
        practices=practices.sort_values("order", ignore_index=True),
        criteria=criteria.sort_values("order", ignore_index=True),
        tiers=tiers.sort_values("rank", ignore_index=True),
        bands=bands,
        outcome_metrics=metrics.sort_values("order", ignore_index=True),
        folder=folder,
    )
    _check(standard)
    return standard


def _read(path: Path, types: dict[str, type]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for col, kind in types.items():
        numbers = pd.to_numeric(frame[col], errors="coerce")
        _refuse_first(path, numbers.isna() | ((numbers % 1 != 0) if kind is int else False), frame[col], "a number")
        frame[col] = numbers.astype(kind)
    return frame


def _flag(frame: pd.DataFrame, col: str, path: Path) -> pd.Series:
    values = frame[col].str.strip().str.lower()
    _refuse_first(path, ~values.isin(["yes", "no"]), frame[col], "yes or no")
    return values == "yes"


def _refuse_first(path: Path, bad: pd.Series, values: pd.Series, what: str) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, i + 2, f"'{values.name}' must be {what}", values.iloc[i])


def _check(s: Standard) -> None:
    """Refuse an edition whose files contradict each other."""
    crit, c = s.folder / "criteria.csv", s.criteria
    checks = [
        (c["code"].duplicated(), "criterion code listed twice", "code"),
        (~c["practice"].isin(s.practice_codes), "practice not in practices.csv", "practice"),
        (
            (c["required_from"] != "") & ~c["required_from"].isin(s.tier_names),
            "required_from names no tier",
            "required_from",
        ),
    ]
    for bad, problem, col in checks:
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(crit, i + 2, problem, c[col].iloc[i])
    bands_path = s.folder / "tier_bands.csv"
    if s.official_reading not in set(s.bands["reading"]):
        raise InputError(s.folder / "edition.toml", None, "official_reading has no bands", s.official_reading)
    for reading, group in s.bands.groupby("reading"):
        if set(group["tier"]) != set(s.tier_names):
            raise InputError(bands_path, None, "a reading must give one band per tier", reading)
        shares = group.set_index("tier").loc[s.tier_names, "min_share"].to_numpy()
        if not (np.all(np.diff(shares) > 0) and shares[0] > 0 and shares[-1] <= 1):
            raise InputError(bands_path, None, "band edges must rise with the tier, within (0, 1]", reading)
