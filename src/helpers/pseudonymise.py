"""Keyed pseudonymisation (HMAC-SHA256) of beneficiary and household identifiers.

The key never lives in git: it comes from ``PSEUDONYMISATION_KEY`` or from a key file named in
``config/pipeline.yml``. The bundled sample has its own fixed, public demo key, so its pseudonyms
protect nothing and are only good for the demonstration.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

KEY_ENV = "PSEUDONYMISATION_KEY"
DEMO_KEY = b"bundled-sample-demo-key: not a secret, never use for real data"
PSEUDONYM_LENGTH = 24  # hex characters (96 bits): collision-free at any realistic caseload


class MissingKeyError(RuntimeError):
    """No pseudonymisation key was provided for a run on real data."""


def load_key(key_file: Path | None = None, *, sample: bool = False) -> bytes:
    """The key from the environment, else from ``key_file``, else the demo key for the bundled sample."""
    if value := os.environ.get(KEY_ENV, "").strip():
        return value.encode("utf-8")
    if key_file is not None and key_file.is_file():
        return key_file.read_bytes().strip()
    if sample:
        return DEMO_KEY
    where = f" or create the key file {key_file}" if key_file is not None else ""
    raise MissingKeyError(
        f"no pseudonymisation key: set the environment variable {KEY_ENV}{where} "
        "(keep it outside git; the same key must be used every quarter so pseudonyms stay stable)"
    )


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Replace each identifier by the first hex characters of its HMAC-SHA256 under ``key`` (as strings)."""
    values = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    texts = pa.array(values.cat.categories.array, pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(pseudonyms(values.cat.codes.to_numpy(), texts, key)),
                     index=values.index)


def pseudonyms(codes: np.ndarray, texts: pa.Array, key: bytes) -> pa.Array:
    """The pseudonym of ``texts[code]`` for each code (-1: null).

    Each text in use is hashed once (texts no code points to are not hashed at all); the pseudonyms are then
    spread over the codes.
    """
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(texts)))
    digest = _hmac_sha256(key)
    hashed = pa.array([digest(text) for text in texts.take(used).to_pylist()], pa.large_string())
    position = np.full(len(texts) + 1, -1, dtype=np.int64)  # code -1 (missing) stays missing
    position[used] = np.arange(len(used))
    rows = position[codes]
    return hashed.take(pa.array(rows, mask=rows < 0))


def _hmac_sha256(key: bytes):
    """HMAC-SHA256 (RFC 2104) truncated to :data:`PSEUDONYM_LENGTH` hex characters, as a function of text.

    The padded key is hashed once and the hash state copied per identifier: the same bytes as
    ``hmac.digest(key, text, "sha256")`` at half the cost.
    """
    block = hashlib.sha256().block_size
    key = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    size = PSEUDONYM_LENGTH // 2  # bytes: two hex characters each

    def digest(text: str) -> str:
        message = inner.copy()
        message.update(text.encode("utf-8"))
        result = outer.copy()
        result.update(message.digest())
        return result.digest()[:size].hex()

    return digest
