"""The record's columns as the layers need them, each list derived from the record schema of ``config/columns.yml``
(``record:``, :meth:`helpers.config.Configuration.record`) of the run's configuration: no module keeps its own list
of columns."""

from __future__ import annotations

from helpers.config import Configuration


def identifier_columns(cfg: Configuration) -> list[str]:
    """The record columns holding identifiers (pseudonymised before anything is written)."""
    return [name for name, column in cfg.record().items() if column.parser == "identifier"]


def duplicate_key(cfg: Configuration) -> list[str]:
    """The record columns that carry raw values: a record equal on all of them to an earlier one is a duplicate.
    Columns derived only from other record columns are equal whenever those are, and are left out."""
    return [name for name, column in cfg.record().items() if column.parser not in ("run", "reader", "derived")
            or name in column.derived_from]


def raw_read(cfg: Configuration) -> set[str]:
    """The raw columns (``columns.yml`` ``columns``) that the record's columns read."""
    record = cfg.record()
    return {name for name, column in record.items() if column.parser not in ("run", "derived")} | \
        {raw for column in record.values() for raw in [*column.reads, *column.derived_from]}


def coded_columns(cfg: Configuration) -> dict[str, str]:
    """Each record column coded with a vocabulary, in record order → the vocabulary's name."""
    return {name: column.vocabulary for name, column in cfg.record().items() if column.vocabulary}
