"""A run's outputs written beside the live ones and moved into place together, or not at all.

A run writes into staging folders (``data/processed/.<Q>.staging-*/``, ``reports/.<Q>.staging-*/``); when it has
succeeded, its processed data, the history and the report take the place of the live ones by renames
(:func:`move_into_place`), listed first in a journal so that a run killed between two renames is completed by the
next command (:func:`recover`). A lock per quarter (:func:`locked`) refuses a second run of it meanwhile; runs of
different quarters take turns to move their outputs into place (the lock :data:`OUTPUTS_LOCK` of the processed
root, which ``quarterly-report publish`` also takes).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from filelock import FileLock, Timeout

from helpers.errors import PipelineError
from helpers.paths import Quarter, lock_file, replacing

log = logging.getLogger(__name__)

OUTPUTS_LOCK = "outputs"  # the processed root's lock held while a run's outputs are moved into place
MOVE_WAIT = 600  # seconds a run waits for another quarter's run to move its outputs into place (renames: seconds)
JOURNAL = "moves-journal.json"  # beside the processed data while a run's renames are under way


@contextmanager
def locked(quarter: Quarter, processed: Path) -> Iterator[None]:
    """Hold the quarter's lock (in the processed root, which guards the reports root published with it); a
    second run of the quarter meanwhile is refused at once.

    The lock is an OS file lock (``flock``): it dies with its process, so a killed run never blocks the next.
    """
    with held(lock_file(processed, str(quarter)), 0, "another run of {quarter} is in progress (it holds {lock}); "
               "wait for it to finish", quarter=str(quarter)):
        yield


@contextmanager
def held(path: Path, timeout: float, refusal: str, **words: str) -> Iterator[None]:
    """Hold the file lock ``path``, waiting up to ``timeout`` seconds; else stop with ``refusal`` (formatted with
    ``words`` and the lock's path)."""
    lock = FileLock(path, timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise PipelineError(refusal.format(lock=path, **words)) from None
    try:
        yield
    finally:
        lock.release()


def tidy(quarter: Quarter, processed: Path, reports: Path) -> None:
    """Remove the staging folders that crashed runs of the quarter left (called under the lock: none runs).

    A run killed while publishing left the previous outputs in its staging folder's ``previous/``: those whose
    published place is empty are put back first.
    """
    for root in (processed, reports):
        for left in sorted(root.glob(f".{quarter}.staging-*")):
            for kept in sorted(left.joinpath("previous").glob("*")):
                if not (root / kept.name).exists():
                    kept.rename(root / kept.name)
            shutil.rmtree(left, ignore_errors=True)


class Move(NamedTuple):
    """A staged path and its published place; ``previous`` (in the staging folder) keeps what it replaces
    until every move is done. ``prepare`` runs under the publishing lock just before the renames."""

    staged: Path
    published: Path
    previous: Path
    prepare: Callable[[], None] | None = None


def journal_path(quarter: Quarter, processed: Path) -> Path:
    """The journal of a quarter's publishing renames, beside its processed data while they are under way."""
    return Path(processed) / f".{quarter}.{JOURNAL}"


def move_into_place(moves: list[Move | tuple[Path, Path, Path]], processed: Path, journal: Path | None = None) -> None:
    """Move each staged path onto its published place, all or nothing, one run at a time (the publishing lock
    of the ``processed`` root).

    The published path is first renamed to ``previous`` (on the same file system), then the staged one takes
    its place. If any rename fails, the ones done are undone, so processed data, history and report stay
    together. The renames are listed in ``journal`` first and it is removed once they are all done: a run
    killed between two renames leaves the journal, and the next command completes them (:func:`recover`).
    """
    moves = [Move(*move) for move in moves]
    with held(lock_file(processed, OUTPUTS_LOCK), MOVE_WAIT, "another run has been moving its outputs into place for "
               "{wait} s (it holds {lock}); nothing was changed", wait=str(MOVE_WAIT)):
        for move in moves:
            if move.prepare:
                move.prepare()
        if journal is not None:
            with replacing(journal) as tmp:
                tmp.write_text(json.dumps({"moves": [[str(m.staged), str(m.published), str(m.previous)]
                                                     for m in moves]}), encoding="utf-8")
        try:
            _rename_all(moves)
        finally:  # done, or undone by _rename_all: nothing to complete
            if journal is not None:
                journal.unlink(missing_ok=True)


def recover(processed: Path, reports: Path) -> list[str]:
    """Complete the publishing renames of runs killed half-way (their journals), before anything else is done:
    the staged processed data, history and report are all complete by then, so the set is finished, never
    left mixed. A quarter whose run is alive (it holds the lock) is left to it. Returns what was completed (logged;
    the command says it)."""
    done = []
    for journal in sorted(Path(processed).glob(f".*.{JOURNAL}")):
        try:
            quarter = Quarter.parse(journal.name.split(".")[1])  # a journal's name: read from disk
        except ValueError:  # not a run's journal
            continue
        try:
            with locked(quarter, processed):
                if journal.is_file():
                    _complete(journal)
                    done.append(f"completed the moving into place of a run of {quarter} that was stopped half-way")
        except PipelineError:
            continue
    for line in done:
        log.warning(line)
    return done


def _complete(journal: Path) -> None:
    """Finish the renames a journal lists: each staged path not yet in place takes its place."""
    moves = [Move(*map(Path, move)) for move in json.loads(journal.read_text(encoding="utf-8"))["moves"]]
    for move in moves:
        if not move.staged.exists():
            continue  # moved already
        if move.published.exists() and not move.previous.exists():
            move.previous.parent.mkdir(exist_ok=True)
            move.published.rename(move.previous)
        elif move.published.exists():
            raise PipelineError(f"cannot complete {journal}: {move.published} and {move.previous} both exist")
        move.staged.rename(move.published)
    journal.unlink()


def _rename_all(moves: list[Move]) -> None:
    """The renames of :func:`_publish`; a failed one undoes those before it."""
    done: list[Move] = []
    try:
        for move in moves:
            move.previous.parent.mkdir(exist_ok=True)
            if move.published.exists():
                move.published.rename(move.previous)
            done.append(move)
            move.staged.rename(move.published)
    except OSError as error:
        for staged, published, previous, _ in reversed(done):
            if not staged.exists() and published.exists():
                published.rename(staged)
            if previous.exists():
                previous.rename(published)
        raise PipelineError(f"could not move the run's outputs into place ({error}); the previous outputs are "
                            "unchanged") from None


def make_folder(path: Path) -> Path:
    """A new folder with the permissions of the umask (``tempfile.mkdtemp`` would make it private)."""
    path.mkdir(parents=True)
    return path
