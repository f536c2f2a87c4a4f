"""Cleaning: every raw row accounted for, clear rejects, no key no run."""

import csv
import json

import numpy as np
import pandas as pd
import pytest
from conftest import edit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import context, kernels
from helpers.clean.quarter import clean_quarter, write_clean
from helpers.errors import MissingKeyError

HEADER = ["Tarih", "İl", "Faaliyet Kodu", "Vaka No", "Katılımcı Sayısı", "Cinsiyet", "Ad Soyad"]
DATES = ["2022-10-05", "05.11.2022", "31/12/2022", "44900", "2022-09-30", "2023-01-01", "32.13.2022", ""]
PROVINCES = ["Şanlıurfa", "URFA", "İçel", "istanbul ", "Narnia", ""]
ACTIVITIES = ["PROT_CASE_MGMT", "PROT_PSS", "PROT_AWARENESS", "NOPE", ""]
row = st.tuples(st.sampled_from(DATES), st.sampled_from(PROVINCES), st.sampled_from(ACTIVITIES),
                st.sampled_from(["TR-1", "tr-2 ", ""]), st.sampled_from(["", "12", "-3", "abc"]),
                st.sampled_from(["K", "Erkek", "", "?"]), st.just("Ayşe Yılmaz"))


def write(folder, name, rows, encoding="utf-8", delimiter=","):
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.lists(row, min_size=1, max_size=25), min_size=1, max_size=3))
def test_every_row_is_kept_or_dropped_exactly_once(files, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "test key, not a secret")
    raw = tmp_path_factory.mktemp("raw")
    for i, rows in enumerate(files):
        write(raw / "2022Q4", f"log{i}.csv", rows, *(("cp1254", ";") if i == 1 else ()))
    result = clean_quarter(context.build("2022Q4", raw_dir=raw))
    totals = result.quality["totals"]
    assert totals["rows_read"] == sum(len(rows) for rows in files)
    dropped = totals["duplicate"] + totals["out_of_period"] + totals["rejected"]
    assert totals["rows_read"] == totals["rows_kept"] + dropped
    for source, counts in result.quality["files"].items():
        dropped = counts["duplicate"] + counts["out_of_period"] + counts["rejected"]
        assert counts["rows_read"] == counts["rows_kept"] + dropped, source
    seen = pd.concat([result.records[["source", "row_number"]], result.rejects[["source", "row_number"]]])
    assert not seen.duplicated().any()
    assert len(seen) == totals["rows_read"]


def test_rejects_name_file_row_reason_column_and_closest_province(tmp_path, monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "test key, not a secret")
    write(tmp_path / "2022Q4", "log.csv", [
        ("2022-10-05", "Kirikale", "PROT_CASE_MGMT", "TR-1", "", "K", "A B"),   # typo: resolves
        ("2022-10-05", "Gazintp", "PROT_CASE_MGMT", "TR-2", "", "K", "A B"),  # two typos: not guessed
        ("2022-10-05", "Adana", "PROT_CASE_MGMT", "", "", "K", "A B"),
    ])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    out = write_clean(result, tmp_path / "processed")
    rejects = pd.read_csv(out / "rejects.csv", encoding="utf-8-sig")
    assert (out / "rejects.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    assert result.records["province"].tolist() == ["Kırıkkale"]
    by_row = rejects.set_index("row_number")
    assert by_row.at[3, "reason"] == "unknown_province" and "Gaziantep" in by_row.at[3, "detail"]
    assert by_row.at[4, "reason"] == "missing_required" and by_row.at[4, "column"] == "beneficiary_id"
    assert set(rejects["source"]) == {"log.csv"}
    quality = json.loads((out / "quality.json").read_text())
    assert quality["totals"]["by_reason"]["unknown_province"] == 1


def test_a_real_quarter_without_a_key_stops_with_a_clear_error(tmp_path, monkeypatch, config_copy):
    monkeypatch.delenv("PSEUDONYMISATION_KEY", raising=False)
    edit(config_copy / "pipeline.yml", "key_file: ~/.config/refugee-response/pseudonymisation.key",
         f"key_file: {tmp_path / 'no.key'}")
    write(tmp_path / "2022Q4", "log.csv", [("2022-10-05", "Adana", "PROT_CASE_MGMT", "TR-1", "", "K", "A B")])
    with pytest.raises(MissingKeyError, match="PSEUDONYMISATION_KEY"):
        clean_quarter(context.build("2022Q4", raw_dir=tmp_path, config_dir=config_copy))


def test_the_same_export_saved_twice_is_counted_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "test key, not a secret")
    rows = [("2022-10-05", "Adana", "PROT_CASE_MGMT", "TR-1", "", "K", "A B"),
            ("06.10.2022", "Adana", "PROT_CASE_MGMT", "TR-1", "", "K", "A B")]
    write(tmp_path / "2022Q4", "a.csv", rows)
    write(tmp_path / "2022Q4" / "copy", "a.csv", [("05.10.2022", "ADANA", "PROT_CASE_MGMT", " tr-1", "", "Kadın", "x")])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    assert len(result.records) == 2
    duplicate = result.rejects[result.rejects["reason"] == "duplicate"]
    assert duplicate[["source", "row_number"]].values.tolist() == [["copy/a.csv", 2]]
    assert duplicate["detail"].iloc[0] == "same as a.csv row 2"


