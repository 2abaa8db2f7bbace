"""The store's tables as Parquet files: what the rules read, for Spark or any columnar tool.

One file per table, written a batch at a time (:meth:`queries.engine.Engine.export_parquet`):
``rel_<TYPE>``, ``ent_<kind>``, ``aliases`` and ``relation_sources``, with the columns
:mod:`graph.store.arrow` describes. Identity numbers are not among them.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, SqliteStore
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> store = SqliteStore(d / "case.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {"id_number": "x"})])
>>> counts = export_parquet(store.view(), d / "pq")
>>> counts["ent_person"], sorted(p.name for p in (d / "pq").iterdir())[:2]
(1, ['aliases.parquet', 'ent_case.parquet'])
>>> import pyarrow.parquet as pq
>>> "id_number" in pq.read_table(d / "pq" / "ent_person.parquet").column_names
False
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graph.store import StoreView
from queries.engine import Engine


def export_parquet(view: StoreView, folder: Path,
                   progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Write every table the rules read to ``folder``; returns rows written per table."""
    engine = Engine(view)
    try:
        return engine.export_parquet(folder, progress)
    finally:
        engine.close()
