"""A mapping file as data: which sheet feeds which layout table, and how each field is made.

A mapping is YAML (see ``tests/loaders/mappings/README.md`` and the README's
``umbrella map``)::

    version: 1
    sources:
      - file: 干部名册*.xlsx          # which SOURCE files this block reads (a name pattern)
        sheet: 干部名册              # .xlsx: sheet name or number (default: the first)
        header_row: 2               # the header's first row (default 1)
        header_rows: 2              # rows the header spans (merged cells; default 1)
        tables:
          - table: persons
            distinct: true          # rows giving the same id are one entity
            where: {类别: 在职}       # only rows whose column holds one of these values
            fields:
              person_id: 编号         # a column ...
              name: {column: 姓名}    # ... written out
              id_number: 身份证号
              region: {value: "330102"}            # a constant
              address: {template: "{省}{市}{街道}"}  # columns put together
            extra:                  # further columns kept as properties
              remark: 备注

A field's source is one of ``column``, ``value``, ``template`` or ``hash``
(a stable id from columns: ``{hash: [姓名, 身份证号]}``; ``style: ftm`` with
``seed`` gives FollowTheMoney's ids). Then, in this order: ``split: name|id``
("张三（P001）" -> 张三 / P001), ``extract: REGEX`` (its first group),
``map: {配偶: spouse}`` (with ``otherwise: VALUE`` for values it does not
list), the built-in Chinese labels of code columns
(:mod:`loaders.mapping.codes`), date and amount parsing for date and amount
columns (``date: start|end|exact`` to choose how 2019年3月 is read), and
``default``.

Examples
--------
>>> m = parse_mapping_text(
...     "sources:\\n  - file: a.csv\\n    tables:\\n      - table: persons\\n"
...     "        fields: {person_id: 编号, name: 姓名}\\n", Path("m.yaml"))
>>> t = m.sources[0].tables[0]
>>> t.table, [(f.name, f.column, f.line) for f in t.fields]
('persons', [('person_id', '编号', 5), ('name', '姓名', 5)])
>>> try:
...     parse_mapping_text("sources:\\n  - file: a.csv\\n    tables:\\n      - table: persons\\n"
...                        "        fields: {person_id: 编号, nam: 姓名}\\n", Path("m.yaml"))
... except MappingError as err:
...     print(err)
m.yaml: line 5: field 'nam' is not a column of persons (did you mean 'name'?)
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import InputError
from lang import _
from loaders.csvrecords import check_delimiter
from loaders.layout import TABLES, ColType
from loaders.limits import limit, over
from loaders.mapping.nodes import MappingError, Node, mapping_too_big, parse_yaml

SOURCES = ("column", "value", "template", "hash")
_FIELD_KEYS = {*SOURCES, "split", "extract", "map", "otherwise", "date", "default", "style",
               "seed", "prefix"}
_TABLE_KEYS = {"table", "fields", "extra", "distinct", "where"}
_SOURCE_KEYS = {"file", "sheet", "header_row", "header_rows", "encoding", "delimiter", "tables"}
TEMPLATE_PART = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class FieldSpec:
    """How one field of a layout row is made from a source row."""

    name: str
    line: int
    source: str
    """One of :data:`SOURCES`."""
    column: str = ""
    columns: tuple[str, ...] = ()
    """Columns a template or hash reads (in order)."""
    text: str = ""
    """The constant (``value``) or the template text."""
    style: str = "umbrella"
    seed: str = ""
    prefix: str = ""
    split: str = ""
    extract: str = ""
    codes: tuple[tuple[str, str], ...] = ()
    otherwise: str | None = None
    """What a filled value that ``map`` does not list becomes (None: left as it is)."""
    date: str = ""
    default: str = ""

    def source_columns(self) -> tuple[str, ...]:
        """Every source column this field reads."""
        return (self.column,) if self.source == "column" else self.columns


@dataclass(frozen=True)
class TableBlock:
    """One layout table fed from a sheet."""

    table: str
    line: int
    fields: tuple[FieldSpec, ...]
    extra: tuple[FieldSpec, ...] = ()
    distinct: bool = False
    where: tuple[tuple[str, tuple[str, ...], int], ...] = ()
    """``(column, accepted values, line)``; ``*`` accepts any filled cell."""


@dataclass(frozen=True)
class SourceBlock:
    """One source file pattern (and sheet), read with its header settings."""

    pattern: str
    line: int
    tables: tuple[TableBlock, ...]
    sheet: str | int | None = None
    header_row: int = 1
    header_rows: int = 1
    encoding: str | None = None
    delimiter: str = ","


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file."""

    path: Path
    sources: tuple[SourceBlock, ...] = field(default_factory=tuple)


