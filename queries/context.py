"""What a rule sees: the frames, its settings and shared, cached computations.

A :class:`Context` is also the one place rules are run (:meth:`Context.run`):
each rule runs at most once per scan with its own settings, its findings are
stamped with the rule's code and category, and a rule that builds on others'
findings (CLU-001 counts the pattern rules' findings inside a community) asks
the context for them instead of running them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from lang.kinship import INVERSE, reverse
from lang.message import Msg, ent, kin
from queries.frames import Frames

if TYPE_CHECKING:
    from queries.engine import SqlRunner
    from queries.findings import Finding
    from queries.settings import Settings


@dataclass
class Context:
    """Frames plus caches shared between rules during one scan.

    ``config`` holds every rule's settings (the defaults when None) and
    ``overrides`` replaces some of one rule's values (``{"CLU-001": {"seed": 3}}``).
    """

    frames: Frames
    settings: dict[str, Any] = field(default_factory=dict)
    _reports: dict[str, int] | None = None
    _made: set[str] = field(default_factory=set)
    _running: str = ""
    config: Settings | None = None
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, list[Finding]] = field(default_factory=dict)
    runner: SqlRunner | None = None
    failures: dict[str, str] = field(default_factory=dict)
    """Rules that raised, by code: a one-line reason (see :func:`failure_reason`)."""
    #: What the rules report beside their findings (:meth:`note`), in the order said.
    notes: list[dict[str, Any]] = field(default_factory=list)
    #: The rules the scan reports (None: every rule); a rule that folds its findings into
    #: another's (COL-001 pairs into COL-005 rings) does so only when that one reports.
    chosen: set[str] | None = None
    #: Computations several rules share within one scan, by name (the firms' shared
    #: identifiers of :mod:`queries.rules.rings`, read by COL-002 and COL-005).
    cache: dict[str, Any] = field(default_factory=dict)

    def note(self, kind: str, message: Msg, **data: Any) -> None:
        """Report something a rule did not use or did not flag (an identifier too coarse
        or too common to link anyone, two names that may be one company): ``kind`` names
        what it is, ``message`` says it in the run's language, ``data`` holds its facts.
        The rule running is stamped on it."""
        self.notes.append({"rule": self._running, "kind": kind, **data,
                           "message": message.to_json()})

    def rule_settings(self, code: str) -> dict[str, Any]:
        """The settings ``code`` runs with: the settings file, then the overrides."""
        from queries.settings import load_settings

        if self.config is None:
            self.config = load_settings()
        return {**self.config.rule(code), **self.overrides.get(code, {})}

    def enabled(self, code: str) -> bool:
        """Whether the settings let ``code`` run."""
        return bool(self.rule_settings(code).get("enabled", True))

    def reports(self, code: str) -> bool:
        """Whether ``code`` runs and its findings are reported in this scan."""
        return self.enabled(code) and (self.chosen is None or code in self.chosen)

    def run(self, code: str) -> list[Finding]:
        """The findings of rule ``code`` (run once per context; [] when disabled), each
        stamped with the rule's code and category.

        A rule that raises gives no finding: the reason goes to :attr:`failures` under its
        code, and the scan goes on with the other rules (a rule building on it, as
        CLU-001 on the pattern rules, goes on without its findings). A bad setting
        (:class:`~queries.settings.SettingsError`) stops the scan: it is the user's to fix.
        """
        from queries.registry import RULES
        from queries.settings import SettingsError

        if code not in self.results:
            rule = RULES[code]
            saved, running = self.settings, self._running
            self.settings, self._running = self.rule_settings(code), code
            try:
                found = rule.run(self) if self.settings.get("enabled", True) else []
            except SettingsError:
                raise
            except Exception as exc:  # one rule's fault is reported, not fatal
                self.failures[code] = failure_reason(exc)
                found = []
            finally:
                self.settings, self._running = saved, running
            for f in found:
                f.rule, f.category = rule.code, rule.category
            self.results[code] = found
        return self.results[code]

    def register(self, name: str, table: pa.Table) -> None:
        """Make a table a rule computed in Python readable by its SQL as ``name``, on the
        scan's SQL runner (for the rest of the scan)."""
        runner: SqlRunner = self.runner if self.runner is not None else self.frames.engine
        runner.register(name, table)

    def materialize(self, name: str, sql: str,
                    params: Callable[[], dict[str, Any]] | None = None) -> None:
        """Make the result of ``sql`` a table ``name`` on the scan's SQL runner, once per
        scan (``params`` is called only then), for several rules or queries to read."""
        if name in self._made:
            return
        runner: SqlRunner = self.runner if self.runner is not None else self.frames.engine
        runner.params.setdefault("chain_hops", self.chain_hops())
        runner.materialize(name, sql, params() if params is not None else {})
        self._made.add(name)

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a rule's SQL (shared intermediates computed first, once) on the scan's SQL
        runner: the embedded engine, or another engine such as Spark (``runner``)."""
        runner: SqlRunner = self.runner if self.runner is not None else self.frames.engine
        runner.params.setdefault("chain_hops", self.chain_hops())
        return runner.rows(sql, params)

    def chain_hops(self) -> int:
        """How far kin chains are followed: the largest ``max_kin_hops`` of any rule."""
        from queries.registry import RULES

        return max(int(self.rule_settings(code).get("max_kin_hops", 1)) for code in RULES)

    def ent(self, key: str) -> dict[str, Any]:
        """An entity as a message field: its name and every source id (``name (id1/id2)``)."""
        return ent(self.frames.names.get(key, ""), self.frames.ids.get(key, [key]), key)

    def kinship(self, start: str, how: str, path: str, *, back: bool = False) -> dict[str, Any]:
        """A kin chain as a message field (:func:`lang.message.kin`) with the gender on
        record of everyone along it: ``how`` (relations joined by ``>``) read from
        ``start`` along the records ``path``; ``back`` reads it the other way, from the
        relative to ``start`` ("张伟 is the husband of 李娜"). A tie that is not a kin
        chain (``self``, ``associate``, ``co_owner``) keeps its words as they are."""
        chain = how.split(">")
        if not path or any(r not in INVERSE for r in chain):
            return kin(chain)
        persons = self.frames.chain_keys(start, path)
        genders = [self.frames.gender(p) for p in persons]
        ego = self.frames.gender(start)
        if back:
            chain, genders, ego = reverse(chain, genders, ego)
        return kin(chain, genders, ego)

    def name(self, key: str) -> str:
        """An entity's name as written (its key when it has none)."""
        return self.frames.names.get(key, key)

    def report_counts(self) -> dict[str, int]:
        """How many tip-offs name each entity (counted once per scan)."""
        if self._reports is None:
            rows = self.frames.engine.arrow("SELECT key, n FROM report_counts")
            self._reports = dict(zip(rows.column("key").to_pylist(),
                                     rows.column("n").to_pylist(), strict=True))
        return self._reports

    def report_bonus(self, keys: list[str]) -> float:
        """Score bonus for tip-offs naming the finding's persons."""
        counts = self.report_counts()
        n = sum(counts.get(k, 0) for k in set(keys))
        bonus: float = self.settings.get("report_bonus", 0.05) * n
        return float(min(bonus, self.settings.get("report_bonus_max", 0.1)))


def failure_reason(exc: BaseException) -> str:
    """One line saying why a rule failed: the error, its message's first line, and the
    last place in the project's code it passed through.

    Examples
    --------
    >>> try:
    ...     {}["x"]
    ... except KeyError as e:
    ...     failure_reason(e).split(" (")[0]
    "KeyError: 'x'"
    """
    import traceback
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.is_relative_to(root) and ".venv" not in path.parts:
            where = f"{path.relative_to(root).as_posix()}:{frame.lineno}"
    text = (str(exc).strip().splitlines() or [""])[0]
    line = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"{line} ({where})" if where else line
