"""Graph-algorithm commands: ``clusters`` (CLU-001) and ``brokers`` (BRK-001).

Each runs one rule with some settings overridden from the command line,
stores its findings (as ``scan --rule CLU`` / ``--rule BRK`` would) and lists
them; the library does the work (:func:`queries.scan.run_rule`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from lang import _
from umbrella import console
from umbrella.audit_cmd import audit_options
from umbrella.audit_record import looked
from umbrella.options import DATE, db_option, open_existing
from umbrella.output import Findings, Output, Table, output_options, write

_SETTINGS = click.option("--settings", type=click.Path(path_type=Path, exists=True,
                                                       dir_okay=False),
                         help="Settings file overriding the rules' defaults (TOML).")


_HTML = click.option("--html", "html_dir", type=click.Path(path_type=Path, file_okay=False),
                     help="Also write one interactive page per listed finding (its members "
                          "and the ties that bind them), and index.html, into this folder.")
_REVEAL = click.option("--reveal", is_flag=True,
                       help="With --html: show identity numbers unmasked.")


def _run(db: str, code: str, overrides: dict[str, Any], settings: Path | None,
         html_dir: Path | None = None, reveal: bool = False) -> list[dict[str, Any]]:
    from queries.scan import run_rule

    store = open_existing(db)
    try:
        found = run_rule(store, code, {k: v for k, v in overrides.items() if v is not None},
                         settings)
        if html_dir is not None and found:
            from umbrella.views import write_scan_pages

            looked(db, "", file=html_dir, reveal=reveal)
            index = write_scan_pages(store, found, html_dir, top=len(found), reveal=reveal)
            console.err.print(_("Pages for {n} findings of {rule}: {index}").format(
                n=len(found), rule=code, index=index))
        return found
    finally:
        store.close()


@click.command()
@db_option
@click.option("--method", type=click.Choice(["leiden", "louvain"]),
              help="Community method (default leiden; both maximise modularity).")
@click.option("--resolution", type=click.FloatRange(min=0, min_open=True),
              help="Fixed resolution, higher: more, smaller communities (default: chosen "
                   "from the graph).")
@click.option("--seed", type=click.IntRange(0, 2**31 - 1),
              help="Seed of the community search (default 0): same seed, same communities.")
@click.option("--on", "on", type=DATE, help="Only ties in force on this date (YYYY-MM-DD).")
@click.option("--min-score", type=click.FloatRange(0, 1), help="Lowest score listed.")
@click.option("--top", type=click.IntRange(min=1), help="Most communities listed (default 50).")
@_SETTINGS
@output_options("clusters")
@_HTML
@_REVEAL
@audit_options
def clusters(db: str, method: str | None, resolution: float | None, seed: int | None,
             on: str | None, min_score: float | None, top: int | None, settings: Path | None,
             out: Output, html_dir: Path | None, reveal: bool) -> None:
    """Communities where officials, suppliers and case suspects mix, riskiest first.

    Splits the graph of kin, associations, company roles, co-bidding, approvals
    and cases into communities (Leiden, seeded) and ranks them by risk density:
    findings of the other rules inside, the mix of officials, suppliers and
    suspects, and money flowing in (rule CLU-001). Each one lists its members,
    its tight centre and the ties that bind it, with their source rows. A
    community is a pattern for review, not an accusation.

    \b
    Example:
      umbrella clusters --top 10
      umbrella clusters --method louvain --seed 3 --format json -o clusters.json
      umbrella clusters --top 5 --html clusters/
    """
    found = _run(db, "CLU-001", {"method": method, "resolution": resolution, "seed": seed,
                                 "on": on, "min_score": min_score, "max_findings": top},
                 settings, html_dir, reveal)
    if out.path is not None:
        looked(db, "", out=out)
    write(Findings(found, _clusters_table(found), noun="clusters"), out)


def _clusters_table(found: list[dict[str, Any]]) -> Table:
    """Communities as the terminal lists them: rank, score, who mixes, money in, centre."""
    from lang.formats import money

    rows = [(f["rank"], f"{f['score']:.2f}", f["members"], len(f["officials"]),
             len(f["suppliers"]), len(f["suspects"]), len(f["findings_inside"]),
             "; ".join(money(a, c, compact=True) for c, a in
                       f.get("money_in_by_currency", {}).items()) or "-",
             ", ".join(f["centre_names"][:3]) +
             (" …" if len(f["centre_names"]) > 3 else ""), f["id"]) for f in found]
    first = found[0] if found else {}
    title = _("{n} communities ({method}, seed {seed}, resolution {resolution:.3g}, modularity "
              "{modularity:.3f})") if first else _("{n} communities")
    return Table(
        title.format(n=len(found), method=first.get("method"), seed=first.get("seed"),
                     resolution=first.get("resolution"), modularity=first.get("modularity")),
        ["rank", "score", "members", "officials", "suppliers", "suspects", "findings", "money in",
         "centre", "id"], rows, right=("score", "members", "money in"),
        notes=[_("Next: umbrella show ID (members, evidence), umbrella brokers")])


@click.command()
@db_option
@click.option("--pair", "pairs", multiple=True, metavar="SIDE:SIDE",
              help="Sides whose connecting paths count (government, official, company, "
                   "business, supplier, crime, other); repeatable. Default: "
                   "government:company and government:crime.")
@click.option("--combine", type=click.Choice(["all", "any"]),
              help="all: a broker must bridge every pair (default); any: add the shares.")
@click.option("--samples", type=click.IntRange(min=2),
              help="Most source nodes followed per pair (default 256); larger sides are "
                   "sampled and the error stated.")
@click.option("--seed", type=click.IntRange(0, 2**31 - 1), help="Seed of the sample.")
@click.option("--on", "on", type=DATE, help="Only ties in force on this date (YYYY-MM-DD).")
@click.option("--top", type=click.IntRange(min=1),
              help="Most brokers listed (default 50; those whose value is an outlier).")
@_SETTINGS
@output_options("brokers")
@_HTML
@_REVEAL
@audit_options
def brokers(db: str, pairs: tuple[str, ...], combine: str | None, samples: int | None,
            seed: int | None, on: str | None, top: int | None, settings: Path | None,
            out: Output, html_dir: Path | None, reveal: bool) -> None:
    """People bridging government with business and crime, by cross-side betweenness.

    Ranks people by the share of shortest paths between government bodies and
    companies, and between government bodies and case suspects, that run
    through them over private ties (posts, kin, associations, company roles;
    approvals and casework are official duties and left out) — rule BRK-001.
    Large graphs are sampled and the error is stated. Each broker comes with
    one such path per pair, with source rows, and a k-core number.

    \b
    Example:
      umbrella brokers --top 10
      umbrella brokers --pair official:crime --combine any --format csv -o brokers.csv
    """
    found = _run(db, "BRK-001", {"pairs": list(pairs) or None, "combine": combine,
                                 "samples": samples, "seed": seed, "on": on,
                                 "max_findings": top}, settings, html_dir, reveal)
    if out.path is not None:
        looked(db, "", out=out)
    write(Findings(found, _brokers_table(found), noun="brokers"), out)


def _brokers_table(found: list[dict[str, Any]]) -> Table:
    """Brokers as the terminal lists them, by rank: the share of each pair's paths they
    carry, the sampling error and their k-core."""
    found = sorted(found, key=lambda f: f["rank"])
    names = list(found[0]["betweenness"]) if found else []
    rows = [(f["rank"], f"{f['score']:.2f}", f["broker"], ", ".join(f["sides"]) or "-",
             *(f"{f['betweenness'][p]:.2%}" for p in names),
             _("exact") if f["exact"] else f"±{f['relative_error_95']:.0%}", f["core"], f["id"])
            for f in found]
    return Table(_("{n} brokers").format(n=len(found)),
                 ["rank", "score", "person", "sides", *names, "error", "k-core", "id"], rows,
                 right=("score", *names),
                 notes=[_("Next: umbrella show ID (the bridging paths), umbrella clusters")])
