"""Graph algorithms: our engine (igraph's C core) next to networkx, time and peak memory.

Run:  .venv/bin/python bench/algorithms.py [--scales 1 10 50] [--seed 1] [--work DIR]
                 [--nx-max-scale 10] [--trace-max-seconds 60] [--no-tracemalloc] [--no-rules]

For each scale: generate a county and load it into an embedded (SQLite)
database, both cached under ``--work`` (a scale-50 county takes minutes to
generate and load; neither is counted). The relation and entity frames the
algorithms need are read from the store once (timed apart: "read"), CLU-001's
records are selected and folded (co-bids, approvals; ``edge_records``, ours
only, timed apart: "fold") and everything is saved; then every step runs in a
**fresh subprocess** per implementation, on the same inputs:

- project: from the same folded records, ours = ``from_records()`` (integer
  ids, one edge per pair with summed weight and first record, column-wise) and
  its ``igraph.Graph``; networkx = an ``nx.Graph`` built record by record,
  weights summed edge by edge (the obvious build);
- communities: ours = Leiden (modularity, 10 passes, seeded) at CLU-001's
  resolution; networkx = ``nx.community.louvain_communities`` with the same
  weights, resolution and seed (modularity of both printed);
- brokers: ours = ``cross_betweenness`` of BRK-001 (its projection, pairs and
  ``samples`` per pair); networkx = ``nx.betweenness_centrality`` with ``k`` =
  the number of sources ours followed;
- kcore: ours = ``core_numbers`` (igraph ``coreness``) on CLU-001's projection;
  networkx = ``nx.core_number`` on the same graph.

The algorithm steps get their graph built before the clock starts (ours an
``AnalysisGraph``, networkx an ``nx.Graph``), and every step first runs once on
a small slice of its input (warm-up: the first call of a library function
loads code and caches that are not the step's cost). Memory, per step, in its own
process: **RSS** = the rise of the process's peak resident set (Linux
``VmHWM``, reset through ``/proc/self/clear_refs`` just before the step) over
its resident set at that moment — everything, C allocations of igraph and
numpy included; **py** = the peak of Python-traced allocations
(``tracemalloc``; numpy buffers included, igraph's C memory not), measured in a
second run because tracing slows Python code down (skipped for a step whose
timed run took over ``--trace-max-seconds``). With ``--no-rules`` the
end-to-end runs of the rules CLU-001 and BRK-001 on the store (frames, pattern
rules, findings and evidence included) are skipped. networkx is skipped above
``--nx-max-scale`` (its betweenness alone would take hours at scale 50).
Absolute times on a shared 2-core machine are noisy: read the ratios, measured
in the same run.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve()

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402

from graph.analysis import Projection, TableSource, communities, node_roles, project  # noqa: E402
from graph.analysis.centrality import core_numbers, cross_betweenness  # noqa: E402
from graph.analysis.engine import to_igraph  # noqa: E402
from graph.analysis.projection import edge_records, from_records  # noqa: E402
from graph.schema import REL_TYPES  # noqa: E402
from graph.store import SqliteStore  # noqa: E402
from queries.rules.brk import parse_pairs  # noqa: E402
from queries.rules.clu import find_communities, weights_from  # noqa: E402
from queries.settings import load_settings  # noqa: E402

STEPS = ("project", "communities", "brokers", "kcore")


# -- the specs of the two rules (their default settings) ----------------------------------

def clu_spec() -> Projection:
    st = load_settings().rule("CLU-001")
    return Projection(weights_from(st), org_kinds=tuple(st["org_kinds"]))


def brk_spec() -> Projection:
    st = load_settings().rule("BRK-001")
    return Projection(weights_from(st), where={"CASE_ROLE": ("role", tuple(st["case_roles"]))})


# -- memory of this process ----------------------------------------------------------------

def _status(field: str) -> float:
    """A ``/proc/self/status`` field in MB (0 when unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# -- one step, in a child process ----------------------------------------------------------

def _load(work: Path, name: str) -> Any:
    with (work / name).open("rb") as fh:
        return pickle.load(fh)


def _nx_graph(g: Any) -> nx.Graph[Any]:
    """An nx.Graph over integer nodes (what networkx users build) with weights."""
    G: nx.Graph[Any] = nx.Graph()
    G.add_nodes_from(range(g.n))
    G.add_weighted_edges_from(zip(g.src.tolist(), g.dst.tolist(), g.weight.tolist(),
                                  strict=True))
    return G


def _nx_build(records: Any) -> nx.Graph[Any]:
    G: nx.Graph[Any] = nx.Graph()
    for u, v, t, r, w in zip(records["u"].tolist(), records["v"].tolist(),
                             records["type"].tolist(), records["rid"].tolist(),
                             records["w"].tolist(), strict=True):
        if G.has_edge(u, v):
            G[u][v]["weight"] += w
            G[u][v]["records"] += 1
        else:
            G.add_edge(u, v, weight=w, type=t, rid=r, records=1)
    return G


Step = tuple[Callable[[], Any], Callable[[Any], dict[str, Any]], Callable[[], Any]]
WARM = 2000  # nodes or records of the warm-up run


def _prepare(step: str, impl: str, work: Path) -> Step:
    """The timed function of a step, a summary of its result (computed after) and a
    warm-up on a small slice of the same input (first use of each library call)."""
    if step == "project":
        records = _load(work, "records.pkl")
        if impl == "ours":
            def run(r: Any = records) -> Any:
                g = from_records(r)
                return g, to_igraph(g)
            return run, lambda r: {"nodes": r[0].n, "edges": r[0].m}, lambda: run(
                records.head(WARM))
        return ((lambda: _nx_build(records)),
                lambda G: {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()},
                lambda: _nx_build(records.head(WARM)))
    if step in ("communities", "kcore"):
        g = _load(work, "clu.pkl")
        small, _ = g.subgraph(np.arange(min(WARM, g.n)))
        res = find_communities(g, load_settings().rule("CLU-001")).resolution
        G = _nx_graph(g) if impl == "nx" else None
        Gs = _nx_graph(small) if impl == "nx" else None
        if step == "kcore":
            if impl == "ours":
                return ((lambda: core_numbers(g)), lambda c: {"k_max": int(c.max())},
                        lambda: core_numbers(small))
            return ((lambda: nx.core_number(G)), lambda c: {"k_max": max(c.values())},
                    lambda: nx.core_number(Gs))
        if impl == "ours":
            return (lambda: communities(g, resolution=res, seed=0)), lambda c: {
                "communities": c.count, "modularity": round(c.modularity, 4),
                "resolution": round(res, 3)}, lambda: communities(small, resolution=res)

        def summary(parts: Any) -> dict[str, Any]:
            member = np.zeros(g.n, dtype=np.int64)
            for i, p in enumerate(parts):
                member[list(p)] = i
            q = to_igraph(g).modularity(member.tolist(), weights="weight", resolution=res)
            return {"communities": len(parts), "modularity": round(float(q), 4),
                    "resolution": round(res, 3)}
        return ((lambda: nx.community.louvain_communities(G, weight="weight", resolution=res,
                                                          seed=0)), summary,
                lambda: nx.community.louvain_communities(Gs, weight="weight", seed=0))
    if step == "brokers":
        g, sides = _load(work, "brk.pkl")
        st = load_settings().rule("BRK-001")
        pairs = parse_pairs(list(st["pairs"]))
        k = int(_load(work, "brk_sources.pkl"))
        if impl == "ours":
            def run_b(samples: int = int(st["samples"])) -> Any:
                return [cross_betweenness(g, sides, [p], samples=samples,
                                          batches=int(st["batches"]), seed=0, weighted=False)
                        for p in pairs]
            return run_b, lambda bs: {"sources": sum(r.sources for b in bs for r in b.runs),
                                      "exact": all(b.exact for b in bs)}, lambda: run_b(2)
        G = _nx_graph(g)
        return ((lambda: nx.betweenness_centrality(G, k=min(k, g.n), seed=0)),
                lambda _: {"sources": min(k, g.n)},
                lambda: nx.betweenness_centrality(G, k=2, seed=0))
    if step.startswith("rule:"):
        code = step.split(":", 1)[1]
        from queries.scan import run_rule
        store = SqliteStore(_load(work, "db.pkl"))
        return (lambda: run_rule(store, code)), lambda f: {"findings": len(f)}, lambda: None
    raise ValueError(step)


def child(step: str, impl: str, work: Path, trace: bool) -> dict[str, Any]:
    """Run one step once, in this process; time, RSS rise and (with ``trace``) py peak."""
    fn, summarise, warm = _prepare(step, impl, work)
    warm()
    gc.collect()
    reset = _reset_peak()
    base = _status("VmRSS")
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    result: dict[str, Any] = {"seconds": seconds}
    if trace:
        result["py_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    else:
        result["rss_mb"] = (_status("VmHWM") - base) if reset else float("nan")
        result.update(summarise(out))
    return result


def run_child(step: str, impl: str, work: Path, trace: bool) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE), "--child", step, impl, str(work)] + (
        ["--trace"] if trace else [])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(HERE.parent.parent), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{step}/{impl} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# -- the driver ----------------------------------------------------------------------------

