"""Keyed pseudonymisation (HMAC-SHA256) of beneficiary and household identifiers.

The key never lives in git: it comes from ``PSEUDONYMISATION_KEY`` or from a key file named in
``config/pipeline.yml``. A key shorter than :data:`MIN_KEY_CHARACTERS`, one of too few different characters,
an empty key file and a key file other users may read are refused, and the key is never part of a message.
The bundled sample has its own fixed, public demo key, so its pseudonyms protect nothing and are only good for
the demonstration. :func:`fingerprint` identifies a key without revealing it, so that quarters hashed with
different keys can be told apart.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa

from helpers.errors import MissingKeyError, WeakKeyError

KEY_ENV = "PSEUDONYMISATION_KEY"
DEMO_KEY = b"bundled-sample-demo-key: not a secret, never use for real data"
PSEUDONYM_LENGTH = 24  # hex characters (96 bits): collision-free at any realistic caseload
BACKGROUND_FROM = 250_000  # distinct identifiers from which they are hashed in a worker process
# A key is a secret shared by nobody: at least this many characters (a random 16-character text carries ~95
# bits), so that nobody can guess it and re-identify people by hashing candidate ID numbers.
MIN_KEY_CHARACTERS = 16
MIN_KEY_DISTINCT = 8  # ... of which this many different ones: "aaaaaaaaaaaaaaaa" or "1212121212121212" is no secret
_ADVICE = "(keep it outside git; the same key must be used every quarter so pseudonyms stay stable)"


def load_key(key_file: Path | None = None, *, sample: bool = False, not_sample: str = "") -> bytes:
    """The key from the environment, else from ``key_file``, else the demo key for the bundled sample.

    ``not_sample`` says why a folder is not the bundled sample; it is added to the missing-key message.
    """
    if (text := os.environ.get(KEY_ENV)) is not None:
        return _checked(text.encode("utf-8").strip(), f"the environment variable {KEY_ENV}", sample)
    if key_file is not None and key_file.exists():
        _private(key_file)
        return _checked(key_file.read_bytes().strip(), f"the key file {key_file}", sample)
    if sample:
        return DEMO_KEY
    where = f" or create the key file {key_file}" if key_file is not None else ""
    reason = f"{not_sample}: " if not_sample else ""
    raise MissingKeyError(f"{reason}no pseudonymisation key: set the environment variable {KEY_ENV}{where} {_ADVICE}")


def _checked(key: bytes, where: str, sample: bool) -> bytes:
    """``key`` if it is strong enough; else :class:`WeakKeyError` naming where it came from (never the key)."""
    if not key:
        raise WeakKeyError(f"{where} is empty: write a pseudonymisation key of at least {MIN_KEY_CHARACTERS} "
                           f"characters {_ADVICE}")
    text = key.decode("utf-8", "replace")  # characters count, not bytes
    if len(text) < MIN_KEY_CHARACTERS:
        raise WeakKeyError(f"the pseudonymisation key in {where} is too short: use at least "
                           f"{MIN_KEY_CHARACTERS} characters, e.g. the output of `openssl rand -base64 24` {_ADVICE}")
    if len({c for c in text if not c.isspace()}) < MIN_KEY_DISTINCT:  # spaces are no secret
        raise WeakKeyError(f"the pseudonymisation key in {where} repeats a few characters: use at least "
                           f"{MIN_KEY_DISTINCT} different ones, e.g. the output of `openssl rand -base64 24` {_ADVICE}")
    if key == DEMO_KEY and not sample:
        raise WeakKeyError(f"{where} holds the public demo key of the bundled sample: real data needs its own key")
    return key


def _private(key_file: Path) -> None:
    """Refuse a key file that other users of the machine can read or change (as ssh refuses such a private
    key): whoever reads the key can re-identify people by hashing candidate ID numbers."""
    info = key_file.stat()
    if not stat.S_ISREG(info.st_mode):  # a fifo would hang the run, a folder end it in a traceback
        raise WeakKeyError(f"the key file {key_file} is not a file (a folder, a fifo or a device): write the key in "
                           "a file")
    if os.name == "posix" and info.st_uid not in (os.getuid(), 0):  # as ssh: its owner could change the key
        raise WeakKeyError(f"the key file {key_file} is owned by another user (uid {info.st_uid}), who can change "
                           f"it: `chown {os.getuid()} {key_file}`")
    mode = info.st_mode & 0o777
    if os.name == "posix" and mode & 0o077:
        raise WeakKeyError(f"the key file {key_file} can be read or changed by other users (mode {mode:o}): make it "
                           f"private with `chmod 600 {key_file}`")


def fingerprint(key: bytes) -> str:
    """16 hex characters that identify ``key`` without revealing it: HMAC-SHA256(key, "fingerprint").

    Recorded with each quarter in ``quality.json``, so that quarters pseudonymised with different keys are
    detected. Keyed like the pseudonyms themselves: it tells nothing about the key that they do not.
    """
    return hmac.new(key, b"fingerprint", hashlib.sha256).hexdigest()[:16]


def _hashed(texts: pa.Array, key: bytes) -> pa.Array:
    """The pseudonym of each text (null stays null)."""
    digest = _hmac_sha256(key)
    return pa.array([None if text is None else digest(text) for text in texts.to_pylist()], pa.large_string())


@contextmanager
def hashing(texts: dict[str, pa.Array], key: bytes) -> Iterator[dict[str, Callable[[], pa.Array]]]:
    """Start hashing each column's distinct identifier texts; yields per column a function returning them.

    Hashing is pure Python on one core. With many identifiers (:data:`BACKGROUND_FROM`) it runs in a worker
    process (``python -m helpers.clean.pseudonymise``, fed through pipes: nothing touches the disk) while the caller
    goes on with other work; with few it is done on demand, since starting a process would cost more.
    """
    if sum(len(values) for values in texts.values()) < BACKGROUND_FROM:
        yield {column: partial(_hashed, values, key) for column, values in texts.items()}
        return
    table = pa.table({"text": pa.concat_arrays(list(texts.values()))}).replace_schema_metadata({"key": key})
    starts = dict(zip(texts, np.cumsum([0, *map(len, texts.values())])[:-1].tolist(), strict=True))
    worker = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    feeder = threading.Thread(target=_send, args=(table, worker.stdin), daemon=True)
    feeder.start()  # the worker reads everything before it answers, so this ends once it has
    result: list[pa.Array] = []

    def column(name: str) -> pa.Array:
        if not result:
            with suppress(pa.ArrowInvalid):  # no answer at all: the exit code tells
                result.append(pa.ipc.open_stream(worker.stdout).read_all()["pseudonym"].combine_chunks())
            feeder.join()
            if worker.wait() or not result:
                raise RuntimeError(f"the pseudonymisation worker failed (exit code {worker.returncode})")
        return result[0].slice(starts[name], len(texts[name]))

    try:
        yield {name: partial(column, name) for name in texts}
    finally:  # also when the caller failed meanwhile: no worker outlives the run
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        worker.stdout.close()


def _send(table: pa.Table, pipe) -> None:
    with suppress(BrokenPipeError, OSError):  # a worker that died is reported by the reader
        with pa.ipc.new_stream(pipe, table.schema) as writer:
            writer.write_table(table)
        pipe.close()


def _serve() -> None:
    """The worker: read identifier texts (and the key) from stdin, write their pseudonyms to stdout."""
    table = pa.ipc.open_stream(sys.stdin.buffer).read_all()
    texts, key = table["text"], table.schema.metadata[b"key"]
    batch = 1 << 16  # texts held as Python strings at a time: the worker stays small
    hashed = pa.table({"pseudonym": pa.chunked_array(
        [_hashed(texts.slice(start, batch).combine_chunks(), key) for start in range(0, len(texts), batch)],
        pa.large_string())})
    with pa.ipc.new_stream(sys.stdout.buffer, hashed.schema) as writer:
        writer.write_table(hashed)


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


if __name__ == "__main__":
    _serve()
