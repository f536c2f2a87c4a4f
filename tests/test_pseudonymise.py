"""Keyed pseudonyms: stable under one key, different under another, and no key means no run."""

import errno
import io
import json

import numpy as np
import pyarrow as pa
import pytest
from conftest import CFG, edit

from helpers import context
from helpers.clean import pseudonymise as p
from helpers.config import Configuration
from helpers.kernels import arrow_by_code


def pseudonyms(texts: list, codes: list, key: bytes) -> list:
    """Rows given as codes into ``texts``, pseudonymised as the cleaner does (-1: no identifier)."""
    with p.hashing({"beneficiary_id": pa.array(texts, pa.large_string())}, key) as hashed:
        return arrow_by_code(hashed["beneficiary_id"](), np.array(codes)).to_pylist()


def test_pseudonyms_are_stable_keyed_and_hide_the_identifier():
    a = pseudonyms(["TR-ADA-001", "TR-ADA-002"], [0, 1, 0, -1], b"key one")
    assert a[0] == a[2] != a[1]
    assert a[3] is None
    assert len(a[0]) == p.PSEUDONYM_LENGTH and "ADA" not in a[0]
    b = pseudonyms(["TR-ADA-001", "TR-ADA-002"], [0, 1, 0, -1], b"key two")
    assert b[0] != a[0] and b[1] != a[1]


def test_key_comes_from_environment_then_file(monkeypatch, tmp_path):
    key_file = tmp_path / "k.key"
    key_file.write_text("from-file, long enough\n")
    key_file.chmod(0o600)
    monkeypatch.setenv(p.KEY_ENV, "from-env, long enough")
    assert p.load_key(key_file) == b"from-env, long enough"
    monkeypatch.delenv(p.KEY_ENV)
    assert p.load_key(key_file) == b"from-file, long enough"


def test_a_real_run_without_a_key_stops_but_the_sample_has_a_demo_key(monkeypatch, tmp_path):
    monkeypatch.delenv(p.KEY_ENV, raising=False)
    with pytest.raises(p.MissingKeyError, match="PSEUDONYMISATION_KEY"):
        p.load_key(tmp_path / "absent.key")
    assert p.load_key(tmp_path / "absent.key", sample=True) == p.DEMO_KEY


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"y" * 65, b"z" * 200, "anahtar-ğüşiöç".encode()])
def test_pseudonyms_are_standard_hmac_sha256(key):
    import hashlib
    import hmac

    ids = ["TR-ADA-001", "HH-ÇŞ-2"]
    expected = [hmac.new(key, i.encode(), hashlib.sha256).hexdigest()[: p.PSEUDONYM_LENGTH] for i in ids]
    assert pseudonyms(ids, [0, 1], key) == expected


def _texts():
    return {"beneficiary_id": pa.array(["TR-ADA-001", None, "HH-ÇŞ-2"], pa.large_string()),
            "household_id": pa.array(["HH-1"], pa.large_string())}


def test_many_identifiers_are_hashed_by_a_worker_process_with_the_same_result(monkeypatch):
    with p.hashing(_texts(), b"k") as here:
        expected = {column: hashed().to_pylist() for column, hashed in here.items()}
        assert {hashed().type for hashed in here.values()} == {pa.large_string()}  # as the worker's: one schema
    monkeypatch.setattr(p, "BACKGROUND_FROM", 0)
    with p.hashing(_texts(), b"k") as worker:
        assert {column: hashed().to_pylist() for column, hashed in worker.items()} == expected
        assert {hashed().type for hashed in worker.values()} == {pa.large_string()}
    assert expected["beneficiary_id"][1] is None and len(expected["household_id"][0]) == p.PSEUDONYM_LENGTH


def test_more_identifiers_than_one_worker_batch_get_the_same_pseudonyms(monkeypatch):
    """The worker hashes 65,536 texts at a time: every one after the first batch keeps its own pseudonym."""
    texts = {"beneficiary_id": pa.array([f"TR-{i:06d}" for i in range(70_000)], pa.large_string()),
             "household_id": pa.array([f"HH-{i:05d}" for i in range(3_000)], pa.large_string())}
    with p.hashing(texts, b"k") as here:
        expected = {column: hashed() for column, hashed in here.items()}
    monkeypatch.setattr(p, "BACKGROUND_FROM", 0)
    with p.hashing(texts, b"k") as worker:
        for column, hashed in worker.items():
            assert hashed().equals(expected[column]), column


def test_a_failed_worker_is_an_error_not_missing_pseudonyms(monkeypatch):
    import sys

    monkeypatch.setattr(p, "BACKGROUND_FROM", 0)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match="pseudonymisation worker failed"), p.hashing(_texts(), b"k") as hashed:
        hashed["beneficiary_id"]()