def prepare(scale: float, seed: int, root: Path) -> Path:
    """A generated, loaded county (cached): its database path."""
    from loaders.load import load_folder
    from synthetic import generate_county

    folder = root / f"county-s{scale:g}-seed{seed}"
    db = Path(str(folder) + ".db")
    ok = Path(str(db) + ".ok")
    if ok.exists():
        print(f"  county and database cached: {db}", flush=True)
        return db
    t0 = time.perf_counter()
    g = generate_county(folder, scale=scale, seed=seed)
    t1 = time.perf_counter()
    if db.exists():
        db.unlink()
    store = SqliteStore(db)
    load_folder(g.data_dir, store)
    store.close()
    ok.write_text("ok")
    print(f"  generated in {t1 - t0:.0f} s ({g.rows['persons']:,} persons), loaded in "
          f"{time.perf_counter() - t1:.0f} s (not counted)", flush=True)
    return db


def dump_inputs(db: Path, work: Path) -> tuple[float, float]:
    """Read every frame the algorithms use from the store once; save them, CLU-001's
    folded records and both projections. Returns the seconds of the read and the fold."""
    work.mkdir(parents=True, exist_ok=True)
    store = SqliteStore(db)
    view = store.view()
    t0 = time.perf_counter()
    src = TableSource(relations={t: view.relations_frame(t) for t in REL_TYPES},
                      entities={"organization": view.entities_frame("organization")})
    read = time.perf_counter() - t0
    store.close()
    t0 = time.perf_counter()
    records = edge_records(src, clu_spec())
    fold = time.perf_counter() - t0
    g = from_records(records)
    gb = project(src, brk_spec())
    sides = node_roles(src, gb)
    st = load_settings().rule("BRK-001")
    k = 0
    for a, b in parse_pairs(list(st["pairs"])):
        k += min(int(st["samples"]), int(min(sides[a].sum(), sides[b].sum())))
    for name, obj in (("records.pkl", records), ("clu.pkl", g), ("brk.pkl", (gb, sides)),
                      ("brk_sources.pkl", k), ("db.pkl", str(db))):
        with (work / name).open("wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"  read frames from the store: {read:.1f} s; select and fold CLU-001's records "
          f"(ours, shared): {fold:.1f} s, {len(records):,} records -> CLU graph {g.n:,} nodes "
          f"{g.m:,} edges; BRK graph {gb.n:,} nodes {gb.m:,} edges", flush=True)
    return read, fold


