"""Scan time and peak memory against what a data analyst would use instead, side by side.

Run:  .venv/bin/python bench/scan.py [--scales 1 10] [--seed 1] [--timeout 600]

For each scale a county is generated and loaded into an embedded database (neither
counted). Then, each step in a fresh process (wall seconds, and the peak resident
memory of that process, from ``wait4``):

1. ``duckdb-csv``: DuckDB reading the county's CSV files and running COI-001 as one
   SQL query (``COI_FROM_CSV``: the approver in post on the award date, the approver or
   kin within two ties holding a role in the winner, tie and role in force that day),
   the alternative a data analyst would pick; it prints its (contract, approver,
   holder) triples;
2. ``scan COI-001``: ``umbrella scan --rule COI-001`` on the stored county (reading the
   store, the rule's SQL, the findings with their evidence, stored back);
3. ``full scan``: ``umbrella scan`` (all rules, CLU-001 and BRK-001 included);
4. ``networkx``: ``bench/baseline_nx.py``, every record into one MultiDiGraph, then
   COI-001 and UMB-001 as walks; each step stops at ``--timeout`` seconds and is
   reported as "not finished in N s".

The triples of 1 and 2 are compared (our findings name every input id of a person
recorded twice; a DuckDB triple counts as found when one of our findings has its
contract, approver and holder among its ids). Then the rules one by one on one
shared context, to show where a scan's time goes. Absolute times on a shared
2-core machine are noisy: read the ratios, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
UMBRELLA = [PY, "-c", "import sys; sys.argv[0] = 'umbrella'; from umbrella.cli import main; "
            "main()"]

#: COI-001 straight from the layout's CSV files, in DuckDB (the analyst's baseline).
COI_FROM_CSV = """
WITH
persons AS (SELECT * FROM read_csv($dir || '/persons.csv', all_varchar = true)),
positions AS (
    SELECT person_id, coalesce(start_date, '0000-01-01') AS s,
           coalesce(end_date, '9999-12-31') AS e
    FROM read_csv($dir || '/positions.csv', all_varchar = true)),
ties AS (
    SELECT person_id AS a, other_id AS b, coalesce(start_date, '0000-01-01') AS s,
           coalesce(end_date, '9999-12-31') AS e
    FROM read_csv($dir || '/relationships.csv', all_varchar = true)
    WHERE relation <> 'associate'),
kin AS (SELECT a, b, s, e FROM ties UNION ALL SELECT b, a, s, e FROM ties),
contracts AS (
    SELECT contract_id, approver_id, supplier_id, award_date
    FROM read_csv($dir || '/contracts.csv', all_varchar = true)
    WHERE approver_id IS NOT NULL AND supplier_id IS NOT NULL AND award_date IS NOT NULL),
posted AS (
    SELECT DISTINCT c.* FROM contracts c JOIN positions p ON p.person_id = c.approver_id
    WHERE p.s <= c.award_date AND c.award_date <= p.e),
holders AS (
    SELECT c.contract_id, c.approver_id, c.supplier_id, c.award_date,
           c.approver_id AS holder FROM posted c
    UNION ALL
    SELECT c.contract_id, c.approver_id, c.supplier_id, c.award_date, k.b
    FROM posted c JOIN kin k ON k.a = c.approver_id
    WHERE k.s <= c.award_date AND c.award_date <= k.e
    UNION ALL
    SELECT c.contract_id, c.approver_id, c.supplier_id, c.award_date, k2.b
    FROM posted c JOIN kin k1 ON k1.a = c.approver_id JOIN kin k2 ON k2.a = k1.b
    WHERE k2.b <> c.approver_id AND greatest(k1.s, k2.s) <= c.award_date
      AND c.award_date <= least(k1.e, k2.e)),
roles AS (
    SELECT company_id, holder_id, coalesce(start_date, '0000-01-01') AS s,
           coalesce(end_date, '9999-12-31') AS e
    FROM read_csv($dir || '/company_roles.csv', all_varchar = true))
SELECT DISTINCT h.contract_id, h.approver_id, h.holder
FROM holders h JOIN roles r ON r.holder_id = h.holder AND r.company_id = h.supplier_id
WHERE r.s <= h.award_date AND h.award_date <= r.e
ORDER BY 1, 2, 3
"""

_DUCKDB = f"""
import duckdb, json, sys
rows = duckdb.connect().execute({COI_FROM_CSV!r}, {{"dir": sys.argv[1]}}).fetchall()
print(json.dumps(rows))
"""

_NX = """
import json, signal, sys, time
sys.path.insert(0, {here!r})
from baseline_nx import build_graph, coi_001, umb_001
from graph.store import SqliteStore
from queries.settings import load_settings

class Late(Exception):
    pass

def on_alarm(signum, frame):
    raise Late()

signal.signal(signal.SIGALRM, on_alarm)
limit = int(sys.argv[2])
out = {{}}
def step(name, fn):
    signal.alarm(limit)
    t0 = time.perf_counter()
    try:
        value = fn()
        out[name] = round(time.perf_counter() - t0, 2)
        return value
    except Late:
        out[name] = None
        return None
    finally:
        signal.alarm(0)

store = SqliteStore(sys.argv[1])
config = load_settings()
coi, umb = config.rule("COI-001"), config.rule("UMB-001")
g = step("build", lambda: build_graph(store.view()))
if g is not None:
    step("COI-001", lambda: coi_001(g, list(coi["roles"]), int(coi["max_kin_hops"])))
    step("UMB-001", lambda: umb_001(g, list(umb["gang_roles"]), int(umb["max_kin_hops"])))