STRONG = "a key of sixteen+ characters"


@pytest.mark.parametrize("weak", ["a", "X7#kQ2!zW9$mP4&", "   ", ""])
def test_a_weak_or_empty_key_in_the_environment_is_refused_without_showing_it(monkeypatch, weak):
    monkeypatch.setenv(p.KEY_ENV, weak)
    with pytest.raises(p.WeakKeyError, match=f"{p.KEY_ENV}.*(too short|empty)") as refused:
        p.load_key(None)
    if weak.strip():  # the message says what is wrong, never what the key is
        assert f" {weak} " not in f" {refused.value} " and f"{weak!r}" not in str(refused.value)


def test_an_empty_or_short_key_file_is_refused_and_a_strong_one_accepted(monkeypatch, tmp_path):
    monkeypatch.delenv(p.KEY_ENV, raising=False)
    key_file = tmp_path / "pseudonymisation.key"
    key_file.write_text("\n")
    key_file.chmod(0o600)
    with pytest.raises(p.WeakKeyError, match=r"pseudonymisation\.key is empty"):
        p.load_key(key_file)
    with pytest.raises(p.WeakKeyError, match="empty"):
        p.load_key(key_file, sample=True)  # an empty file is a mistake even beside the sample
    key_file.write_text("ğüşiöç-kısa\n")  # 11 characters in 17 bytes: characters count
    with pytest.raises(p.WeakKeyError, match="at least 16 characters"):
        p.load_key(key_file)
    key_file.write_text(STRONG + "\n")
    assert p.load_key(key_file) == STRONG.encode()


def test_the_public_demo_key_is_refused_for_real_data(monkeypatch):
    monkeypatch.setenv(p.KEY_ENV, p.DEMO_KEY.decode())
    with pytest.raises(p.WeakKeyError, match="demo key"):
        p.load_key(None)
    assert p.load_key(None, sample=True) == p.DEMO_KEY


def test_the_fingerprint_tells_keys_apart_and_is_neither_the_key_nor_its_hash():
    import hashlib

    a, b = p.fingerprint(STRONG.encode()), p.fingerprint(STRONG.upper().encode())
    assert a != b and len(a) == 16 and int(a, 16) >= 0
    assert a == p.fingerprint(STRONG.encode())
    assert a not in hashlib.sha256(STRONG.encode()).hexdigest() and STRONG not in a


# ------------------------------------------------------------------ the demo key only for the bundled sample


@pytest.fixture(scope="module")
def sample_raw(generated_sample):
    return generated_sample[0] / "2022Q4"


def _copy(folder, tmp_path):
    import shutil

    target = tmp_path / "raw" / "2022Q4"
    shutil.copytree(folder, target)
    return target


def test_the_generated_sample_is_recognised_by_its_files(sample_raw):
    from helpers.clean.sample import is_sample

    manifest = json.loads((sample_raw / "sample-manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == len([f for f in sample_raw.rglob("*") if f.suffix in (".csv", ".xlsx")])
    assert all(len(digest) == 64 for digest in manifest["files"].values())
    assert is_sample(sample_raw, CFG)


@pytest.mark.parametrize("tamper", ["empty manifest", "real file added", "file edited", "file removed"])
def test_a_copied_manifest_never_switches_real_data_to_the_demo_key(sample_raw, tmp_path, monkeypatch, tamper,
                                                                   config_copy):
    from helpers.clean import quarter as clean
    from helpers.clean.sample import is_sample

    folder = _copy(sample_raw, tmp_path)
    if tamper == "empty manifest":  # the case: real files beside a copied `{}`
        for path in folder.rglob("*.csv"):
            path.unlink()
        (folder / "real-log.csv").write_text("Tarih,İl,Faaliyet Kodu,Vaka No\n2022-10-05,Adana,PROT_PSS,TR-1\n")
        (folder / "sample-manifest.json").write_text("{}")
    elif tamper == "real file added":
        (folder / "PRU" / "real-log.csv").write_text("Tarih,İl\n2022-10-05,Adana\n")
    elif tamper == "file edited":
        path = folder / "RSU/e-voucher-market-cards.csv"
        path.write_bytes(path.read_bytes().replace(b"2022", b"2021", 1))
    else:
        next(folder.rglob("*.xlsx")).unlink()
    assert not is_sample(folder, Configuration(config_copy))
    monkeypatch.delenv(p.KEY_ENV, raising=False)
    edit(config_copy / "pipeline.yml", "key_file: ~/.config/refugee-response/pseudonymisation.key",
         f"key_file: {tmp_path / 'no.key'}")
    with pytest.raises(p.MissingKeyError, match=r"sample-manifest\.json does not match the files: real data needs"):
        clean.clean_quarter(context.build("2022Q4", raw_dir=folder.parent, config_dir=config_copy))


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaaaaaaaaaa", "1212121212121212", "abcabcabcabcabcabc"])
def test_a_long_key_of_few_different_characters_is_refused_without_showing_it(monkeypatch, weak):
    monkeypatch.setenv(p.KEY_ENV, weak)
    with pytest.raises(p.WeakKeyError, match="repeats a few characters") as refused:
        p.load_key(None)
    assert weak not in str(refused.value)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666])
