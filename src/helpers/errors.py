"""The project's exception classes, in one place (as papermill keeps its own): what can stop a run, and why.

Each module raises its own; callers (the pipeline, the CLI, tests) catch them by class from here.
"""

from __future__ import annotations


# Configuration
class ConfigError(ValueError):
    """A file of ``config/`` does not fit its declared model; the message names the file and the key."""


# Reading
class SourceReadError(Exception):
    """A raw file that cannot be read at all (corrupt workbook, no recognisable header row, ...)."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"cannot read {source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self):  # travels back from the child process that reads workbooks
        return type(self), (self.source, self.reason)


class NestedTooDeepError(SourceReadError):
    """A raw folder whose sub-folders nest deeper than a walk of it can go (Python's recursion limit)."""

    def __init__(self, source: str, reason: str = "its folders are nested too deep to be walked (more than a few "
                                                  "hundred levels): move the data files up"):
        super().__init__(source, reason)


# Cleaning
class NoSourcesError(FileNotFoundError):
    """The quarter's raw folder holds no CSV or XLSX file."""


class ReconciliationError(RuntimeError):
    """Rows were lost: read ≠ kept + dropped."""


class DataLossError(RuntimeError):
    """The quarter's data look wrong (too many rows rejected or dated elsewhere).

    See :func:`helpers.clean.losses.stop_on_losses`.
    """


class NoRecordsError(DataLossError):
    """No row of the quarter was kept: there is nothing to report."""


class PublishedTotalsError(ValueError):
    """The hand-kept table of published totals is not right; the message names the file, the row and why."""


class VocabularyError(ValueError):
    """A configured spelling (vocabulary word, activity code or label) means two different things."""


class MissingKeyError(RuntimeError):
    """No usable pseudonymisation key was provided for a run on real data."""


class WeakKeyError(MissingKeyError):
    """The key given is empty, too short or the public demo key; the message never holds the key."""


# Measuring
class UnpublishedDimensionError(KeyError):
    """A table or figure asked for a free-text dimension that config does not allow to be published."""

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownLookupError(KeyError):
    """An indicator, dimension, category or report section asked for that neither the indicators nor the
    configuration know (a misspelling): refused, naming it and the nearest known names, instead of printing 0."""

    def __str__(self) -> str:
        return str(self.args[0])


# Publishing
class NarrativeError(ValueError):
    """A placeholder or heading in the narrative does not match the report, or the narrative tries more than
    placeholders."""


class SectionOrderError(RuntimeError):
    """The report notebook started its sections out of ``config/report.yml``'s order, or one twice."""


class NotebookErrorOutput(RuntimeError):
    """The notebook holds an error output, so a report made from it would silently miss a part."""


# Running
class PipelineError(RuntimeError):
    """A run failed; the message is the one-line reason shown to the user."""
