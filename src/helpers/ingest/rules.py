"""How raw headers are recognised: the reading rules of ``config/columns.yml`` (columns, aliases, HXL hashtag
patterns, direct identifiers, KoboToolbox metadata, shapes, totals words, workbook limits).

A header is matched as written, without its parenthesised part, and by each ``/`` part from the last
(KoboToolbox group paths); each rule is decided once, here, for every reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from hxl.model import Column, TagPattern

from helpers import config
from helpers.config import Configuration
from helpers.text import fold, header_key

PARENTHESES = re.compile(r"\(([^)]*)\)")  # a parenthesised part of a header, and what it says
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")  # a unit or note in brackets
_GROUP_SEPARATORS = re.compile(r"[/.]|\s+-\s+|(?<=\S)-(?=\S)")  # a Kobo group path's separators
_TRAILING_NUMBER = re.compile(r"\d+$")

# Why a raw header was or was not mapped (RawTable.mapping).
ALIAS, HXL, IDENTIFIER, METADATA, UNKNOWN = (
    "alias", "hxl", "identifier (dropped)", "kobo metadata (ignored)", "unknown (ignored)")



@dataclass(frozen=True)
class ReadingRules:
    """How raw headers and rows are recognised (``config/columns.yml``): columns, aliases, identifiers, ..."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    header_search_rows: int
    aliases: dict[str, str]
    identifiers: frozenset[str]
    rank: dict[str, int] = field(default_factory=dict)  # alias key -> its place in its column's list
    hxl: tuple[tuple[str, str], ...] = ()  # (column, HXL tag pattern)
    metadata: frozenset[str] = frozenset()  # folded whole headers
    repeat_markers: frozenset[str] = frozenset()
    shapes: tuple[tuple[str, frozenset[str]], ...] = ()
    summary_words: frozenset[str] = frozenset()
    max_cells: int = 50_000_000
    max_uncompressed_bytes: int = 2000 << 20
    max_reader_memory_bytes: int = 4000 << 20
    #: the forms an export may belong to (helpers.ingest.forms.FormReading), and the one a table was found to be
    forms: tuple = ()
    form: object = None

    def is_identifier(self, header: object) -> bool:
        """True when the header names a direct identifier (name, phone, ID number, address, e-mail)."""
        return any(key in self.identifiers or _TRAILING_NUMBER.sub("", key) in self.identifiers
                   for key in _header_candidates(header))

    def is_metadata(self, header: object) -> bool:
        """True for a KoboToolbox metadata column (``_status``, ``start``, ...): never data."""
        return fold(header) in self.metadata

    def canonical(self, header: object) -> str | None:
        """The canonical column a header means; None for a blank, unknown, metadata or identifier header."""
        return self.map_header(header)[0]

    def map_header(self, header: object, tag: str | None = None) -> tuple[str | None, str]:
        """The canonical column a header (with its HXL hashtag, if any) means, and why."""
        if self.is_identifier(header):
            return None, IDENTIFIER
        if self.is_metadata(header):
            return None, METADATA
        if self.form is not None and (found := self.form.column(header)) is not None:
            return found
        if key := next((key for key in _header_candidates(header) if key in self.aliases), None):
            return self.aliases[key], ALIAS
        if tag and (column := self.hxl_column(tag)):
            return column, HXL
        return None, UNKNOWN

    def header_rank(self, header: object) -> int:
        """The place of the header's alias in its column's list (the canonical name is 0; HXL comes last)."""
        key = next((key for key in _header_candidates(header) if key in self.aliases), None)
        return self.rank.get(key, len(self.rank))

    def hxl_column(self, tag: str) -> str | None:
        """The one column whose HXL patterns match the hashtag; None when none or several do."""
        column = Column.parse(tag.strip()) if tag else None
        if not column:
            return None
        matches = {name for name, pattern in self.hxl if _tag_pattern(pattern).match(column)}
        return matches.pop() if len(matches) == 1 else None