def _fmt(x: float, unit: str) -> str:
    return "-" if x != x else f"{x:,.1f}{unit}" if x < 100 else f"{x:,.0f}{unit}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scales", type=float, nargs="+", default=[1, 10, 50])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work", type=Path, default=Path("/tmp/umbrella-bench"))
    p.add_argument("--nx-max-scale", type=float, default=10)
    p.add_argument("--trace-max-seconds", type=float, default=60)
    p.add_argument("--no-tracemalloc", action="store_true")
    p.add_argument("--no-rules", action="store_true")
    p.add_argument("--child", nargs=3, metavar=("STEP", "IMPL", "WORK"), help=argparse.SUPPRESS)
    p.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        step, impl, work = a.child
        print(json.dumps(child(step, impl, Path(work), a.trace)))
        return
    cmd = [".venv/bin/python", "bench/algorithms.py", "--scales", *(f"{s:g}" for s in a.scales),
           "--seed", str(a.seed), "--nx-max-scale", f"{a.nx_max_scale:g}",
           "--trace-max-seconds", f"{a.trace_max_seconds:g}"]
    cmd += ["--no-tracemalloc"] * a.no_tracemalloc + ["--no-rules"] * a.no_rules
    print("Rerun: " + " ".join(cmd))
    print(f"python {sys.version.split()[0]}, networkx {nx.__version__}, "
          f"python-igraph {__import__('igraph').__version__}, {os.cpu_count()} CPUs; memory = "
          "RSS rise of the peak resident set in a fresh process (everything) and py = "
          "tracemalloc peak (Python-traced only), per step")
    rows: list[list[str]] = []
    for scale in a.scales:
        print(f"\nscale {scale:g}:", flush=True)
        db = prepare(scale, a.seed, a.work)
        work = a.work / f"inputs-s{scale:g}-seed{a.seed}"
        read, fold = dump_inputs(db, work)
        total = read + fold
        for step in STEPS:
            got: dict[str, dict[str, Any]] = {}
            for impl in ("ours", "nx"):
                if impl == "nx" and scale > a.nx_max_scale:
                    continue
                r = run_child(step, impl, work, False)
                if not a.no_tracemalloc and r["seconds"] <= a.trace_max_seconds:
                    r["py_mb"] = run_child(step, impl, work, True)["py_mb"]
                got[impl] = r
                info = {k: v for k, v in r.items() if k not in ("seconds", "rss_mb", "py_mb")}
                rss, py = _fmt(r["rss_mb"], " MB"), _fmt(r.get("py_mb", float("nan")), " MB")
                print(f"  {step:<12} {impl:<5} {r['seconds']:8.2f} s  RSS {rss:>9}  py {py:>9}"
                      f"  {info}", flush=True)
            o, n = got["ours"], got.get("nx")
            total += o["seconds"]
            speed = f"{n['seconds'] / o['seconds']:.1f}x" if n else "-"
            mem = (f"{n['rss_mb'] / o['rss_mb']:.1f}x" if n and o["rss_mb"] > 0 else "-")
            rows.append([f"{scale:g}", step, f"{o['seconds']:.2f}", _fmt(o["rss_mb"], ""),
                         f"{n['seconds']:.2f}" if n else "-", _fmt(n["rss_mb"], "") if n else "-",
                         speed, mem])
        print(f"  ours, read + fold + four steps: {total:.1f} s", flush=True)
        if not a.no_rules:
            for code in ("CLU-001", "BRK-001"):
                r = run_child(f"rule:{code}", "ours", work, False)
                print(f"  rule {code} end to end (frames, pattern rules, findings): "
                      f"{r['seconds']:.1f} s, RSS {_fmt(r['rss_mb'], ' MB')}, "
                      f"{r['findings']} findings", flush=True)
    print("\n| scale | step | ours s | ours RSS MB | networkx s | networkx RSS MB | speed-up "
          "| memory ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
