"""The same rules on Apache Spark: the store's tables as Parquet, the rules' SQL transpiled.

A province's data does not fit one machine: its tables are exported as Parquet
(``umbrella export parquet DIR``, :meth:`queries.engine.Engine.export_parquet`) to
storage the cluster reads, and the pattern rules run there unchanged: every
rule's SQL and every shared intermediate is the text the embedded engine runs,
transpiled from DuckDB's dialect to Spark SQL by SQLGlot; values go in as Spark's
named parameters (``:name``). Only the match rows come back (a few per lead), and
the findings are built and stored as in any scan.

``master`` is ``local[N]`` on one machine (what the tests use, with Debian's
OpenJDK 17) or a cluster's address (``spark://host:7077``, ``yarn``); the Parquet
folder must then be on storage every executor reads.

Examples
--------
>>> to_spark("SELECT * FROM t WHERE list_contains($roles, r) QUALIFY row_number() "
...          "OVER (PARTITION BY a ORDER BY b) = 1",
...          {"t": {"a": "TEXT", "b": "TEXT", "r": "TEXT"}})  # doctest: +ELLIPSIS
'SELECT a, b, r FROM (SELECT t.a AS a, t.b AS b, t.r AS r, ROW_NUMBER() OVER (...) AS _w ...'
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot.optimizer.qualify import qualify

from graph.errors import UmbrellaError
from lang import _
from queries.engine import Engine, referenced


def to_spark(sql: str, schema: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """An SQL text of the rules in Spark SQL (``$name`` parameters become ``:name``).

    With the ``schema`` of the tables it reads (table -> column -> type), every ``*`` is
    spelled out first, so that QUALIFY, which Spark lacks, becomes a subquery whose helper
    column never leaks into a later ``*``.
    """
    tree = sqlglot.parse_one(sql, read="duckdb")
    if schema:
        tree = qualify(tree, schema={k: dict(v) for k, v in schema.items()}, dialect="duckdb",
                       quote_identifiers=False, validate_qualify_columns=False)
    return tree.sql(dialect="spark")


class SparkRunner:
    """Runs the rules' SQL on Spark over a folder of the store's tables as Parquet.

    Parameters
    ----------
    parquet:
        The folder :meth:`queries.engine.Engine.export_parquet` wrote.
    master:
        Spark master (``local[2]``, ``spark://host:7077``...); ignored with ``session``.
    session:
        An existing SparkSession to use.
    shared:
        Name -> SQL of the shared intermediates (:data:`queries.shared.SHARED`).
    """

    def __init__(self, parquet: Path | str, master: str = "local[2]", session: Any = None,
                 shared: Mapping[str, str] | None = None) -> None:
        if shared is None:
            from queries.shared import SHARED
            shared = SHARED
        self.parquet = str(parquet)
        self.shared = dict(shared)
        self.params: dict[str, Any] = {}
        self._own = session is None
        self.spark = session if session is not None else start_session(master)
        self._have: set[str] = set()
        self._schema: dict[str, dict[str, str]] = {}
        self._texts: dict[str, str] = {}

    def _spark_sql(self, sql: str) -> str:
        if sql not in self._texts:
            self._texts[sql] = to_spark(sql, self._schema)
        return self._texts[sql]

    def _view(self, name: str, frame: Any) -> None:
        frame.createOrReplaceTempView(name)
        self._schema[name.lower()] = {f.name: f.dataType.simpleString() for f in frame.schema}

    def close(self) -> None:
        """Stop the session this runner started."""
        if self._own:
            self.spark.stop()

    def ensure(self, name: str) -> None:
        """Make ``name`` a view: a Parquet table of the export, or a shared intermediate."""
        if name in self._have:
            return
        path = Path(self.parquet) / f"{name}.parquet"
        if name in self.shared:
            sql = self.shared[name]
            for dep in referenced(sql):
                self.ensure(dep)
            frame = self.spark.sql(self._spark_sql(sql), args=self._args(sql, self.params))
            self._view(name, frame.cache())
        elif path.exists() or "://" in self.parquet:
            self._view(name, self.spark.read.parquet(str(path)))
        else:
            return  # a CTE
        self._have.add(name)

    @staticmethod
    def _args(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters ``sql`` names (:meth:`Engine._params_for`), tuples as lists."""
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in Engine._params_for(sql, params).items()}

    def materialize(self, name: str, sql: str, params: Mapping[str, Any]) -> None:
        """Compute a query once into a cached temporary view ``name``."""
        for dep in referenced(sql):
            self.ensure(dep)
        merged = {**self.params, **params}
        frame = self.spark.sql(self._spark_sql(sql), args=self._args(sql, merged))
        self._view(name, frame.cache())
        self._have.add(name)

    def register(self, name: str, table: Any) -> None:
        """Make an Arrow table readable as ``name`` (a temporary view of the session)."""
        self._view(name, self.spark.createDataFrame(table) if table.num_rows
                   else self.spark.createDataFrame([], _spark_schema(table.schema)))
        self._have.add(name)

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows of a rule's query, as dicts (the same keys the embedded engine gives)."""
        for name in referenced(sql):
            self.ensure(name)
        merged = {**self.params, **(params or {})}
        result = self.spark.sql(self._spark_sql(sql), args=self._args(sql, merged)).collect()
        return [r.asDict(recursive=True) for r in result]


def runner_for(view: Any, master: str = "local[2]", parquet: Path | str | None = None,
               progress: Callable[[str, int, int], None] | None = None) -> SparkRunner:
    """A Spark runner over ``parquet`` (a folder an earlier export wrote, possibly on the
    cluster's storage), or over a fresh export of ``view`` to a temporary folder."""
    if parquet is None:
        folder = Path(tempfile.mkdtemp(prefix="umbrella-parquet-"))
        engine = Engine(view)
        try:
            engine.export_parquet(folder, progress)
        finally:
            engine.close()
        parquet = folder
    return SparkRunner(parquet, master)


def _spark_schema(schema: Any) -> str:
    """A DDL schema string for an empty Arrow table's columns (text, numbers, integers)."""
    import pyarrow as pa

    kinds = {pa.int64(): "BIGINT", pa.int32(): "INT", pa.float64(): "DOUBLE"}
    return ", ".join(f"`{f.name}` {kinds.get(f.type, 'STRING')}" for f in schema)


def start_session(master: str = "local[2]") -> Any:
    """A SparkSession for the rules (no web UI; few shuffle partitions on one machine)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UmbrellaError(_("Spark is not installed"),
                            hint=_("pip install pyspark, and a Java 17 runtime")) from exc
    try:
        spark = (SparkSession.builder.master(master).appName("umbrella")
                 .config("spark.ui.enabled", "false")
                 .config("spark.sql.shuffle.partitions",
                         "4" if master.startswith("local") else "200")
                 .config("spark.sql.session.timeZone", "UTC")
                 # Spark 4 fails "plan became unresolved" on some of the rules' aliases
                 # in this optimizer rule; without it the plans are the same otherwise
                 .config("spark.sql.optimizer.excludedRules",
                         "org.apache.spark.sql.catalyst.optimizer.RemoveRedundantAliases")
                 .getOrCreate())
    except Exception as exc:  # a missing Java runtime surfaces as a generic error
        raise UmbrellaError(_("Spark could not start ({error})").format(
            error=str(exc).splitlines()[0][:200]),
            hint=_("install a Java 17 runtime (Debian: apt-get install "
                   "openjdk-17-jre-headless)")) from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark
