"""Load department exports through a mapping, with the layout loader's checks.

Each source file is matched to the mapping's ``file:`` patterns, each sheet
read once, each table block applied; the resulting layout tables go through
the load pipeline (:mod:`loaders.pipeline`) as one chunk, like a layout folder:
the same validation, identity resolution, set-aside and single-transaction
write, with provenance pointing at the export's own file, sheet and row.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import InputError
from graph.store import Store
from lang import _
from loaders.chunk import Chunk, Part
from loaders.layout import TABLES
from loaders.mapping.apply import MappedTable, apply_block
from loaders.mapping.nodes import MappingError
from loaders.mapping.sources import Sheet, read_sheet
from loaders.mapping.spec import Mapping, SourceBlock, parse_mapping
from loaders.pipeline import run
from loaders.report import LoadReport, Progress


@dataclass
class MappedLoadReport(LoadReport):
    """A :class:`~loaders.report.LoadReport` plus what the mapping did.

    Per table, ``read == loaded + set aside`` as for a layout folder; rows that
    ``distinct`` folded into an earlier row with the same id and values are not
    counted as read, but listed in ``merged``.
    """

    mapping: str = ""
    sources: list[str] = field(default_factory=list)
    merged: list[tuple[str, str, int]] = field(default_factory=list)
    """``(table, file, rows)`` folded into earlier rows by ``distinct``."""
    unused: list[str] = field(default_factory=list)
    """``file:`` patterns of the mapping that no given source matched."""

    def as_dict(self) -> dict[str, object]:
        """Plain-data form (for the audit log and JSON output)."""
        out = super().as_dict()
        out.update(mapping=self.mapping, sources=self.sources,
                   merged=[list(m) for m in self.merged], unused=self.unused)
        return out


def _matches(block: SourceBlock, path: Path) -> bool:
    pat = block.pattern.replace("\\", "/").lower()
    target = path.as_posix().lower()
    if "/" in pat:
        return fnmatch.fnmatch(target, "*" + pat if not pat.startswith("/") else pat)
    return fnmatch.fnmatch(path.name.lower(), pat)


def match_sources(mapping: Mapping, sources: list[Path]
                  ) -> tuple[list[tuple[SourceBlock, Path]], list[str], list[str]]:
    """Pairs (block, file) to read, the files of given folders no block reads, unused patterns.

    Without ``sources``, each pattern is looked up beside the mapping file.
    """
    pairs: list[tuple[SourceBlock, Path]] = []
    ignored: list[str] = []
    if not sources:
        here = mapping.path.parent
        for b in mapping.sources:
            found = sorted(p for p in here.glob(b.pattern) if p.is_file())
            if not found:
                raise MappingError(mapping.path, b.line, _("file '{pattern}' matches no file "
                                                           "in {folder}").format(
                    pattern=b.pattern, folder=here), hint=_(
                        "name the source files after the mapping (umbrella load --mapping "
                        "M.yaml FILE...)"))
            pairs += [(b, p) for p in found]
        return pairs, ignored, []
    for src in sources:
        if not src.exists():
            raise InputError(_("{path}: no such file or folder").format(path=src),
                             hint=_("check the source path"))
        files = sorted(p for p in src.iterdir() if p.is_file() and not p.name.startswith(".")) \
            if src.is_dir() else [src]
        for p in files:
            blocks = [b for b in mapping.sources if _matches(b, p)]
            if not blocks and not src.is_dir():
                patterns = ", ".join(b.pattern for b in mapping.sources)
                raise InputError(_("{file}: no source of {mapping} reads it (file patterns: "
                                   "{patterns})").format(file=p, mapping=mapping.path,
                                                         patterns=patterns),
                                 hint=_("add a source with file: {name} to the mapping, or "
                                        "leave the file out").format(name=p.name))
            if not blocks:
                ignored.append(str(p))
            pairs += [(b, p) for b in blocks]
    used = {id(b) for b, _file in pairs}
    if not pairs:
        raise InputError(_("{mapping}: none of its file patterns matches the sources given")
                         .format(mapping=mapping.path),
                         hint=_("check the file: patterns against the file names"))
    return pairs, ignored, [b.pattern for b in mapping.sources if id(b) not in used]


def map_sources(mapping: Mapping, sources: list[Path], *, encoding: str | None = None,
                progress: Progress | None = None
                ) -> tuple[list[MappedTable], list[str], list[str]]:
    """Read every matched source once and apply the table blocks, in layout order."""
    pairs, ignored, unused = match_sources(mapping, sources)
    sheets: dict[tuple[object, ...], Sheet] = {}
    mapped: list[MappedTable] = []
    for i, (b, path) in enumerate(pairs):
        if progress:
            progress(_("mapping {file}").format(file=path.name), i, len(pairs))
        at = (path, b.sheet, b.header_row, b.header_rows, b.encoding or encoding, b.delimiter)
        if at not in sheets:
            sheets[at] = read_sheet(path, b.sheet, header_row=b.header_row,
                                    header_rows=b.header_rows, encoding=b.encoding or encoding,
                                    delimiter=b.delimiter)
        mapped += [apply_block(t, sheets[at], mapping.path) for t in b.tables]
    order = list(TABLES)
    mapped.sort(key=lambda m: order.index(m.table))
    return mapped, ignored, unused


def _chunk(mapped: list[MappedTable]) -> Chunk:
    """Mapped tables as one chunk: set-aside records name the export's column and row."""
    return Chunk([Part.given(m.table, m.raw, m.source_records) for m in mapped])


def load_mapped(mapping_path: Path, sources: list[Path], store: Store,
                progress: Progress | None = None, *, strict: bool = False,
                encoding: str | None = None) -> MappedLoadReport:
    """Load ``sources`` through the mapping at ``mapping_path`` into ``store``, all or nothing.

    Rows are validated exactly as in a layout folder; set-aside records carry
    the source file (``file.xlsx#sheet`` for a worksheet), its physical line or
    Excel row, the source column and the row as written. A mapping problem
    raises :class:`~loaders.mapping.nodes.MappingError` naming the mapping's line.

    Examples
    --------
    >>> import tempfile
    >>> from graph.store import open_store
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "亲属.csv").write_bytes("姓名,编号\\n张三,P1\\n,P2\\n".encode("gbk"))
    >>> _ = (d / "m.yaml").write_text("sources:\\n  - file: 亲属.csv\\n    tables:\\n"
    ...     "      - table: persons\\n        fields: {person_id: 编号, name: 姓名}\\n",
    ...     encoding="utf-8")
    >>> store = open_store(d / "case.db")
    >>> r = load_mapped(d / "m.yaml", [d / "亲属.csv"], store)
    >>> r.read, r.loaded, [(x.line, x.column, x.code) for x in r.set_aside]
    (2, 1, [(3, '姓名', 'missing_required')])
    >>> store.close()
    """
    mapping = parse_mapping(mapping_path)
    mapped, ignored, unused = map_sources(mapping, list(sources), encoding=encoding,
                                          progress=progress)
    report = MappedLoadReport(
        str(mapping_path.resolve()), ignored_files=ignored, mapping=str(mapping_path.resolve()),
        sources=[str(s.resolve()) for s in sources], unused=unused,
        merged=[(m.table, m.sheet.label, m.merged) for m in mapped if m.merged])
    return run([_chunk(mapped)], store, report, strict=strict, progress=progress)