def _typed_frame() -> pd.DataFrame:
    """Rows of every column type the records have; rows 0, 2 and 4 are one record, the others differ by a value."""
    return pd.DataFrame({
        "site": pd.Categorical(["A", "A", "A", "B", "A"]),
        "date": pd.to_datetime(["2022-10-01", "2022-10-01", "2022-10-01", "2022-10-01", "2022-10-01"]),
        "size": pd.array([3, 3, 3, 3, 3], dtype="Int64"),
        "quantity": [0.0, 1.5, -0.0, 0.0, 0.0],
        "disability": pd.array([None, None, None, None, None], dtype="boolean"),
        "note": pd.array(["x", "x", "x", "x", "x"], dtype="string"),
    }, index=[10, 11, 12, 13, 14])


def test_duplicates_are_rows_equal_on_every_value_and_point_to_their_original():
    duplicated, original = kernels.find_duplicates(_typed_frame())
    assert duplicated.tolist() == [False, False, True, False, True]
    assert original.tolist() == [10, 10]


def test_a_hash_collision_never_drops_a_record(monkeypatch):
    monkeypatch.setattr(kernels, "value_bits", lambda values: np.zeros(len(values), dtype=np.uint64))
    duplicated, original = kernels.find_duplicates(_typed_frame())  # every row now has the same hash
    assert duplicated.tolist() == [False, False, True, False, True]
    assert original.tolist() == [10, 10]


def test_rows_kept_by_a_mask_are_the_rows_a_frame_would_keep():
    frame = _typed_frame().assign(pseudonym=pd.array(["a", None, "c", "d", "e"], dtype="string[pyarrow]"),
                                  code=pd.array([1, None, 3, 4, 5], dtype="Int32"))
    for kept in ([True, False, True, False, True], [False] * 5, [True] * 5, [True, True, True, False, False]):
        for table in (frame, frame.reset_index(drop=True)):  # labels, and the run's range of row positions
            keep = np.array(kept)
            pd.testing.assert_frame_equal(kernels.rows(table, keep), table[keep], check_index_type=True,
                                          check_column_type=True, check_exact=True)


def test_whole_numbers_become_the_nullable_integers_pandas_would_make():
    rng = np.random.default_rng(3)
    floats = rng.integers(-5, 10**9, 1000).astype("float64")
    floats[rng.random(1000) < 0.3] = np.nan
    floats[:4] = [0.0, -0.0, np.nan, 120.0]
    pd.testing.assert_series_equal(pd.Series(kernels.integers(floats)), pd.Series(floats).astype("Int64"))


def test_values_fall_in_the_intervals_pandas_cut_would_put_them_in():
    edges = [-1, 4, 11, 17, 59, 120]
    values = np.array([np.nan, -1, -0.5, 0, 4, 4.5, 11, 17, 59, 59.5, 120, 120.5, 1e9, -1e9], dtype="float64")
    values = np.concatenate([values, np.random.default_rng(5).uniform(-10, 130, 1000)])
    assert kernels.interval_codes(values, edges).tolist() == pd.cut(values, bins=edges).codes.tolist()


def test_a_failed_write_leaves_the_previous_file_and_no_leftovers(tmp_path):
    from helpers.paths import replacing

    target = tmp_path / "records.parquet"
    target.write_text("previous")
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half written")
        raise RuntimeError("disk full")
    assert target.read_text() == "previous" and list(tmp_path.iterdir()) == [target]
    with replacing(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new" and list(tmp_path.iterdir()) == [target]


def test_two_writers_of_one_file_at_once_both_finish_and_leave_a_whole_file(tmp_path):
    """The editions of a report are made side by side and each writes the quarter's sources file."""
    import threading

    from helpers.paths import replacing

    target, both_written = tmp_path / "sources.csv", threading.Barrier(2)
    failures = []

    def write(text: str) -> None:
        try:
            with replacing(target) as tmp:
                tmp.write_text(text)
                both_written.wait(timeout=10)
        except Exception as error:  # collected for the assertion below
            failures.append(error)

    writers = [threading.Thread(target=write, args=(text,)) for text in ("same content", "same content")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert not failures and target.read_text() == "same content" and list(tmp_path.iterdir()) == [target]


def test_records_file_tells_readers_of_the_history_its_quarter_and_dates(tmp_path, monkeypatch):
    """Row-group statistics let DuckDB or Spark skip files of other quarters and rows of other dates."""
    import pyarrow.parquet as pq

    monkeypatch.setenv("PSEUDONYMISATION_KEY", "test key, not a secret")
    write(tmp_path / "2022Q4", "log.csv", [
        ("2022-10-05", "Adana", "PROT_CASE_MGMT", "TR-1", "", "K", "A B"),
        ("31.12.2022", "Hatay", "PROT_CASE_MGMT", "TR-2", "", "E", "C D"),
    ])
    out = write_clean(clean_quarter(context.build("2022Q4", raw_dir=tmp_path)), tmp_path / "processed")
    group = pq.ParquetFile(out / "records.parquet").metadata.row_group(0)
    stats = {group.column(i).path_in_schema: group.column(i).statistics for i in range(group.num_columns)}
    assert (stats["quarter"].min, stats["quarter"].max) == ("2022Q4", "2022Q4")
    assert [str(v)[:10] for v in (stats["date"].min, stats["date"].max)] == ["2022-10-05", "2022-12-31"]