print(json.dumps(out))
"""


@dataclass
class Run:
    """One step in its own process: wall seconds, peak resident memory, its output."""

    seconds: float
    peak_mb: float
    out: str
    code: int


def run(cmd: list[str], timeout: float | None = None) -> Run:
    """Run ``cmd`` in a fresh process; wall time and the child's own peak memory."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    timer = threading.Timer(timeout, p.kill) if timeout else None
    if timer:
        timer.start()
    assert p.stdout is not None
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)  # reaps the child: its own peak memory
    p.returncode = os.waitstatus_to_exitcode(status)
    if timer:
        timer.cancel()
    return Run(time.perf_counter() - t0, usage.ru_maxrss / 1024, out, p.returncode)


def _our_triples(findings: list[dict[str, object]]) -> list[tuple[str, set[str], set[str]]]:
    """(contract id, ids of the approver, ids of the holder) of each COI-001 finding."""
    out = []
    for f in findings:
        path = f["evidence"][1]["path"]  # type: ignore[index]
        approver = set(path[0]["ids"])
        holder = set(path[-3]["ids"]) if len(path) > 3 else approver
        contract = f["evidence"][0]["path"][2]["ids"][0]  # type: ignore[index]
        out.append((str(contract), approver, holder))
    return out


def compare(duck: list[list[str]], ours: list[dict[str, object]]) -> str:
    """Whether the two find the same conflicts."""
    mine = _our_triples(ours)
    missed = [t for t in duck if not any(c == t[0] and t[1] in a and t[2] in h
                                         for c, a, h in mine)]
    return (f"DuckDB {len(duck)} triples, ours {len(mine)} findings; DuckDB triples ours "
            f"lack: {len(missed)}" + (f" (e.g. {missed[:3]})" if missed else ""))


def per_rule(db: Path) -> None:
    """The rules one by one on one shared context (pattern rules first), in this process."""
    sys.path.insert(0, str(HERE.parent))
    from graph.store import SqliteStore
    from queries import rules  # noqa: F401  (registers the rules)
    from queries.context import Context
    from queries.frames import Frames
    from queries.registry import RULES

    store = SqliteStore(db)
    ctx = Context(Frames(store.view()))
    print("  per rule (one shared context; a rule pays for the tables it is first to need):")
    for code in sorted(RULES, key=lambda c: (RULES[c].category in ("cluster", "broker"), c)):
        have = set(ctx.frames.engine._have)
        t0 = time.perf_counter()
        found = ctx.run(code)
        seconds = time.perf_counter() - t0
        new = sorted(ctx.frames.engine._have - have)
        print(f"    {code:<8} {seconds:>6.2f} s {len(found):>5} findings  "
              f"reads: {', '.join(new) or '-'}", flush=True)
    ctx.frames.close()
    store.close()


def copy_db(src: Path, dst: Path) -> None:
    import sqlite3

    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=600,
                    help="Seconds each networkx step may take before it is stopped.")
    args = ap.parse_args()
    rows = []
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix="umbrella-bench-") as tmp:
            t = Path(tmp)
            gen = run([*UMBRELLA, "generate", str(t / "county"), "--scale", str(scale),
                       "--seed", str(args.seed)])
            load = run([*UMBRELLA, "load", str(t / "county"), "--db", str(t / "c.db")])
            print(f"\n== scale {scale:g} (seed {args.seed}): generated in {gen.seconds:.1f} s, "
                  f"loaded in {load.seconds:.1f} s (neither counted)", flush=True)
            duck = run([PY, "-c", _DUCKDB, str(t / "county")])
            print(f"  duckdb-csv     {duck.seconds:6.2f} s {duck.peak_mb:7.0f} MB", flush=True)
            copy_db(t / "c.db", t / "coi.db")
            coi = run([*UMBRELLA, "scan", "--rule", "COI-001", "--db", str(t / "coi.db"),
                       "--format", "json", "-o", str(t / "coi.json")])
            print(f"  scan COI-001   {coi.seconds:6.2f} s {coi.peak_mb:7.0f} MB", flush=True)
            copy_db(t / "c.db", t / "all.db")
            full = run([*UMBRELLA, "scan", "--db", str(t / "all.db"), "--format", "json",
                        "-o", str(t / "all.json")])
            found = json.loads((t / "all.json").read_text(encoding="utf-8"))["findings"]
            print(f"  full scan      {full.seconds:6.2f} s {full.peak_mb:7.0f} MB "
                  f"({len(found)} findings)", flush=True)
            ours = json.loads((t / "coi.json").read_text(encoding="utf-8"))["findings"]
            print("  " + compare(json.loads(duck.out), ours), flush=True)
            nx = run([PY, "-c", _NX.format(here=str(HERE)), str(t / "c.db"),
                      str(args.timeout)])
            steps = json.loads(nx.out) if nx.out else {}
            words = ", ".join(f"{k} " + (f"{v:.2f} s" if v is not None else
                                        f"not finished in {args.timeout} s")
                              for k, v in steps.items())
            print(f"  networkx       {nx.seconds:6.2f} s {nx.peak_mb:7.0f} MB ({words})",
                  flush=True)
            per_rule(t / "c.db")
            rows.append((scale, duck, coi, full, nx))
    print("\n| scale | DuckDB COI-001 from CSV | our scan --rule COI-001 | ratio | full scan "
          "| networkx build + COI + UMB |")
    print("|---|---|---|---|---|---|")
    for scale, duck, coi, full, nx in rows:
        print(f"| {scale:g} | {duck.seconds:.2f} s, {duck.peak_mb:.0f} MB | {coi.seconds:.2f} s, "
              f"{coi.peak_mb:.0f} MB | {coi.seconds / duck.seconds:.1f}x | {full.seconds:.2f} s, "
              f"{full.peak_mb:.0f} MB | {nx.seconds:.2f} s, {nx.peak_mb:.0f} MB |")


if __name__ == "__main__":
    main()
