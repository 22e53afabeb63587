"""The validated store: inputs validated once into data/processed/validated/<digest>/ as Parquet, read as they are."""

import json

import pandas as pd

from wwc_analysis.io import store
from wwc_analysis.io.inputs import input_files, load_inputs
from wwc_analysis.io.outcomes import load_outcomes
from wwc_analysis.io.responses import load_responses
from wwc_analysis.settings import processed_dir


def load_bundled(standard):
    inputs = load_inputs()
    return inputs.responses, inputs.outcomes


def test_processed_dir_is_overridden_in_tests(tmp_path, monkeypatch):
    assert "wwc-test-processed-" in str(processed_dir())  # set by the root conftest.py
    monkeypatch.setenv("WWC_PROCESSED_DIR", str(tmp_path))
    assert processed_dir() == tmp_path


def test_store_is_content_addressed_and_read_back_with_its_dtypes(standard):
    responses, outcomes = load_bundled(standard)
    folder = store.write_store(responses, outcomes, "2022")
    assert folder.parent == processed_dir() / "validated"
    assert store.write_store(responses, outcomes, "2022") == folder  # same inputs: same folder
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["edition"] == "2022" and len(manifest["responses.parquet"]["sha256"]) == 64
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "outcomes.parquet", "responses.parquet"]
    changed = responses.copy()
    changed.loc[0, "status"] = (changed.loc[0, "status"] + 1) % 3
    assert store.write_store(changed, outcomes, "2022") != folder
    # A folder, or its Parquet files, load as the validated frames did (dtypes kept, not validated again).
    stored = ["source_file", "source_row"]  # where the rows were read from: the store's own file
    pd.testing.assert_frame_equal(load_responses(folder, standard).drop(columns=stored), responses.drop(columns=stored))
    pd.testing.assert_frame_equal(
        load_outcomes([folder / "outcomes.parquet"], standard).drop(columns=stored), outcomes.drop(columns=stored)
    )
    assert store.resolve(store.reference(folder)) == folder
    assert input_files([folder]) == ([folder / "responses.parquet"], [folder / "outcomes.parquet"])
    inputs = load_inputs([str(folder)], edition="2022")
    bundled = load_inputs(edition="2022")
    pd.testing.assert_frame_equal(inputs.scored, bundled.scored)


def test_a_parquet_file_mixed_with_csv_is_still_checked_for_duplicates(standard, tmp_path):
    import pytest
    from conftest import RAW

    from wwc_analysis.errors import InputError

    responses = load_responses([RAW / "responses" / "scottsdale_2023.csv"], standard)
    folder = store.write_store(responses, None, "2022")
    with pytest.raises(InputError, match="listed twice"):
        load_responses([folder / "responses.parquet", RAW / "responses" / "scottsdale_2023.csv"], standard)
