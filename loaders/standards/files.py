"""Run a converter over one file or many, in chunks, turning whole-file problems into rows.

With one file, a whole-file problem (empty, not JSON, wrong encoding) stops the
load before anything is written, as for the layout loader. With several files
(a folder), the bad file is set aside with reason ``unreadable`` under the
pseudo-table ``(file)`` and the others load. Small files share chunks (see
:class:`~loaders.chunk.Chunk`).

Examples
--------
>>> from graph.errors import InputError
>>> def bad(p: Path, rows: Rows, step: int) -> Iterator[None]:
...     raise InputError(f"{p}: the file is empty")
...     yield None
>>> [r.code for c in chunked([Path("a.json"), Path("b.json")], bad) for r in c.unconverted]
['unreadable', 'unreadable']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from graph.errors import InputError
from lang import _
from loaders.chunk import Chunk
from loaders.standards.rows import Rows

FILE_TABLE = "(file)"
CHUNK_ROWS = 20_000


def chunked(paths: Sequence[Path], convert: Callable[[Path, Rows, int], Iterator[None]],
            chunk_rows: int = CHUNK_ROWS, passes: int = 1) -> Iterator[Chunk]:
    """Chunks of about ``chunk_rows`` rows.

    ``convert(path, rows, step)`` adds the rows of one file and yields after each
    record; with ``passes`` > 1 it is called for step 0, 1, ... over all files in
    turn (so a later step may refer to what earlier steps saw in any file). A file
    that fails is set aside once and skipped by the later steps.
    """
    rows = Rows(paths[0] if paths else Path("."), "json")
    failed: set[Path] = set()
    for step in range(passes):
        for path in paths:
            if path in failed:
                continue
            rows.use(path)
            try:
                for _record in convert(path, rows, step):
                    if rows.count >= chunk_rows:
                        yield rows.chunk()
            except InputError as err:
                if len(paths) == 1:
                    raise
                failed.add(path)
                rows.set_aside(0, "", "unreadable", _("{message} ({hint})").format(
                    message=err.message, hint=err.hint) if err.hint else err.message, FILE_TABLE)
    yield rows.chunk()
