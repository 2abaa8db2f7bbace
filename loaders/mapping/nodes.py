"""YAML read into nodes that remember their line, so mapping errors can name it.

Scalars stay text (``yes`` is the string ``'yes'``, ``007`` stays ``'007'``):
a mapping's values are column names and code values, never booleans by accident.

The YAML is read with PyYAML's safe loader (no Python objects), and held to the
input limits (:mod:`loaders.limits`) while it is composed: at most
``UMBRELLA_MAX_YAML_BYTES`` of text, ``UMBRELLA_MAX_YAML_ALIASES`` aliases and
``UMBRELLA_MAX_DEPTH`` levels of nesting. An alias becomes the very node it names
(not a copy), so a "billion laughs" of nested aliases costs no more than its text.

Examples
--------
>>> n = parse_yaml("a: 1\\nb:\\n  - x\\n  - {c: 配偶}\\n", Path("m.yaml"))
>>> n.get("b").items[1].get("c").text, n.get("b").items[1].line
('配偶', 4)
>>> n.key_line("b")
2
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from graph.errors import InputError
from lang import _
from loaders.limits import describe, limit, over


class MappingError(InputError):
    """A mapping file is wrong; the message names the file, the line and what to fix.

    Examples
    --------
    >>> str(MappingError(Path("m.yaml"), 7, "column '职务' is not in the header"))
    "m.yaml: line 7: column '职务' is not in the header"
    """

    def __init__(self, path: Path, line: int, text: str, hint: str = "") -> None:
        super().__init__(_("{file}: line {line}: {problem}").format(file=path, line=line,
                                                                   problem=text),
                         hint=hint or _("correct the mapping file at that line"))
        self.path = path
        self.line = line


@dataclass
class Node:
    """One YAML value: ``kind`` is ``scalar``, ``map`` or ``list``; ``line`` is 1-based."""

    kind: str
    line: int
    path: Path
    text: str | None = None
    """The scalar's text (None for an empty value or ``null``)."""
    keys: dict[str, Node] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    items: list[Node] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        """The value under ``key`` of a map (None when absent)."""
        return self.keys.get(key)

    def key_line(self, key: str) -> int:
        """The line where ``key`` is written (the map's own line when absent)."""
        return self.key_lines.get(key, self.line)

    def error(self, text: str, hint: str = "") -> MappingError:
        """A :class:`MappingError` at this node's line."""
        return MappingError(self.path, self.line, text, hint)

    def scalar(self, what: str) -> str:
        """This node's text, or an error saying ``what`` should have been written here."""
        if self.kind != "scalar" or self.text is None:
            raise self.error(_("{what} must be a single value here").format(what=what))
        return self.text

    def scalars(self, what: str) -> list[str]:
        """A scalar or a list of scalars, as a list of text."""
        if self.kind == "list":
            return [i.scalar(what) for i in self.items]
        return [self.scalar(what)]


def _node(y: yaml.Node, path: Path, seen: dict[int, Node]) -> Node:
    """The :class:`Node` of ``y``; a node met again (through an alias) is the same object."""
    if id(y) in seen:
        return seen[id(y)]
    line = y.start_mark.line + 1
    if isinstance(y, yaml.ScalarNode):
        null = y.tag == "tag:yaml.org,2002:null"
        out = Node("scalar", line, path, None if null else str(y.value))
    elif isinstance(y, yaml.SequenceNode):
        out = Node("list", line, path)
        seen[id(y)] = out
        out.items = [_node(i, path, seen) for i in y.value]
    else:
        assert isinstance(y, yaml.MappingNode)
        out = Node("map", line, path)
        seen[id(y)] = out
        for k, v in y.value:
            if not isinstance(k, yaml.ScalarNode):
                raise MappingError(path, k.start_mark.line + 1, _("a key must be plain text"))
            key = str(k.value)
            if key in out.keys:
                raise MappingError(path, k.start_mark.line + 1,
                                   _("'{key}' is written twice (first at line {line})").format(
                                       key=key, line=out.key_lines[key]),
                                   hint=_("keep one of the two"))
            out.keys[key] = _node(v, path, seen)
            out.key_lines[key] = k.start_mark.line + 1
    seen[id(y)] = out
    return out


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, counting aliases and nesting as it composes (before any copy)."""

    def __init__(self, text: str, path: Path) -> None:
        super().__init__(text)
        self.path = path
        self.aliases = 0
        self.depth = 0
        self.max_aliases = limit("yaml_aliases")
        self.max_depth = limit("depth")

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        at = {"file": self.path, "line": event.start_mark.line + 1}
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > self.max_aliases:
                raise over("yaml_aliases", _(
                    "{file}: line {line}: more than {n} aliases (*name), over {limit}").format(
                        n=self.max_aliases, limit=describe("yaml_aliases"), **at), self.aliases)
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > self.max_depth:
            raise over("depth", _("{file}: line {line}: YAML nested {n} levels deep, over "
                                  "{limit}").format(n=self.depth, limit=describe("depth"), **at),
                       self.depth)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def mapping_too_big(path: Path, size: int) -> str:
    """Why a mapping file of ``size`` bytes is refused (over the ``yaml_bytes`` limit)."""
    return _("{file}: the mapping file has {n:,} bytes, over {limit}").format(
        file=path, n=size, limit=describe("yaml_bytes"))


def parse_yaml(text: str, path: Path) -> Node:
    """Parse ``text`` (the content of ``path``) into a :class:`Node` tree.

    Examples
    --------
    >>> bomb = "a: &a [x, x]\\nb: &b [*a, *a]\\nc: [*b, *b]\\n"
    >>> n = parse_yaml(bomb, Path("m.yaml"))
    >>> n.get("c").items[0] is n.get("b")
    True
    >>> from loaders.limits import override
    >>> with override(yaml_aliases=3):
    ...     parse_yaml(bomb, Path("m.yaml"))
    Traceback (most recent call last):
    ...
    loaders.limits.LimitError: m.yaml: line 3: more than 3 aliases (*name), over the limit of 3 ...
    """
    size = len(text.encode("utf-8"))
    if size > limit("yaml_bytes"):
        raise over("yaml_bytes", mapping_too_big(path, size), size)
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(text, path)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise MappingError(path, line, _("not valid YAML: {problem}").format(
            problem=exc.problem or exc),
            hint=_("check indentation, colons and quotes at that line")) from exc
    except yaml.YAMLError as exc:
        raise MappingError(path, 1, _("not valid YAML: {problem}").format(problem=exc)) from exc
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise MappingError(path, 1, _("the mapping file is empty"),
                           hint=_("write one with: umbrella map FILE --template -o M.yaml"))
    return _node(root, path, {})
