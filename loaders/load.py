"""Load a folder in the data layout into a store.

A folder of ordinary size is one chunk of the load pipeline
(:mod:`loaders.pipeline`): its files are read in layout order, validated against
the store's ids, and written in one transaction with the load-log entry (all or
nothing). A folder whose files hold more than :func:`chunk_bytes` is loaded as a
stream of one chunk per file, in layout order, so that memory follows its largest
file rather than the whole folder: the checks are the same (a row may still name
a row below it in its own file, and references are checked against the files
before it), but each file is written in its own transaction; a stopped load leaves
the files written so far, and running it again completes it without duplicates.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "persons.csv").write_text("person_id,name\\nP1,张三\\nP2,\\n", encoding="utf-8")
>>> store = open_store(d / "case.db")
>>> report = load_folder(d, store)
>>> report.read, report.loaded, report.set_aside_count
(2, 1, 1)
>>> report.set_aside[0].code, report.set_aside[0].line
('missing_required', 3)
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from graph.errors import InputError
from graph.store import Store
from lang import _
from loaders.chunk import Chunk, ChunkSource, Part
from loaders.csvrecords import check_delimiter
from loaders.layout import TABLES
from loaders.limits import env_size
from loaders.pipeline import run
from loaders.read import RawTable, read_table_file
from loaders.report import LoadReport, Progress, TableReport

__all__ = ["LoadReport", "Progress", "TableReport", "chunk_bytes", "discover", "folder_chunk",
           "folder_chunks", "load_folder"]

#: The environment variable that sets when a large folder is loaded file by file.
CHUNK_BYTES_ENV = "UMBRELLA_CHUNK_BYTES"


def chunk_bytes() -> int:
    """Size of a folder's layout files above which it is loaded in chunks
    (``UMBRELLA_CHUNK_BYTES``, default 256 MiB; ``K``, ``M``, ``G`` count 1024s).

    Examples
    --------
    >>> import os
    >>> chunk_bytes() == 256 * 2**20 or "UMBRELLA_CHUNK_BYTES" in os.environ
    True
    """
    return env_size(CHUNK_BYTES_ENV, 256 * 2**20)


def discover(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """The layout files in ``folder`` (by table) and the names of other files there."""
    if not folder.exists():
        raise InputError(_("{folder}: no such folder").format(folder=folder),
                         hint=_("check the path of the data folder"))
    if not folder.is_dir():
        raise InputError(_("{folder}: is a file, not a folder").format(folder=folder),
                         hint=_("pass the folder that holds persons.csv, organizations.csv, ..."))
    found: dict[str, Path] = {}
    ignored: list[str] = []
    for path in sorted(folder.iterdir()):
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if path.is_file() and stem in TABLES and suffix in (".csv", ".xlsx"):
            if stem in found:
                raise InputError(
                    _("{folder}: both {first} and {second} hold table {table}").format(
                        folder=folder, first=found[stem].name, second=path.name, table=stem),
                    hint=_("keep one of the two files"))
            found[stem] = path
        elif not path.name.startswith("."):
            ignored.append(path.name)
    if not found:
        raise InputError(
            _("{folder}: no layout table found (expected files such as persons.csv, "
              "organizations.csv, contracts.xlsx)").format(folder=folder),
            hint=_("name the files after the tables of the data layout (see README, 'Data "
                   "layout')"))
    return {t: found[t] for t in TABLES if t in found}, ignored


def folder_chunk(folder: Path, *, encoding: str | None = None, delimiter: str = ","
                 ) -> tuple[Chunk, list[str]]:
    """The layout files of ``folder`` as one chunk (each file read when its turn comes),
    and the names of the other files there.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "persons.csv").write_text("person_id,name\\nP1,张三\\n", encoding="utf-8")
    >>> _ = (d / "notes.txt").write_text("x", encoding="utf-8")
    >>> chunk, ignored = folder_chunk(d)
    >>> [(p.table, p.label) for p in chunk.parts], ignored
    ([('persons', 'persons.csv')], ['notes.txt'])
    """
    delimiter = check_delimiter(delimiter)  # refused before any file is read
    files, ignored = discover(folder)
    return _chunk(files, encoding, delimiter), ignored


def _chunk(files: dict[str, Path], encoding: str | None, delimiter: str) -> Chunk:
    """``files`` (by table) as one chunk, each file read when its turn comes."""
    return Chunk([Part(table, _reader(path, encoding, delimiter), path.name)
                  for table, path in files.items()])


def _reader(path: Path, encoding: str | None, delimiter: str) -> Callable[[], RawTable]:
    return lambda: read_table_file(path, encoding, delimiter)


def folder_chunks(folder: Path, *, encoding: str | None = None, delimiter: str = ","
                  ) -> tuple[Sequence[Chunk] | ChunkSource, list[str]]:
    """The layout files of ``folder`` as the pipeline's chunks: one chunk when they hold
    at most :func:`chunk_bytes`, else a stream of one chunk per file (see the module
    notes); and the other files' names.

    Examples
    --------
    >>> import os, tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "persons.csv").write_text("person_id,name\\nP1,甲\\n", encoding="utf-8")
    >>> _ = (d / "positions.csv").write_text("person_id,org_id\\n", encoding="utf-8")
    >>> chunks, _ = folder_chunks(d)
    >>> [[p.table for p in c.parts] for c in chunks]
    [['persons', 'positions']]
    >>> os.environ[CHUNK_BYTES_ENV] = "0"
    >>> chunks, _ = folder_chunks(d)
    >>> [[p.table for p in c.parts] for c in chunks()]
    [['persons'], ['positions']]
    >>> del os.environ[CHUNK_BYTES_ENV]
    """
    delimiter = check_delimiter(delimiter)  # refused before any file is read
    files, ignored = discover(folder)
    chunk = _chunk(files, encoding, delimiter)
    if sum(p.stat().st_size for p in files.values()) <= chunk_bytes():
        return [chunk], ignored
    parts = chunk.ordered()
    return (lambda: (Chunk([p]) for p in parts)), ignored


def load_folder(folder: Path, store: Store, *, encoding: str | None = None,
                delimiter: str = ",", strict: bool = False,
                progress: Progress | None = None) -> LoadReport:
    """Validate every table of ``folder``, then write it to ``store``: in one transaction,
    or chunk by chunk for a large folder (see the module notes).

    A whole-file problem raises :class:`graph.errors.InputError` before anything is
    written (before the file's chunks are written, in a large folder); with ``strict``
    any set-aside row does too (a large folder is then checked whole in a first pass).
    Loading the same folder twice changes nothing.
    """
    chunks, ignored = folder_chunks(folder, encoding=encoding, delimiter=delimiter)
    report = LoadReport(str(folder.resolve()), ignored_files=ignored)
    return run(chunks, store, report, strict=strict, progress=progress)