def test_a_key_file_other_users_can_read_or_change_is_refused(monkeypatch, tmp_path, mode):
    monkeypatch.delenv(p.KEY_ENV, raising=False)
    key_file = tmp_path / "pseudonymisation.key"
    key_file.write_text(STRONG + "\n")
    key_file.chmod(mode)
    with pytest.raises(p.WeakKeyError, match=f"other users \\(mode {mode:o}\\).*chmod 600") as refused:
        p.load_key(key_file)
    assert STRONG not in str(refused.value)
    key_file.chmod(0o600)
    assert p.load_key(key_file) == STRONG.encode()


def test_the_fingerprint_of_a_key_never_changes_between_versions():
    """Quarters processed earlier recorded their key's fingerprint: the same key must give the same 16 characters,
    HMAC-SHA256(key, "fingerprint"), or every earlier quarter would look pseudonymised with another key."""
    assert p.fingerprint(STRONG.encode()) == "3ed9d0a34173f11a"  # pragma: allowlist secret (a test key's)


def test_a_key_of_exactly_sixteen_characters_and_eight_different_ones_is_strong_enough(monkeypatch):
    monkeypatch.setenv(p.KEY_ENV, "abcdefghabcdefgh")
    assert p.load_key(None) == b"abcdefghabcdefgh"
    monkeypatch.setenv(p.KEY_ENV, "abcdefgaabcdefga")  # seven different
    with pytest.raises(p.WeakKeyError, match="repeats a few characters"):
        p.load_key(None)


def test_a_key_file_of_raw_random_bytes_is_accepted_as_it_is(monkeypatch, tmp_path):
    """``head -c 32 /dev/urandom > key``: not text, yet a good key; its bytes are the key."""
    monkeypatch.delenv(p.KEY_ENV, raising=False)
    raw = bytes.fromhex("9f8e7d6c5b4a39281706f5e4d3c2b1a0ff80c1d2e3f40516273849aabbccddee")
    key_file = tmp_path / "pseudonymisation.key"
    key_file.write_bytes(raw)
    key_file.chmod(0o600)
    assert p.load_key(key_file) == raw


def test_the_demo_key_in_a_key_file_serves_the_sample_as_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(p.KEY_ENV, raising=False)
    key_file = tmp_path / "pseudonymisation.key"
    key_file.write_bytes(p.DEMO_KEY)
    key_file.chmod(0o600)
    assert p.load_key(key_file, sample=True) == p.DEMO_KEY
    with pytest.raises(p.WeakKeyError, match="demo key"):
        p.load_key(key_file)


def test_the_missing_key_message_says_why_and_where_to_put_a_key(monkeypatch, tmp_path):
    monkeypatch.delenv(p.KEY_ENV, raising=False)
    advice = "(keep it outside git; the same key must be used every quarter so pseudonyms stay stable)"
    with pytest.raises(p.MissingKeyError) as refused:
        p.load_key(None)
    assert str(refused.value) == f"no pseudonymisation key: set the environment variable {p.KEY_ENV} {advice}"
    absent = tmp_path / "absent.key"
    with pytest.raises(p.MissingKeyError) as refused:
        p.load_key(absent, not_sample="raw/2022Q4 is not the bundled sample")
    assert str(refused.value) == ("raw/2022Q4 is not the bundled sample: no pseudonymisation key: set the environment "
                                  f"variable {p.KEY_ENV} or create the key file {absent} {advice}")


def test_the_feeder_of_the_worker_ends_quietly_on_any_pipe_error():
    """A pipe that fails with an I/O error, not only a broken pipe, ends the feeder thread without an exception
    (the reader then reports the failed worker); other errors are not hidden."""

    class Failing(io.RawIOBase):
        def __init__(self, error: Exception):
            self.error = error

        def writable(self) -> bool:
            return True

        def write(self, data) -> int:
            raise self.error

    table = pa.table({"text": pa.array(["TR-ADA-001"], pa.large_string())})
    for error in (OSError(errno.EIO, "Input/output error"), BrokenPipeError(errno.EPIPE, "Broken pipe")):
        assert p._send(table, Failing(error)) is None
    with pytest.raises(ValueError, match="not an I/O error"):
        p._send(table, Failing(ValueError("not an I/O error")))