def _unknown(node: Node, allowed: set[str], what: str) -> None:
    for k in node.keys:
        if k not in allowed:
            close = difflib.get_close_matches(k, sorted(allowed), n=1)
            raise MappingError(node.path, node.key_line(k), (
                _("'{key}' is not a setting of {what} (did you mean '{close}'?)") if close else
                _("'{key}' is not a setting of {what}")).format(
                    key=k, what=what, close=close[0] if close else ""),
                hint=_("settings of {what}: {settings}").format(
                    what=what, settings=", ".join(sorted(allowed))))


def _int(node: Node, what: str, least: int = 1) -> int:
    text = node.scalar(what)
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < least:
        raise node.error(_("{what} must be a whole number of at least {least}, not '{text}'")
                         .format(what=what, least=least, text=text))
    return int(text)


def _bool(node: Node, what: str) -> bool:
    text = node.scalar(what).lower()
    if text not in ("true", "false", "yes", "no"):
        raise node.error(_("{what} must be true or false, not '{text}'").format(what=what,
                                                                                  text=text))
    return text in ("true", "yes")


def _field(name: str, node: Node, line: int, table: str) -> FieldSpec:
    field_name = _("field {name}").format(name=name)
    if node.kind == "scalar":
        return FieldSpec(name, line, "column", column=node.scalar(field_name))
    if node.kind != "map":
        raise node.error(_("field {name}: write a column name or a {{column: ...}} map").format(
            name=name))
    _unknown(node, _FIELD_KEYS, field_name)
    given = [s for s in SOURCES if s in node.keys]
    if len(given) != 1:
        raise node.error((_("field {name}: give exactly one of {sources} (found {given})")
                          if given else _("field {name}: give exactly one of {sources}")).format(
            name=name, sources=", ".join(SOURCES), given=", ".join(given)))
    src = given[0]
    v = node.keys[src]
    kw: dict[str, object] = {}
    if src == "column":
        kw["column"] = v.scalar(_("field {name}: column").format(name=name))
    elif src == "value":
        kw["text"] = v.text or ""
    elif src == "template":
        text = v.scalar(_("field {name}: template").format(name=name))
        cols = tuple(TEMPLATE_PART.findall(text))
        if not cols:
            raise v.error(_("field {name}: the template names no column; write columns in "
                            "braces, e.g. \"{{省}}{{市}}\"").format(name=name))
        kw["text"], kw["columns"] = text, cols
    else:
        kw["columns"] = tuple(v.scalars(_("field {name}: hash column").format(name=name)))
        if not kw["columns"]:
            raise v.error(_("field {name}: hash needs at least one column, e.g. [姓名, 身份证号]")
                          .format(name=name))
        style = node.keys["style"].scalar("style") if "style" in node.keys else "umbrella"
        if style not in ("umbrella", "ftm"):
            raise node.keys["style"].error(_("field {name}: style must be umbrella or ftm")
                                           .format(name=name))
        kw["style"] = style
        for k in ("seed", "prefix"):
            if k in node.keys:
                kw[k] = node.keys[k].text or ""
    for k in ("style", "seed", "prefix"):
        if k in node.keys and src != "hash":
            raise MappingError(node.path, node.key_line(k), _("field {name}: {key} goes with "
                                                              "hash").format(name=name, key=k))
    if "split" in node.keys:
        split = node.keys["split"].scalar("split")
        if split not in ("name", "id"):
            raise node.keys["split"].error(
                _("field {name}: split must be name or id (the parts of '张三（P001）')").format(
                    name=name))
        kw["split"] = split
    if "extract" in node.keys:
        pattern = node.keys["extract"].scalar("extract")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise node.keys["extract"].error(_("field {name}: extract is no regular "
                                               "expression ({error})").format(
                name=name, error=exc)) from exc
        kw["extract"] = pattern
    if "map" in node.keys:
        m = node.keys["map"]
        if m.kind != "map":
            raise m.error(_("field {name}: map must be pairs such as {{配偶: spouse}}").format(
                name=name))
        kw["codes"] = tuple((k, val.text or "") for k, val in m.keys.items())
    if "otherwise" in node.keys:
        kw["otherwise"] = node.keys["otherwise"].text or ""
    if "date" in node.keys:
        how = node.keys["date"].scalar("date")
        if how not in ("start", "end", "exact"):
            raise node.keys["date"].error(_("field {name}: date must be start, end or exact")
                                          .format(name=name))
        col = TABLES[table].column(name) if name in TABLES[table].column_names() else None
        if col is None or col.type != ColType.DATE:
            raise node.keys["date"].error(_("field {name}: date goes with a date column")
                                          .format(name=name))
        kw["date"] = how
    if "default" in node.keys:
        kw["default"] = node.keys["default"].text or ""
    return FieldSpec(name, node.line, src, **kw)  # type: ignore[arg-type]


