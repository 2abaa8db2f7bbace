"""How many duplicate records the match queue proposes, and at what rank, once identifiers
are blanked.

Run:  .venv/bin/python bench/matches.py [--scales 0.3 1] [--seeds 1 2 3]

For each (scale, seed): generate a county; set the truth aside (person rows
with the same valid identity number are one person, organisation rows with the
same valid credit code one organisation); blank every valid ``id_number`` and
``credit_code`` (the generator's rows with a broken one are set aside, as meant);
load; run :func:`queries.match_candidates.candidates`; compare.

Where the duplicates come from. Persons: the generator already registers about
0.5% of persons twice (synthetic/duplicates.py): a second persons row under
another id, the name typed with a full-width or stray blank, the phone missing
one time in two, the same birth date, gender and address; the other tables
name one row or the other at random, so ties are split between the two.
Organisations: the generator writes each once, so this bench (not the
generator) re-records 1% of companies (at least three) as a second department
would: a new ``org_id``, the name with its legal form written another way
(``有限公司`` as ``有限责任公司``, in full-width brackets, or with a blank before
it), no credit code, the phone missing one time in two, the same address and
founding date; each of the company's role rows moves to the new id one time in
two, and its legal representative is recorded under both.

Persons again: the generator's duplicates keep every date, so the bench (not the
generator) also re-records 1% of the other persons (at least three) as a department
that keeps no birth dates would (``person/dept``): a new ``person_id``, the name
with a full-width blank after the surname, with blanks around it or as written,
no birth date, the gender missing one time in three, the phone one time in two,
the address one time in three; each payment to, tie of and case role of the
person moves to the new id one time in two.

Prints one row per (scale, seed, kind): true pairs, proposed (recall), median
and 90th-percentile rank of the proposed ones in that kind's queue, share of the
true pairs in the top 50/100/500, precision at 50 and 100, candidates, the
generator's namesake pairs proposed, and the seconds ``candidates`` took (wall clock and
processor).
"""

from __future__ import annotations

import argparse
import csv
import random
import shlex
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

from graph.ids import (
    is_valid_credit_code,
    is_valid_id_number,
    normalize_id_number,
)
from graph.store import SqliteStore
from loaders.load import load_folder
from queries.match_candidates import Candidate, candidates
from synthetic import generate_county
from synthetic.truth import read_truth

Pair = tuple[str, str]
_FORMS = ("有限责任公司", "（有限公司）", " 有限公司")


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _blank(path: Path, column: str, table: str, valid: Callable[[str], bool],
           same: dict[str, list[str]]) -> None:
    """Blank every valid value of ``column`` (an invalid one stays, so its row is set aside
    as the generator meant); note which row ids shared one valid value (``same``)."""
    header, rows = _read(path)
    col, key = header.index(column), header.index(f"{table}_id")
    for row in rows:
        if len(row) != len(header):
            continue  # a row the loader sets aside whole
        value = normalize_id_number(row[col]).upper()
        if value and valid(value):
            same[value].append(row[key])
            row[col] = ""
    _write(path, header, rows)


def _move(path: Path, column: str, twins: dict[str, str], rng: random.Random,
          copy: tuple[str, str] | None = None) -> None:
    """Point each row naming one of ``twins`` in ``column`` at its twin one time in two
    (rows whose ``copy[0]`` column is ``copy[1]`` are written for both instead)."""
    header, rows = _read(path)
    col = header.index(column)
    extra: list[list[str]] = []
    for row in rows:
        if len(row) != len(header) or row[col] not in twins:
            continue
        if copy is not None and row[header.index(copy[0])] == copy[1]:
            extra.append([twins[row[col]] if i == col else v for i, v in enumerate(row)])
        elif rng.random() < 0.5:
            row[col] = twins[row[col]]
    _write(path, header, rows + extra)


def _blank_space(name: str, i: int) -> str:
    """A name as another clerk types it: a full-width blank, a stray blank, full-width."""
    if i % 3 == 0:
        return name[:1] + "\u3000" + name[1:]
    if i % 3 == 1:
        return " " + name + " "
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)


def plant_persons(data: Path, rng: random.Random, skip: set[str]) -> dict[str, list[str]]:
    """Re-record 1% of persons (at least three) as a department that keeps no birth dates
    would; returns original id -> [original id, new id]."""
    header, rows = _read(data / "persons.csv")
    col = {c: i for i, c in enumerate(header)}
    people = [r for r in rows if len(r) == len(header) and r[col["person_id"]] not in skip]
    chosen = rng.sample(people, min(len(people), max(3, round(0.01 * len(people)))))
    twins: dict[str, str] = {}
    for i, r in enumerate(chosen):
        twin = list(r)
        twin[col["person_id"]] = f"PX{i + 1:07d}"
        twin[col["name"]] = _blank_space(r[col["name"]], i)
        twin[col["birth_date"]] = twin[col["death_date"]] = ""
        if rng.random() < 1 / 3:
            twin[col["gender"]] = ""
        if rng.random() < 0.5:
            twin[col["phone"]] = ""
        if rng.random() < 1 / 3:
            twin[col["address"]] = ""
        rows.append(twin)
        twins[r[col["person_id"]]] = twin[col["person_id"]]
    _write(data / "persons.csv", header, rows)
    for table, column in (("payments", "recipient_id"), ("relationships", "person_id"),
                          ("relationships", "other_id"), ("case_roles", "party_id")):
        _move(data / f"{table}.csv", column, twins, rng)
    return {a: [a, b] for a, b in twins.items()}


