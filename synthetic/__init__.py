"""The synthetic county: realistic layout data with planted corruption patterns and their truth.

:func:`generate_county` writes one CSV per layout table into a folder and the
ground truth (what was planted where, which rows are bad, who is a duplicate
or a namesake) beside it as ``<folder>.truth.json``. Scale 1 is one county
of about 20,000 persons; larger scales add counties, smaller ones shrink it
(down to a floor of about 2,400 persons, so every planted pattern still fits;
contracts, payments and cases keep shrinking with the scale).

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()) / "county"
>>> g = generate_county(d, scale=0.05, seed=7)
>>> sorted(p.name for p in d.iterdir())[:3]
['bids.csv', 'case_roles.csv', 'cases.csv']
>>> g.truth_path.name, 2000 < g.rows["persons"] < 3000
('county.truth.json', True)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graph.errors import UmbrellaError
from graph.text import _
from loaders.layout import TABLES
from synthetic.alloc import Alloc
from synthetic.background import Rates
from synthetic.duplicates import NamesakeTracker
from synthetic.names import place_name
from synthetic.run import STAGES, Built, build_county
from synthetic.truth import (
    BadRow,
    Decoy,
    Duplicate,
    Network,
    Scheme,
    Truth,
    read_truth,
    write_truth,
)
from synthetic.truth import County as CountyInfo
from synthetic.writer import COLUMNS, BadLine, CsvSink

__all__ = ["GeneratedCounty", "Rates", "Truth", "generate_county", "read_truth"]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class GeneratedCounty:
    """Where a generated county was written and how many data rows each table got."""

    data_dir: Path
    truth_path: Path
    rows: dict[str, int]
    seed: int
    scale: float


def _prepare(out: Path) -> None:
    expected = {f"{name}.csv" for name in TABLES}
    if out.exists():
        if not out.is_dir():
            raise UmbrellaError(_("{path} exists and is not a folder").format(path=out),
                                hint=_("choose a new folder name for the generated county"))
        other = sorted(p.name for p in out.iterdir() if p.name not in expected)
        if other:
            raise UmbrellaError(
                _("{path} already holds other files ({files})").format(
                    path=out, files=", ".join(other[:3]) + (", ..." if len(other) > 3 else "")),
                hint=_("generate into an empty or new folder (only a previous generated county "
                       "is overwritten)"))
    out.mkdir(parents=True, exist_ok=True)


def _county_names(seed: int, n: int) -> list[tuple[str, str]]:
    rng = random.Random(f"umbrella/{seed}/counties")
    names: list[str] = []
    while len(names) < n:
        name = place_name(rng) + "县"
        if name not in names:
            names.append(name)
    return [(name, f"43{12 + i // 70:02d}{21 + i % 70:02d}") for i, name in enumerate(names)]


def _expand(c: Built, ids: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for i in ids:
        out.append(i)
        p = c.county.persons.get(i)
        if p is not None:
            out.extend(p.aliases)
    return tuple(dict.fromkeys(out))


def generate_county(out: Path, scale: float = 1.0, seed: int = 0,
                    progress: Progress | None = None,
                    rates: Rates | None = None) -> GeneratedCounty:
    """Generate a synthetic county into the folder ``out`` and its truth beside it.

    Parameters
    ----------
    out:
        Folder for the eleven layout CSV files (created; it may hold only a
        previously generated county).
    scale:
        1.0 is one county of about 20,000 persons; above 1.5 whole counties are
        added (scale 10 = ten counties), below 1 the county shrinks (0.2 still
        holds every planted pattern and decoy; the population stops shrinking
        at 0.12).
    seed:
        Same scale and seed give byte-identical files.
    progress:
        Called as ``progress(stage, done, total)`` now and then.
    rates:
        How much innocent background (look-alikes recorded as decoys) each
        county gets; None: the documented defaults of :class:`Rates`.

    Returns
    -------
    GeneratedCounty
        Folder, truth path and data rows written per table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "c"
    >>> g = generate_county(d, scale=0.05, seed=1)
    >>> read_truth(g.truth_path).rows == g.rows
    True
    """
    if not isinstance(scale, (int, float)) or not math.isfinite(scale) or scale <= 0:
        raise UmbrellaError(_("scale must be a positive number, not {scale!r}").format(
            scale=scale), hint=_("use e.g. --scale 0.2 for a small county, 1 for 20,000 persons"))
    scale = float(scale)
    out = Path(out).resolve()
    _prepare(out)
    truth_path = out.parent / f"{out.name}.truth.json"
    truth_path.unlink(missing_ok=True)
    n = max(1, round(scale))
    fraction = scale / n
    total = n * (len(STAGES) + 1)
    done = 0

    def tick(stage: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(stage, done, total)

    alloc = Alloc()
    namesakes = NamesakeTracker()
    schemes: list[Scheme] = []
    decoys: list[Decoy] = []
    networks: list[Network] = []
    brokers: list[str] = []
    duplicates: list[Duplicate] = []
    bad_rows: list[BadRow] = []
    counties = _county_names(seed, n)
    sink = CsvSink(out)
    try:
        for i, (name, region) in enumerate(counties):
            try:
                built = build_county(alloc, i, name, region, fraction, seed, tick, rates)
            except RuntimeError as exc:
                raise UmbrellaError(
                    _("generating county {i} of {n} ({name}) failed: {error}").format(
                        i=i + 1, n=n, name=name, error=exc),
                    hint=_("this is a generator bug; a different --seed will most likely work "
                           "(please report the seed and scale)")) from exc
            for d in built.drafts:
                anchor, ents = _expand(built, d.anchor), _expand(built, d.entities)
                if d.kind == "scheme":
                    schemes.append(Scheme(f"S{len(schemes) + 1:04d}", d.family, d.pattern,
                                          d.variant, tuple(d.categories), anchor, ents,
                                          d.description))
                else:
                    decoys.append(Decoy(f"D{len(decoys) + 1:04d}", d.family, d.pattern,
                                        d.variant, tuple(d.categories), anchor, ents,
                                        d.description, d.why_not))
            for net in built.networks:
                networks.append(Network(f"N{len(networks) + 1:04d}", net.kind,
                                         _expand(built, net.members), net.pattern))
            brokers.extend(built.brokers)
            duplicates.extend(built.duplicates)
            namesakes.add(built.county)
            for table in COLUMNS:
                for cell in built.tables[table]:
                    if isinstance(cell, BadLine):
                        line = sink.write(table, cell.row)
                        bad_rows.append(BadRow(f"{table}.csv", line, cell.code, cell.column))
                    else:
                        sink.write(table, cell)
            tick("write")
    finally:
        sink.close()
    truth = Truth(seed=seed, scale=scale, rows=dict(sink.rows),
                  counties=tuple(CountyInfo(nm, rg, fraction) for nm, rg in counties),
                  schemes=tuple(schemes), decoys=tuple(decoys), networks=tuple(networks),
                  brokers=tuple(brokers), duplicates=tuple(duplicates),
                  namesakes=tuple(namesakes.pairs), bad_rows=tuple(bad_rows))
    write_truth(truth, truth_path)
    return GeneratedCounty(out, truth_path, dict(sink.rows), seed, scale)