def _fields(node: Node | None, block: Node, table: str, extra: bool) -> tuple[FieldSpec, ...]:
    if node is None:
        return ()
    if node.kind != "map":
        raise node.error(_("fields must be pairs: field name, then its column or settings"))
    spec = TABLES[table]
    out = []
    for name, v in node.keys.items():
        line = node.key_line(name)
        if extra and name in spec.column_names():
            raise MappingError(node.path, line, _("'{name}' is a column of {table}: put it "
                                                  "under fields, not extra").format(
                name=name, table=table))
        if not extra and name not in spec.column_names():
            close = difflib.get_close_matches(name, spec.column_names(), n=1)
            raise MappingError(
                node.path, line, (
                    _("field '{name}' is not a column of {table} (did you mean '{close}'?)")
                    if close else _("field '{name}' is not a column of {table}")).format(
                        name=name, table=table, close=close[0] if close else ""),
                hint=_("columns of {table}: {columns}; other columns go under extra:").format(
                    table=table, columns=", ".join(spec.column_names())))
        if extra and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise MappingError(node.path, line, _("extra property '{name}' must be a plain "
                                                  "name (letters, digits, _)").format(name=name))
        out.append(_field(name, v, line, table))
    if not extra:
        have = {f.name for f in out}
        missing = [c.name for c in spec.required_columns() if c.name not in have]
        if missing:
            raise block.error((_("table {table} needs {columns}; add them under fields")
                               if len(missing) > 1 else
                               _("table {table} needs {columns}; add it under fields")).format(
                table=table, columns=", ".join(missing)))
    return tuple(out)


def _table(node: Node) -> TableBlock:
    if node.kind != "map":
        raise node.error(_("each entry of tables is a map with table: and fields:"))
    _unknown(node, _TABLE_KEYS, _("a table"))
    tables = _("tables: {tables}").format(tables=", ".join(TABLES))
    t = node.get("table")
    if t is None:
        raise node.error(_("say which layout table this feeds: table: persons (or ...)"),
                         hint=tables)
    table = t.scalar("table")
    if table not in TABLES:
        close = difflib.get_close_matches(table, list(TABLES), n=1)
        raise t.error((_("'{table}' is not a layout table (did you mean '{close}'?)") if close
                       else _("'{table}' is not a layout table")).format(
                           table=table, close=close[0] if close else ""), hint=tables)
    if node.get("fields") is None:
        raise node.error(_("table {table}: fields: missing").format(table=table))
    where: list[tuple[str, tuple[str, ...], int]] = []
    if (w := node.get("where")) is not None:
        if w.kind != "map":
            raise w.error(_("where must be pairs: column, then the value(s) rows must hold"))
        where = [(k, tuple(v.scalars(f"where {k}")), w.key_line(k)) for k, v in w.keys.items()]
    distinct = _bool(node.keys["distinct"], "distinct") if "distinct" in node.keys else False
    if distinct and TABLES[table].key is None:
        raise MappingError(node.path, node.key_line("distinct"),
                           _("distinct goes with a table that has ids; {table} has none").format(
                               table=table))
    return TableBlock(table, node.line, _fields(node.get("fields"), node, table, False),
                      _fields(node.get("extra"), node, table, True), distinct, tuple(where))


