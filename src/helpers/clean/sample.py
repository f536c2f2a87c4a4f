"""Is a raw folder the bundled, generated sample? Only then does it run with the public demo key: the sample's
manifest must sit beside exactly the sample's files, byte for byte (``config/sample-files.sha256``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers import config
from helpers.ingest.sources import discover_sources
from helpers.paths import CONFIG_DIR, SAMPLE_LATE_DIR

SAMPLE_FILES = CONFIG_DIR / "sample-files.sha256"
"""SHA-256 of each data file of the bundled sample as ``python -m samplegen`` writes it (the demo key's files)."""


def is_sample(folder: Path) -> bool:
    """True when ``folder`` holds the bundled, generated sample (it runs with the public demo key)."""
    return sample_check(Path(folder))[0]


def sample_check(folder: Path) -> tuple[bool, str]:
    """Whether ``folder`` is the generated sample, and if a manifest is there but does not match, why not.

    The folder is the sample only when it has the sample's manifest and the files the cleaner would read are
    exactly the bundled sample's files of its quarter (with or without the quarter's late files), byte for
    byte, as listed in the repository's ``SAMPLE_FILES``. The manifest is only a marker: it sits beside the
    files it would vouch for, so a copied or edited manifest never switches real files to the public demo key.
    """
    marker = folder / config.setting("sample_marker")
    if not marker.is_file():
        return False, ""
    mismatch = f"{marker.name} does not match the files: real data needs a key"
    listed, q = sample_files(), folder.name
    own = {name.removeprefix(f"{q}/"): digest for name, digest in listed.items() if name.startswith(f"{q}/")}
    late_prefix = f"{SAMPLE_LATE_DIR}/{q}/"
    late = {name.removeprefix(late_prefix): digest for name, digest in listed.items() if name.startswith(late_prefix)}
    present = {path.relative_to(folder).as_posix(): path for path in discover_sources(folder)}
    if not own or set(present) not in (set(own), set(own) | set(late)):
        return False, mismatch
    expected = {**late, **own}
    for name, path in present.items():
        with path.open("rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != expected[name]:
                return False, mismatch
    return True, ""


def sample_files() -> dict[str, str]:
    """The bundled sample's data files (path from the raw folder, ``<Q>/...`` or ``late/<Q>/...`` → SHA-256),
    from ``SAMPLE_FILES`` (``sha256sum`` format)."""
    lines = SAMPLE_FILES.read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if line.strip())}
