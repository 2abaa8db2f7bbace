"""Standards in: detect the format of a source and load it (layout, FtM, OCDS, BODS).

:func:`detect_format` looks at a file's first record, or a folder's files;
:func:`load_any` loads a layout folder (:func:`loaders.load.load_folder`) or a file
or folder of FollowTheMoney (:mod:`loaders.standards.ftm`), OCDS (:mod:`loaders.standards.ocds`) or
BODS (:mod:`loaders.standards.bods`) files. Every standard goes through the layout's own
validation and set-aside, in the one load pipeline (:mod:`loaders.pipeline`).

Examples
--------
>>> import tempfile
>>> from graph.store import open_store
>>> d = Path(tempfile.mkdtemp())
>>> _ = (d / "r.json").write_text('{"ocid": "ocds-1", "tender": {}}', encoding="utf-8")
>>> detect_format(d / "r.json"), detect_format(d)
('ocds', 'ocds')
>>> store = open_store(d / "case.db")
>>> load_any(d, store).format
'ocds'
>>> store.close()
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Literal

from graph.errors import InputError
from graph.store import Store
from lang import _
from loaders.layout import TABLES
from loaders.load import load_folder
from loaders.report import LoadReport, Progress

Format = Literal["layout", "ftm", "ocds", "bods"]
FORMATS: tuple[str, ...] = ("layout", "ftm", "ocds", "bods")
#: File name endings read as JSON sources in a folder (others are listed as ignored).
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".ijson", ".json.gz", ".jsonl.gz", ".gz")
_OCDS_KEYS = {"ocid", "releases", "records", "compiledRelease", "versionedRelease"}


def _kind_of_record(value: Any) -> str:
    """The standard one JSON record belongs to ('' when it is none of them).

    Examples
    --------
    >>> _kind_of_record({"id": "x", "schema": "Person", "properties": {}})
    'ftm'
    >>> _kind_of_record({"statementType": "entityStatement"}), _kind_of_record({"ocid": "o"})
    ('bods', 'ocds')
    """
    if isinstance(value, list):
        return _kind_of_record(value[0]) if value else ""
    if not isinstance(value, dict):
        return ""
    if "schema" in value and "id" in value:
        return "ftm"
    if "statementType" in value or "recordType" in value or "statementID" in value:
        return "bods"
    if _OCDS_KEYS & set(value):
        return "ocds"
    return ""


def source_files(folder: Path) -> tuple[list[Path], list[str]]:
    """JSON source files under ``folder`` (recursively, sorted) and the other file names."""
    files, other = [], []
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or any(part.startswith(".") for part in p.relative_to(folder).parts):
            continue
        if p.name.lower().endswith(JSON_SUFFIXES):
            files.append(p)
        else:
            other.append(str(p.relative_to(folder)))
    return files, other


def _file_format(path: Path, *, refuse: bool = False) -> str:
    """The standard of one file's first good record ('' when none); with ``refuse``, a
    file over an input limit is refused here rather than called unrecognised."""
    from loaders.limits import LimitError
    from loaders.standards import jsonio

    first_error = ""
    try:
        for item in jsonio.records(path):
            if item.error:
                first_error = first_error or _("line {line}: {error}").format(
                    line=item.line, error=item.error)
                continue
            if item.container in ("releases", "records"):
                return "ocds"
            return _kind_of_record(item.value)
    except LimitError:
        if refuse:
            raise
        return ""
    except InputError:
        return ""
    if refuse and first_error:
        raise InputError(_("{file}: no record can be read ({error})").format(
            file=path, error=first_error),
            hint=_("fix the file, or pass --format ftm|ocds|bods to set its bad lines aside"))
    return ""


def detect_format(path: Path) -> Format:
    """``layout`` for a folder of layout tables, else the standard of the JSON files.

    A folder of JSON files takes the format most of its files have. Raises
    :class:`~graph.errors.InputError` when nothing is recognised.
    """
    if not path.exists():
        raise InputError(_("{path}: no such file or folder").format(path=path),
                         hint=_("check the path"))
    if path.is_dir():
        if any(p.is_file() and p.stem.lower() in TABLES and p.suffix.lower() in (".csv", ".xlsx")
               for p in path.iterdir()):
            return "layout"
        files, _ignored = source_files(path)
        votes = Counter(f for f in (_file_format(p) for p in files[:200]) if f)
        if votes:
            return _format(votes.most_common(1)[0][0])
        raise InputError(_("{path}: holds neither layout tables (persons.csv, ...) nor JSON "
                           "files of FollowTheMoney, OCDS or BODS").format(path=path),
                         hint=_("pass --format, or check the folder"))
    if path.suffix.lower() in (".csv", ".xlsx"):
        raise InputError(_("{path}: a single table file; the layout loader reads a folder")
                         .format(path=path),
                         hint=_("pass the folder that holds it (or a mapping with --mapping)"))
    found = _file_format(path, refuse=True)
    if not found:
        raise InputError(_("{path}: is not recognisably FollowTheMoney, OCDS or BODS JSON")
                         .format(path=path),
                         hint=_("pass --format ftm|ocds|bods to read it as one of them"))
    return _format(found)


def _format(name: str) -> Format:
    for f in ("layout", "ftm", "ocds", "bods"):
        if f == name:
            return f
    raise InputError(_("unknown format {format!r}").format(format=name),
                     hint=_("use one of {formats}").format(formats=", ".join(FORMATS)))


def load_any(path: Path, store: Store, fmt: str | None = None,
             progress: Progress | None = None, **options: Any) -> LoadReport:
    """Load ``path`` (a layout folder, or a file or folder of FtM, OCDS or BODS JSON).

    ``fmt`` (``auto``/None to detect) chooses the reader; ``options`` go to it
    (``strict``, ``encoding``; ``delimiter`` for layout folders).
    """
    chosen = detect_format(path) if fmt in (None, "", "auto") else _format(str(fmt))
    if chosen == "layout":
        return load_folder(path, store, progress=progress, **options)
    from loaders.standards.bods import load_bods
    from loaders.standards.ftm import load_ftm
    from loaders.standards.ocds import load_ocds

    options.pop("delimiter", None)
    ignored: list[str] = []
    if path.is_dir():
        files, ignored = source_files(path)
        if not files:
            raise InputError(_("{path}: no JSON file in the folder").format(path=path),
                             hint=_("pass a file or a folder of .json/.jsonl/.json.gz files"))
    elif path.exists():
        files = [path]
    else:
        raise InputError(_("{path}: no such file or folder").format(path=path),
                         hint=_("check the path"))
    loader = {"ftm": load_ftm, "ocds": load_ocds, "bods": load_bods}[chosen]
    return loader(files, store, progress=progress, source=str(path.resolve()),
                  ignored=ignored, **options)