def _source(node: Node) -> SourceBlock:
    if node.kind != "map":
        raise node.error(_("each entry of sources is a map with file: and tables:"))
    _unknown(node, _SOURCE_KEYS, _("a source"))
    f = node.get("file")
    if f is None:
        raise node.error(_("say which file this block reads: file: NAME (a pattern such as "
                           "*.xlsx is fine)"))
    tables = node.get("tables")
    if tables is None or tables.kind != "list" or not tables.items:
        raise (tables or node).error(_("tables: must list at least one table"))
    sheet: str | int | None = None
    if (s := node.get("sheet")) is not None:
        text = s.scalar("sheet")
        sheet = int(text) if re.fullmatch(r"[0-9]{1,9}", text) else text
    return SourceBlock(
        f.scalar("file"), node.line, tuple(_table(t) for t in tables.items), sheet,
        _int(node.keys["header_row"], "header_row") if "header_row" in node.keys else 1,
        _int(node.keys["header_rows"], "header_rows") if "header_rows" in node.keys else 1,
        node.keys["encoding"].scalar("encoding") if "encoding" in node.keys else None,
        _delimiter(node.keys["delimiter"]) if "delimiter" in node.keys else ",")


def _delimiter(node: Node) -> str:
    try:
        return check_delimiter(node.scalar("delimiter"), "delimiter:")
    except MappingError:
        raise
    except InputError as err:
        raise node.error(err.message, err.hint) from err


def parse_mapping_text(text: str, path: Path) -> Mapping:
    """Parse a mapping's YAML text (``path`` only names it in errors)."""
    root = parse_yaml(text, path)
    if root.kind != "map":
        raise root.error(_("a mapping starts with sources: (and optionally version: 1)"))
    _unknown(root, {"version", "sources"}, _("the mapping"))
    if (v := root.get("version")) is not None and v.text != "1":
        raise v.error(_("version {version} is not known; this umbrella reads version 1").format(
            version=v.text))
    sources = root.get("sources")
    if sources is None or sources.kind != "list" or not sources.items:
        raise (sources or root).error(_("sources: must list at least one source file"))
    return Mapping(path, tuple(_source(s) for s in sources.items))


def parse_mapping(path: Path) -> Mapping:
    """Read and check a mapping file.

    Raises :class:`~loaders.mapping.nodes.MappingError` naming the line of the
    first problem.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "m.yaml"
    >>> _ = p.write_text("sources:\\n  - file: '*.csv'\\n    tables:\\n      - table: cases\\n"
    ...                  "        fields: {case_id: 案号, kind: 案件类型}\\n", encoding="utf-8")
    >>> [(t.table, [f.column for f in t.fields]) for t in parse_mapping(p).sources[0].tables]
    [('cases', ['案号', '案件类型'])]
    """
    try:
        size = path.stat().st_size
        if size > limit("yaml_bytes"):
            raise over("yaml_bytes", mapping_too_big(path, size), size)
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(_("{file}: cannot be read ({error})").format(file=path,
                                                                      error=exc.strerror),
                         hint=_("check the path of the mapping file")) from exc
    except UnicodeDecodeError as exc:
        raise InputError(_("{file}: is not UTF-8 text").format(file=path),
                         hint=_("save the mapping as UTF-8")) from exc
    return parse_mapping_text(text, path)
