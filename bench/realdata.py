"""Every real dataset of the shared data folder, loaded and scanned: rows and findings per rule.

Run:  .venv/bin/python bench/realdata.py [--data ../shared/data] [--rule CODE ...] [--json]
      .venv/bin/python bench/realdata.py --before before.json   (before/after, per dataset)

Each dataset goes into a fresh embedded database: the OCDS publishers' samples (one
dataset per folder of release or record files), each ``ocdskit_realdata`` package (the
shapes publishers use: record packages, linked and versioned releases, ISO-8859-1),
the FollowTheMoney entity files, the BODS examples and GLEIF fixtures, and the two
covert networks. For each the table gives the rows read, loaded and set aside (or
the reason the load refused the source), then a full scan: the findings per rule,
the rules that failed (by code, with the reason) and, when the scan reports it,
each rule's coverage (items assessed / flagged / not assessable).

``--before FILE`` compares with the ``--json`` output of another version (run this
script from a checkout of it): per dataset, rows loaded and set aside before and after,
and every rule whose findings changed (``COL-003 11->0``; a rule the other version did
not have shows ``+n``; ``died`` when that version's scan or load broke).

``tests/test_realdata.py`` runs the same datasets and fails on a rule that fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SHARED_DATA = REPO.parent / "shared" / "data"


@dataclass
class Dataset:
    """One real dataset: a name, what to load and how."""

    name: str
    path: Path
    kind: str  # "ocds" | "ftm" | "bods" | "network"
    encoding: str | None = None


@dataclass
class Outcome:
    """What loading and scanning one dataset gave."""

    name: str
    read: int = 0
    loaded: int = 0
    set_aside: int = 0
    #: the rows set aside the database holds for the load (what ``stats`` counts)
    stored_set_aside: int = 0
    load_error: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)
    scan_error: str = ""
    seconds: float = 0.0


def datasets(root: Path = SHARED_DATA) -> Iterator[Dataset]:
    """The real datasets under ``root`` (none when the folder is absent)."""
    ocds = root / "ocds"
    publishers = ocds / "publishers"
    if publishers.is_dir():
        for folder in sorted(p for p in publishers.rglob("*") if p.is_dir()):
            if any(f.suffix == ".json" for f in folder.iterdir()):
                yield Dataset(str(folder.relative_to(ocds)), folder, "ocds")
    kit = ocds / "ocdskit_realdata"
    if kit.is_dir():
        for file in sorted(kit.glob("*.json")):
            latin = "iso-8859-1" in file.name  # the name says so; JSON is UTF-8 otherwise
            yield Dataset(str(file.relative_to(ocds)), file, "ocds",
                          "latin-1" if latin else None)
    for name, kind in (("ftm/yente_zala/entities.ftm.json", "ftm"),
                       ("ftm/yente_parteispenden/entities.ftm.json", "ftm"),
                       ("ftm/nomenklatura_donations/donations.ijson", "ftm"),
                       ("bods/data_standard_examples", "bods")):
        if (root / name).exists():
            yield Dataset(name, root / name, kind)
    gleif = root / "bods" / "bodspipelines_gleif_fixtures"
    if gleif.is_dir():
        for file in sorted(gleif.glob("*-out.json")):
            yield Dataset(str(file.relative_to(root)), file, "bods")
    networks = root / "networks"
    if networks.is_dir():
        for folder in sorted(p for p in networks.iterdir() if p.is_dir()):
            yield Dataset(str(folder.relative_to(root)), folder, "network")


def run_dataset(data: Dataset, workdir: Path, codes: list[str] | None = None) -> Outcome:
    """Load ``data`` into a new database under ``workdir`` and scan it with every rule."""
    from graph.errors import UmbrellaError
    from graph.store import open_store
    from loaders.networks import load_network
    from loaders.standards import load_any
    from queries.scan import scan

    out = Outcome(data.name)
    start = time.perf_counter()
    store = open_store(workdir / (data.name.replace("/", "_") + ".db"))
    try:
        try:
            if data.kind == "network":
                net = load_network(data.path, store)
                out.read = out.loaded = (net.persons + net.organizations
                                         + sum(net.relations.values()))
            else:
                options: dict[str, Any] = {"encoding": data.encoding} if data.encoding else {}
                report = load_any(data.path, store, data.kind, **options)
                out.read, out.loaded = report.read, report.loaded
                out.set_aside = report.set_aside_count
                out.stored_set_aside = len(store.view().set_aside(report.load_id))
        except UmbrellaError as exc:
            out.load_error = str(exc).splitlines()[0]
            return out
        try:
            result = scan(store, codes)
        except Exception as exc:  # the bench reports what broke
            out.scan_error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            return out
        out.counts = dict(result.counts)
        out.failures = dict(getattr(result, "failures", {}) or {})
        out.coverage = {code: dict(c) for code, c in
                        (getattr(result, "coverage", {}) or {}).items()}
    finally:
        store.close()
        out.seconds = time.perf_counter() - start
    return out


def _cell(out: Outcome, code: str) -> str:
    if code in out.failures:
        return "FAIL"
    if code not in out.counts:
        return ""
    cov = out.coverage.get(code)
    if cov is None:
        return str(out.counts[code])
    return f"{out.counts[code]} ({cov.get('assessed', 0)}/{cov.get('not_assessed', 0)})"


def table(outcomes: list[Outcome]) -> str:
    """The outcomes, one paragraph per dataset that reads at 100 columns: rows read,
    loaded and set aside, then every rule with findings or items it could judge (a rule
    with neither, on a dataset, is left out; the last line names every rule run).

    Examples
    --------
    >>> o = Outcome("x", 5, 4, 1, counts={"COL-003": 2, "COI-001": 0},
    ...             coverage={"COL-003": {"assessed": 7, "not_assessed": 1}})
    >>> print(table([o]))
    x: read 5, loaded 4, set aside 1
      COL-003 2 (7/1)
    <BLANKLINE>
    rules run: COI-001, COL-003
    cells: findings (items assessed/not assessable for missing data) when the scan reports
    coverage; FAIL: the rule failed
    """
    codes = sorted({c for o in outcomes for c in [*o.counts, *o.failures]})
    lines = []
    for o in outcomes:
        lines.append(f"{o.name}: read {o.read}, loaded {o.loaded}, set aside {o.set_aside}")
        if o.load_error or o.scan_error:
            lines.append("  " + (("load refused: " + o.load_error) if o.load_error
                                 else ("scan died: " + o.scan_error)))
            continue
        shown = [f"{c} {_cell(o, c)}" for c in codes
                 if c in o.failures or o.counts.get(c) or o.coverage.get(c, {}).get("assessed")]
        if shown:
            lines += textwrap.wrap(", ".join(shown), 98, initial_indent="  ",
                                   subsequent_indent="  ")
    notes = [f"{o.name}: {code} failed: {why}" for o in outcomes
             for code, why in sorted(o.failures.items())]
    legend = textwrap.wrap("cells: findings (items assessed/not assessable for missing data) "
                           "when the scan reports coverage; FAIL: the rule failed", 90)
    return "\n".join([*lines, "", *textwrap.wrap("rules run: " + ", ".join(codes), 98),
                      *legend, *notes])


def _state(o: dict[str, Any]) -> str:
    if o.get("load_error"):
        return "load refused"
    return "scan died" if o.get("scan_error") else ""


def compare(before: list[dict[str, Any]], after: list[Outcome]) -> str:
    """Per dataset: loaded and set aside before -> after, and the rules whose findings
    changed (one dataset per paragraph, so long lists stay readable at 100 columns).

    Examples
    --------
    >>> old = [{"name": "x", "loaded": 5, "set_aside": 0, "counts": {"COL-003": 11}}]
    >>> print(compare(old, [Outcome("x", 5, 3, 2, counts={"COL-003": 0, "OCP-003": 4})]))
    x: loaded 5 -> 3, set aside 0 -> 2
      COL-003 11->0, OCP-003 +4
    """
    old = {o["name"]: o for o in before}
    lines = []
    for new in after:
        was = old.get(new.name, {})
        head = (f"{new.name}: loaded {was.get('loaded', '?')} -> {new.loaded}, set aside "
                f"{was.get('set_aside', '?')} -> {new.set_aside}")
        broke = _state(was)
        if broke or _state(new.__dict__):
            head += f" ({broke or 'ran'} -> {_state(new.__dict__) or 'ran'})"
        lines.append(head)
        counts = was.get("counts", {}) if not broke else {}
        changed = []
        for code in sorted({*counts, *new.counts}):
            a, b = counts.get(code), new.counts.get(code)
            if code in new.failures:
                changed.append(f"{code} FAIL")
            elif a is None and b:
                changed.append(f"{code} +{b}" if not broke else f"{code} {b}")
            elif a is not None and a != (b or 0):
                changed.append(f"{code} {a}->{b or 0}")
        if changed:
            lines += textwrap.wrap(", ".join(changed), 98, initial_indent="  ",
                                   subsequent_indent="  ")
    return "\n".join(lines)


def main() -> None:
    """Load and scan every dataset; print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--rule", action="append", help="only these rules (default: all)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--before", type=Path,
                        help="--json output of another version: print before/after")
    args = parser.parse_args()
    found = list(datasets(args.data))
    if not found:
        sys.exit(f"no dataset under {args.data}")
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        for data in found:
            outcomes.append(run_dataset(data, Path(tmp), args.rule))
            print(f"{data.name}: {outcomes[-1].seconds:.1f} s", file=sys.stderr)
    if args.json:
        print(json.dumps([o.__dict__ for o in outcomes], ensure_ascii=False, indent=1))
    elif args.before:
        print(compare(json.loads(args.before.read_text(encoding="utf-8")), outcomes))
    else:
        print(table(outcomes))


if __name__ == "__main__":
    main()
