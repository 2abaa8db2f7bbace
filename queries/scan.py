"""Run the rules over a store and keep their findings in it.

A scan refuses a database while a load runs, or after one stopped half-way (unless
``partial``): findings from a half-loaded database would look complete. The check
is made again after the rules have read the database, so a load that started or
finished meanwhile does not leave findings from two states of it
(:func:`graph.store.runs.refuse_incomplete`).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "empty.db")
>>> scan(store).findings
[]
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import IncompleteLoadError, UmbrellaError
from graph.store import Store, StoreView
from graph.store.runs import refuse_incomplete
from lang import _
from queries import rules as _rules  # noqa: F401  (registers the rules)
from queries.context import Context, failure_reason
from queries.coverage import measure
from queries.engine import SqlRunner
from queries.feedback import feed_back
from queries.frames import Frames
from queries.registry import RULES
from queries.settings import check_value, load_settings
from queries.triage import current_statuses, with_status


@dataclass
class ScanResult:
    """Findings (dicts of the JSON contract, best first) and what ran.

    ``failures``: the rules that failed, by code, each with a one-line reason (their
    findings are missing; the other rules' are stored). ``coverage``: per rule that
    declares its items (:mod:`queries.coverage`), how many it assessed, flagged and
    could not assess for missing data.
    """

    findings: list[dict[str, Any]] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: What the rules reported beside their findings (identifiers too coarse or too
    #: common to link anyone, names that may be one company): :meth:`Context.note`.
    notes: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Per rule run or failed: findings, coverage and failure, for the JSON output."""
        rules: dict[str, Any] = {}
        for code in sorted({*self.counts, *self.failures}):
            entry: dict[str, Any] = {"findings": self.counts.get(code, 0)}
            if code in self.coverage:
                entry["coverage"] = self.coverage[code]
            if code in self.failures:
                entry["failed"] = self.failures[code]
            rules[code] = entry
        return {"rules": rules, "failures": [{"rule": c, "reason": r}
                                             for c, r in sorted(self.failures.items())]}



def select_rules(codes: list[str] | None = None,
                 categories: list[str] | None = None) -> list[str]:
    """Rule codes chosen by code (or code prefix such as ``COL``) and category."""
    chosen = sorted(RULES)
    if codes:
        wanted = [c.upper() for c in codes]
        unknown = [c for c in wanted if not any(r == c or r.startswith(c + "-") for r in RULES)]
        if unknown:
            raise UmbrellaError(_("unknown rule {rules}").format(rules=", ".join(unknown)),
                                hint=_("rules: {rules}").format(rules=", ".join(sorted(RULES))))
        chosen = [r for r in chosen if any(r == c or r.startswith(c + "-") for c in wanted)]
    if categories:
        bad = [c for c in categories if c not in {r.category for r in RULES.values()}]
        if bad:
            known = ", ".join(sorted({r.category for r in RULES.values()}))
            raise UmbrellaError(_("unknown category {categories}").format(
                categories=", ".join(bad)), hint=_("categories: {categories}").format(
                    categories=known))
        chosen = [r for r in chosen if RULES[r].category in categories]
    return chosen


def _loads_seen(view: StoreView) -> tuple[list[int], list[tuple[int, str]]]:
    """The finished loads and the loads under way, to tell whether any came or went."""
    return [int(ld["id"]) for ld in view.loads()], [(r.id, r.state) for r in view.load_runs()]


def _unchanged(store: Store, seen: tuple[list[int], list[tuple[int, str]]],
               partial: bool) -> None:
    """Refuse to keep findings when a load started, ran or stopped since ``seen``."""
    view = store.view()
    refuse_incomplete(view, partial=partial, where=store.location)
    if _loads_seen(view) != seen:
        raise IncompleteLoadError(
            _("{where}: a load ran while the rules read the database; their findings would mix "
              "two states of it, and were not kept").format(where=store.location),
            hint=_("run the scan again"))


def scan(store: Store, codes: list[str] | None = None, categories: list[str] | None = None,
         min_score: float = 0.0, sector: str | None = None, settings: Path | None = None,
         progress: Callable[[str, int, int], None] | None = None,
         overrides: dict[str, dict[str, Any]] | None = None,
         partial: bool = False, runner: SqlRunner | None = None,
         feedback: bool = True) -> ScanResult:
    """Run the chosen rules, store their findings, return them filtered and sorted.

    Each returned finding carries its current triage ``status`` (``new`` when nobody
    triaged it; :mod:`queries.triage`), on a backend that keeps triage.

    A rule that fails (raises) does not stop the scan: its code and a one-line reason go
    to :attr:`ScanResult.failures`, its earlier stored findings are removed, and the
    other rules' findings are stored. Each rule's coverage goes to
    :attr:`ScanResult.coverage`.

    ``overrides`` replaces some settings of some rules for this run only
    (``{"CLU-001": {"seed": 3}}``), as ``umbrella clusters --seed 3`` does. Raises
    :class:`~graph.errors.IncompleteLoadError` while a load runs, or when one stopped
    half-way (``partial`` accepts that: the findings cover what the database holds).
    ``runner`` runs the pattern rules' SQL elsewhere (Spark, :mod:`queries.spark`); the
    evidence is read from the store either way.

    The findings like a finding confirmed in triage are raised before they are stored
    (:mod:`queries.feedback`; ``[FEEDBACK]`` in the settings, ``feedback=False`` for
    this run only); with ``runner`` too, as the findings are finalised here.
    """
    chosen = select_rules(codes, categories)
    for code, values in (overrides or {}).items():
        for key, value in values.items():
            check_value(_("{rule} (from the command line)").format(rule=code), key, value)
    view = store.view()
    refuse_incomplete(view, partial=partial, where=store.location)
    seen = _loads_seen(view)
    frames = Frames(view)
    config = load_settings(settings)
    ctx = Context(frames, config=config, overrides=dict(overrides or {}),
                  runner=runner, chosen=set(chosen))
    result = ScanResult()
    found: list[dict[str, Any]] = []
    try:
        for i, code in enumerate(chosen):
            if progress:
                progress(_("rule {rule}").format(rule=code), i, len(chosen))
            if not ctx.enabled(code):
                continue
            made = ctx.run(code)
            if code in ctx.failures:
                result.failures[code] = ctx.failures[code]
                continue
            found_here = [f.to_dict(frames) for f in made]
            result.counts[code] = len(found_here)
            result.rules_run.append(code)
            found.extend(found_here)
            try:
                cov = measure(ctx, code, made)
            except Exception as exc:  # the findings stand; the count failed
                result.failures[code] = failure_reason(exc)
                continue
            if cov is not None:
                result.coverage[code] = cov
        result.notes = list(ctx.notes)
    finally:
        frames.close()
    found = feed_back(store, found, config, feedback)
    _unchanged(store, seen, partial)  # at once, not after waiting for a load's write lock
    with store.writer() as w:
        _unchanged(store, seen, partial)  # and inside the write (the embedded store's lock)
        # a failed rule's earlier findings go too: they described an earlier database
        w.replace_findings(found, [*result.rules_run, *result.failures])
    if progress:
        progress(_("done"), len(chosen), len(chosen))
    keep = [f for f in found if f["score"] >= min_score and (not sector or f["sector"] == sector)]
    keep = with_status(keep, current_statuses(store))  # the triage, kept apart from them
    result.findings = sorted(keep, key=lambda f: (-f["score"], f["rule"], f["id"]))
    return result


def run_rule(store: Store, code: str, overrides: dict[str, Any] | None = None,
             settings: Path | None = None) -> list[dict[str, Any]]:
    """Run one rule with some settings overridden, store its findings, return them best
    first (what ``umbrella clusters`` and ``umbrella brokers`` call).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "empty.db")
    >>> run_rule(store, "CLU-001", {"seed": 3})
    []
    >>> store.close()
    """
    return scan(store, [code], settings=settings,
                overrides={code: dict(overrides or {})}).findings
