"""OCDS JSON lines stream in bounded memory: the peak does not grow with the file.

The suite runs a pair of small files (0.6 and 1.2 MB) with small chunks; set
``UMBRELLA_STREAM_MB`` (e.g. 60) to run the same check on a file of that size and one of
half of it, with the default chunk size.
Measured so (tracemalloc peak, default chunks of 20,000 rows): 7 MB → 19 MB,
14 MB → 29 MB, 29 MB → 34 MB, 57 MB → 34 MB.
"""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

from graph.store import SqliteStore
from loaders.standards.ocds import load_ocds
from synthetic.ocds import write_releases


def _peak(path: Path, db: Path, chunk_rows: int) -> tuple[int, int]:
    store = SqliteStore(db)
    tracemalloc.start()
    try:
        report = load_ocds(path, store, chunk_rows=chunk_rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        store.close()
    assert report.set_aside_count == 0
    return peak, report.loaded


def test_peak_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    big_mb = float(os.environ.get("UMBRELLA_STREAM_MB", "0"))
    sizes, chunk = ((big_mb / 2, big_mb), 20_000) if big_mb else ((0.6, 1.2), 3_000)
    peaks = []
    for n, mb in enumerate(sizes):
        f = tmp_path / f"r{n}.jsonl"
        records = write_releases(f, mb)
        peak, loaded = _peak(f, tmp_path / f"r{n}.db", chunk)
        assert loaded == records * 8  # buyer, 3 firms, the contract, 3 bids
        peaks.append((f.stat().st_size, peak))
    (small_size, small_peak), (big_size, big_peak) = peaks
    assert big_size > 1.9 * small_size
    assert big_peak < small_peak * 1.35 + 2e6, peaks  # not proportional to the file
    if big_mb:
        assert big_peak < big_size, peaks
