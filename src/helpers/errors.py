"""The project's exception classes, in one place (as papermill keeps its own): what can stop a run, and why.

Every class derives from :class:`ReportError` (and, where it helps a caller, from the built-in exception it is a
kind of). Those that say what is wrong with the data or the key derive from :class:`DataStop`: a run shows their
message as it is, without notebook and cell. A notebook's failure reaches the pipeline as the name of its class
(papermill reports no more); :func:`raised` turns that name back into the class, so failures are classified by
their place in this hierarchy.
"""

from __future__ import annotations


class ReportError(Exception):
    """Anything the project raises on purpose."""


class DataStop(ReportError):
    """The data or the key are not fit for a report: the message says what to fix, and is shown as it is."""


def raised(name: str) -> type[ReportError] | None:
    """The project's exception class called ``name`` (an exception's class name, as papermill reports it);
    None for a name that is not one of them (an error of Python or of a library)."""
    found, classes = None, [ReportError]
    while classes:
        cls = classes.pop()
        found = cls if cls.__name__ == name and cls.__module__ == __name__ else found
        classes.extend(cls.__subclasses__())
    return found


# Configuration
class ConfigError(ReportError, ValueError):
    """A file of ``config/`` does not fit its declared model; the message names the file and the key."""


# Reading
class WrongEncodingError(ReportError):
    """The bytes of a CSV are not in the encoding tried (for UTF-8: the reader retries with a Turkish single-byte
    code page); never leaves the reader."""


class SourceReadError(ReportError):
    """A raw file that cannot be read at all (corrupt workbook, no recognisable header row, ...): ``reason`` is
    the whole story for whoever holds the file, ``kind`` its code, which a report prints in its reader's words
    (``unreadable`` of ``config/reasons.yml``: the reason may quote names from inside the file)."""

    def __init__(self, source: str, reason: str, kind: str):
        super().__init__(f"cannot read {source}: {reason}")
        self.source = source
        self.reason = reason
        self.kind = kind

    def __reduce__(self):  # travels back from the child process that reads workbooks
        return type(self), (self.source, self.reason, self.kind)


class NestedTooDeepError(SourceReadError):
    """A raw folder whose sub-folders nest deeper than a walk of it can go (Python's recursion limit)."""

    def __init__(self, source: str, reason: str = "its folders are nested too deep to be walked (more than a few "
                                                  "hundred levels): move the data files up", kind: str = "nested"):
        super().__init__(source, reason, kind)


# Cleaning
class NoSourcesError(ReportError, FileNotFoundError):
    """The quarter's raw folder holds no CSV or XLSX file."""


class ReconciliationError(ReportError, RuntimeError):
    """Rows were lost: read ≠ kept + dropped."""


class DataLossError(DataStop, RuntimeError):
    """The quarter's data look wrong (too many rows rejected or dated elsewhere).

    See :func:`helpers.clean.losses.stop_on_losses`.
    """


class NoRecordsError(DataLossError):
    """No row of the quarter was kept: there is nothing to report."""


class PublishedTotalsError(DataStop, ValueError):
    """The hand-kept table of published totals is not right; the message names the file, the row and why."""


class VocabularyError(ReportError, ValueError):
    """A configured spelling (vocabulary word, activity code or label) means two different things."""


class MissingKeyError(DataStop, RuntimeError):
    """No usable pseudonymisation key was provided for a run on real data."""


class WeakKeyError(MissingKeyError):
    """The key given is empty, too short or the public demo key; the message never holds the key."""


# Measuring
class UnpublishedDimensionError(ReportError, KeyError):
    """A table or figure asked for a free-text dimension that config does not allow to be published."""

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownLookupError(ReportError, KeyError):
    """An indicator, dimension, category or report section asked for that neither the indicators nor the
    configuration know (a misspelling): refused, naming it and the nearest known names, instead of printing 0."""

    def __str__(self) -> str:
        return str(self.args[0])


# Publishing
class NarrativeError(ReportError, ValueError):
    """A placeholder or heading in the narrative does not match the report, or the narrative tries more than
    placeholders."""


class SectionOrderError(ReportError, RuntimeError):
    """The report notebook started its sections out of ``config/report.yml``'s order, or one twice."""


class NotebookErrorOutput(ReportError, RuntimeError):
    """The notebook holds an error output, so a report made from it would silently miss a part."""


# Running
class CheckUsageError(ReportError, ValueError):
    """A check asked for in a way that cannot be honoured (a malformed quarter, an output folder where nothing
    may be written)."""


class PipelineError(ReportError, RuntimeError):
    """A run failed; the message is the one-line reason shown to the user."""