def plant_companies(data: Path, rng: random.Random) -> dict[str, list[str]]:
    """Re-record 1% of companies (at least three) as a second department would; returns
    original id -> [original id, new id]."""
    header, rows = _read(data / "organizations.csv")
    col = {c: i for i, c in enumerate(header)}
    firms = [r for r in rows if len(r) == len(header) and r[col["kind"]] == "company"
             and "有限公司" in r[col["name"]]]
    chosen = rng.sample(firms, min(len(firms), max(3, round(0.01 * len(firms)))))
    twins: dict[str, str] = {}
    for i, r in enumerate(chosen):
        twin = list(r)
        twin[col["org_id"]] = f"OX{i + 1:06d}"
        twin[col["name"]] = r[col["name"]].replace("有限公司", _FORMS[i % len(_FORMS)], 1)
        twin[col["credit_code"]] = twin[col["parent_org_id"]] = ""
        if rng.random() < 0.5:
            twin[col["phone"]] = ""
        rows.append(twin)
        twins[r[col["org_id"]]] = twin[col["org_id"]]
    _write(data / "organizations.csv", header, rows)
    _move(data / "company_roles.csv", "company_id", twins, rng, copy=("role", "legal_rep"))
    return {a: [a, b] for a, b in twins.items()}


def _truth_pairs(store: SqliteStore, groups: list[list[str]], table: str) -> set[Pair]:
    view = store.view()
    out: set[Pair] = set()
    for ids in groups:
        keys = {k for k in (view.resolve(i, table) for i in ids) if k}
        out |= {(a, b) if a < b else (b, a) for a, b in combinations(sorted(keys), 2)}
    return out


def _row(label: str, queue: list[Candidate], truth: set[Pair], namesakes: set[Pair],
         took: tuple[float, float]) -> str:
    """One line of the table (precision only for a whole kind's queue)."""
    ranks = [i + 1 for i, c in enumerate(queue) if (c.a, c.b) in truth]
    n = len(truth)

    def top(k: int) -> str:
        return f"{sum(r <= k for r in ranks) / n:.2f}" if n else "-"

    def prec(k: int) -> str:
        part = "/" in label
        return f"{sum(r <= k for r in ranks) / min(k, len(queue)):.2f}" if queue and not part \
            else "-"

    med = f"{statistics.median(ranks):g}" if ranks else "-"
    p90 = f"{sorted(ranks)[max(0, round(0.9 * len(ranks)) - 1)]}" if ranks else "-"
    ns = sum((c.a, c.b) in namesakes for c in queue)
    return (f"{label} {n:>5} {len(ranks):>5} {len(ranks) / n if n else 0:>6.2f} {med:>6} "
            f"{p90:>6} {top(50):>5} {top(100):>5} {top(500):>5} {prec(50):>5} {prec(100):>5} "
            f"{len(queue):>6} {ns:>5} {took[0]:>6.1f} {took[1]:>6.1f}")


def run(scale: float, seed: int, min_score: float = 0.3) -> list[str]:
    """Rows of the table for one generated county."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        county = generate_county(Path(tmp) / "c", scale=scale, seed=seed)
        data = county.data_dir
        people: dict[str, list[str]] = defaultdict(list)
        firms: dict[str, list[str]] = defaultdict(list)
        _blank(data / "persons.csv", "id_number", "person", is_valid_id_number, people)
        _blank(data / "organizations.csv", "credit_code", "org", is_valid_credit_code, firms)
        twice = [g for g in people.values() if len(g) > 1]
        re_recorded = plant_persons(data, rng, {i for g in twice for i in g})
        planted = plant_companies(data, rng)
        store = SqliteStore(Path(tmp) / "c.db")
        load_folder(data, store)
        t0, c0 = time.perf_counter(), time.process_time()
        queue = candidates(store, min_score=min_score)
        took = (time.perf_counter() - t0, time.process_time() - c0)
        truth = {
            "person/gen": _truth_pairs(store, twice, "persons"),
            "person/dept": _truth_pairs(store, list(re_recorded.values()), "persons"),
            "organization": _truth_pairs(
                store, [g for g in firms.values() if len(g) > 1] + list(planted.values()),
                "organizations"),
        }
        truth["person"] = truth["person/gen"] | truth["person/dept"]
        truth["all"] = truth["person"] | truth["organization"]
        names = read_truth(county.truth_path).namesakes
        namesakes = _truth_pairs(store, [list(n.person_ids) for n in names], "persons")
        store.close()
    out = []
    for label in ("person/gen", "person/dept", "person", "organization", "all"):
        kind = label.split("/")[0]
        q = queue if kind == "all" else [c for c in queue if c.kind == kind]
        out.append(_row(f"{scale:>5g} {seed:>4} {label:<12}", q, truth[label], namesakes, took))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.3, 1.0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--min-score", type=float, default=0.3,
                    help="the queue's lowest score (candidates' min_score)")
    args = ap.parse_args()
    print("rerun: PYTHONPATH=. python " + " ".join(shlex.quote(a) for a in sys.argv),
          flush=True)
    print(f"{'scale':>5} {'seed':>4} {'kind':<12} {'true':>5} {'found':>5} {'recall':>6} "
          f"{'median':>6} {'p90':>6} {'@50':>5} {'@100':>5} {'@500':>5} {'P@50':>5} "
          f"{'P@100':>5} {'cands':>6} {'names':>5} {'sec':>6} {'cpu s':>6}", flush=True)
    for scale in args.scales:
        for seed in args.seeds:
            for line in run(scale, seed, args.min_score):
                print(line, flush=True)


if __name__ == "__main__":
    main()
