"""Keyed pseudonyms: stable under one key, different under another, and no key means no run."""

import numpy as np
import pyarrow as pa
import pytest

from helpers import pseudonymise as p


def pseudonyms(texts: list, codes: list, key: bytes) -> list:
    """Rows given as codes into ``texts``, pseudonymised as the cleaner does (-1: no identifier)."""
    with p.hashing({"beneficiary_id": pa.array(texts, pa.large_string())}, key) as hashed:
        return p.spread(hashed["beneficiary_id"](), np.array(codes)).to_pylist()


def test_pseudonyms_are_stable_keyed_and_hide_the_identifier():
    a = pseudonyms(["TR-ADA-001", "TR-ADA-002"], [0, 1, 0, -1], b"key one")
    assert a[0] == a[2] != a[1]
    assert a[3] is None
    assert len(a[0]) == p.PSEUDONYM_LENGTH and "ADA" not in a[0]
    b = pseudonyms(["TR-ADA-001", "TR-ADA-002"], [0, 1, 0, -1], b"key two")
    assert b[0] != a[0] and b[1] != a[1]


def test_key_comes_from_environment_then_file(monkeypatch, tmp_path):
    key_file = tmp_path / "k.key"
    key_file.write_text("from-file\n")
    monkeypatch.setenv(p.KEY_ENV, "from-env")
    assert p.load_key(key_file) == b"from-env"
    monkeypatch.delenv(p.KEY_ENV)
    assert p.load_key(key_file) == b"from-file"


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
    monkeypatch.setattr(p, "BACKGROUND_FROM", 0)
    with p.hashing(_texts(), b"k") as worker:
        assert {column: hashed().to_pylist() for column, hashed in worker.items()} == expected
    assert expected["beneficiary_id"][1] is None and len(expected["household_id"][0]) == p.PSEUDONYM_LENGTH


def test_a_failed_worker_is_an_error_not_missing_pseudonyms(monkeypatch):
    import sys

    monkeypatch.setattr(p, "BACKGROUND_FROM", 0)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match="pseudonymisation worker failed"), p.hashing(_texts(), b"k") as hashed:
        hashed["beneficiary_id"]()
