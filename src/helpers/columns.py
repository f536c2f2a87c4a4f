"""The record's columns as the layers need them, each list derived from the record schema of ``config/columns.yml``
(``record:``, :func:`helpers.config.record`): no module keeps its own list of columns."""

from __future__ import annotations

from helpers import config


def identifier_columns() -> list[str]:
    """The record columns holding identifiers (pseudonymised before anything is written)."""
    return [name for name, column in config.record().items() if column.parser == "identifier"]


def duplicate_key() -> list[str]:
    """The record columns that carry raw values: a record equal on all of them to an earlier one is a duplicate.
    Columns derived only from other record columns are equal whenever those are, and are left out."""
    return [name for name, column in config.record().items() if column.parser not in ("run", "reader", "derived")
            or name in column.derived_from]


def raw_read() -> set[str]:
    """The raw columns (``columns.yml`` ``columns``) that the record's columns read."""
    return {name for name, column in config.record().items() if column.parser not in ("run", "derived")} | \
        {raw for column in config.record().values() for raw in [*column.reads, *column.derived_from]}


def coded_columns() -> dict[str, str]:
    """Each record column coded with a vocabulary, in record order → the vocabulary's name."""
    return {name: column.vocabulary for name, column in config.record().items() if column.vocabulary}
