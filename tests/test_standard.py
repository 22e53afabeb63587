"""The 2022 edition of the standard, as held in data/raw/standard/2022."""

import pytest

from wwc_analysis.errors import InputError, ParameterError
from wwc_analysis.rules.standard import available_editions, load_standard


def test_edition_has_eight_practices_and_43_criteria_in_published_order(standard):
    assert standard.practice_codes == ["DM", "EVAL", "LC", "OD", "PA", "BF", "RDC", "SI"]
    assert standard.n_criteria == 43
    counts = standard.criteria.groupby("practice", sort=False).size().to_dict()
    assert counts == {"DM": 9, "EVAL": 4, "LC": 7, "OD": 4, "PA": 5, "BF": 3, "RDC": 8, "SI": 3}
    assert standard.codes[:3] == ["DM1", "DM2", "DM3"] and standard.codes[-1] == "SI3"


def test_core_and_platinum_only_criteria(standard):
    assert standard.core_codes == ["DM1", "LC1", "PA1"]
    assert standard.required_for("Platinum") == ["DM8"]
    assert standard.required_for("Gold") == []


def test_full_wording_is_kept(standard):
    od3 = "Your local government publishes open data to a central, public online location."
    assert standard.criterion_text("OD3") == od3
    assert "upskills" in standard.criterion_text("LC3")


def test_every_criterion_has_its_short_name_and_eval1_its_full_wording(standard):
    assert standard.short_name("DM9") == "Data Service Standard"
    assert all(standard.short_name(code) != code for code in standard.codes)
    assert standard.criterion_text("EVAL1").endswith("budget requirement or funding allocation).")


def test_community_impact_codes_are_the_stakeholder_impact_criteria(standard):
    assert [standard.criterion_code(c) for c in ("CI1", "ci2", "CI3", "S11")] == ["SI1", "SI2", "SI3", "SI1"]
    assert standard.criterion_code("CI4") is None


def test_band_edges_in_criteria_for_both_published_readings(standard):
    assert [standard.min_criteria(t) for t in standard.tier_names] == [22, 29, 37]
    assert [standard.min_criteria(t, "council_memo") for t in standard.tier_names] == [22, 30, 37]
    assert standard.readings == ["final_report", "council_memo"]


def test_outcome_metrics_and_thresholds(standard):
    m = standard.outcome_metrics.set_index("code")
    assert list(m.index) == ["broadband", "pm25", "nominated"]
    assert (m.loc["broadband", "threshold"], m.loc["broadband", "direction"]) == (75, ">=")
    assert (m.loc["pm25", "threshold"], m.loc["pm25", "direction"]) == (10, "<=")


def test_unknown_edition_is_a_clear_error():
    assert "2022" in available_editions()
    with pytest.raises(ParameterError, match="edition: no such edition of the standard"):
        load_standard("1999")


def test_a_second_edition_is_just_another_folder(tmp_path, monkeypatch):
    import shutil

    from wwc_analysis.settings import raw_dir

    root = tmp_path / "data"
    shutil.copytree(raw_dir(), root / "raw")
    shutil.copytree(root / "raw" / "standard" / "2022", root / "raw" / "standard" / "2030")
    bands = root / "raw" / "standard" / "2030" / "tier_bands.csv"
    bands.write_text(bands.read_text().replace("final_report,Gold,0.67", "final_report,Gold,0.70"))
    meta = root / "raw" / "standard" / "2030" / "edition.toml"
    meta.write_text(meta.read_text().replace('edition = "2022"', 'edition = "2030"'))
    monkeypatch.setenv("WWC_DATA_DIR", str(root))
    assert load_standard("2030").min_criteria("Gold") == 31


def test_inconsistent_bands_are_refused(tmp_path, monkeypatch):
    import shutil

    from wwc_analysis.settings import raw_dir

    root = tmp_path / "data"
    shutil.copytree(raw_dir(), root / "raw")
    bands = root / "raw" / "standard" / "2022" / "tier_bands.csv"
    bands.write_text(bands.read_text().replace("final_report,Gold,0.67", "final_report,Gold,0.90"))
    monkeypatch.setenv("WWC_DATA_DIR", str(root))
    with pytest.raises(InputError, match="band edges must rise"):
        load_standard("2022")