@cache
def _tag_pattern(pattern: str) -> TagPattern:
    return TagPattern.parse(pattern)


def is_hxl_row(row: list[str]) -> bool:
    """True for an HXL hashtag row: at least one cell filled and every filled cell a hashtag (``#adm1+code``)."""
    cells = [cell.strip() for cell in row if cell and cell.strip()]
    return bool(cells) and all(cell.startswith("#") and Column.parse(cell) for cell in cells)


def _header_candidates(header: object) -> list[str]:
    """Keys to try for a header: as written, without a trailing colon, without brackets (units: ``Tutar (TL)``,
    ``Amount [TRY]``), then each part of a group path from the last, whatever the separator (``/``, ``-``,
    ``.``: KoboToolbox lets the exporter choose), each also without brackets."""
    text = "" if header is None else str(header)
    plain = text.strip().rstrip(":").strip()
    bare = _BRACKETS.sub(" ", plain)
    parts = [text, plain, bare, *reversed(plain.split("/")), *reversed(_GROUP_SEPARATORS.split(bare))]
    parts += [_BRACKETS.sub(" ", part) for part in _GROUP_SEPARATORS.split(plain)[::-1]]
    return [key for key in dict.fromkeys(header_key(part.strip().rstrip(":")) for part in parts) if key]


def load_columns(source: Configuration | Path) -> ReadingRules:
    """The reading rules of ``columns.yml`` (of the run's configuration, as it read it, or the file ``source``);
    an alias listed twice or also as an identifier is an error."""
    if isinstance(source, Configuration):
        return _configured_rules(source)
    path = Path(source)
    stat = path.stat()
    return _file_rules(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)  # per run's configuration
def _configured_rules(cfg: Configuration) -> ReadingRules:
    return _reading_rules(cfg.load("columns"), cfg.path("columns.yml"))


@cache
def _file_rules(path: Path, _mtime: int, _size: int) -> ReadingRules:
    return _reading_rules(config.read(path, "columns"), path)


def _reading_rules(settings: dict, path: Path) -> ReadingRules:
    aliases: dict[str, str] = {}
    rank: dict[str, int] = {}
    for name, entry in settings["columns"].items():
        for place, alias in enumerate([name, *(entry or {}).get("aliases", [])]):
            owner = aliases.setdefault(header_key(alias), name)
            if owner != name:
                raise ValueError(f"{path}: header {alias!r} is listed under both {owner} and {name}")
            rank.setdefault(header_key(alias), place)
    identifiers = frozenset(header_key(header) for header in settings["identifiers"])
    if clash := sorted(identifiers & aliases.keys()):
        raise ValueError(f"{path}: headers listed both as a column and as an identifier: {clash}")
    hxl = tuple((name, pattern) for name, entry in settings["columns"].items()
                for pattern in (entry or {}).get("hxl", []))
    for _, pattern in hxl:
        _tag_pattern(pattern)  # a malformed pattern fails here, when the configuration is loaded
    limits = settings["workbook_limits"]
    return ReadingRules(
        columns=tuple(settings["columns"]),
        required=tuple(name for name, entry in settings["columns"].items() if (entry or {}).get("required")),
        header_search_rows=int(settings["header_search_rows"]),
        aliases=aliases,
        identifiers=identifiers,
        rank=rank,
        hxl=hxl,
        metadata=frozenset(map(fold, settings["kobo_metadata"])),
        repeat_markers=frozenset(map(fold, settings["kobo_repeat_markers"])),
        shapes=tuple((shape, frozenset(map(fold, headers))) for shape, headers in settings["shapes"].items()),
        summary_words=frozenset(fold(word) for word in settings["summary_row_words"]),
        max_cells=int(limits["max_cells_per_sheet"]),
        max_uncompressed_bytes=int(limits["max_uncompressed_mb"]) << 20,
        max_reader_memory_bytes=int(limits["max_reader_memory_mb"]) << 20,
    )
