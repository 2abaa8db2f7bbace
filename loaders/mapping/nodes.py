"""YAML read into nodes that remember their line, so mapping errors can name it.

Scalars stay text (``yes`` is the string ``'yes'``, ``007`` stays ``'007'``):
a mapping's values are column names and code values, never booleans by accident.

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


class MappingError(InputError):
    """A mapping file is wrong; the message names the file, the line and what to fix.

    Examples
    --------
    >>> str(MappingError(Path("m.yaml"), 7, "column '职务' is not in the header"))
    "m.yaml: line 7: column '职务' is not in the header"
    """

    def __init__(self, path: Path, line: int, text: str, hint: str = "") -> None:
        super().__init__(f"{path}: line {line}: {text}",
                         hint=hint or "correct the mapping file at that line")
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
            raise self.error(f"{what} must be a single value here")
        return self.text

    def scalars(self, what: str) -> list[str]:
        """A scalar or a list of scalars, as a list of text."""
        if self.kind == "list":
            return [i.scalar(what) for i in self.items]
        return [self.scalar(what)]


def _node(y: yaml.Node, path: Path) -> Node:
    line = y.start_mark.line + 1
    if isinstance(y, yaml.ScalarNode):
        null = y.tag == "tag:yaml.org,2002:null"
        return Node("scalar", line, path, None if null else str(y.value))
    if isinstance(y, yaml.SequenceNode):
        return Node("list", line, path, items=[_node(i, path) for i in y.value])
    assert isinstance(y, yaml.MappingNode)
    out = Node("map", line, path)
    for k, v in y.value:
        if not isinstance(k, yaml.ScalarNode):
            raise MappingError(path, k.start_mark.line + 1, "a key must be plain text")
        key = str(k.value)
        if key in out.keys:
            raise MappingError(path, k.start_mark.line + 1,
                               f"'{key}' is written twice (first at line {out.key_lines[key]})",
                               hint="keep one of the two")
        out.keys[key] = _node(v, path)
        out.key_lines[key] = k.start_mark.line + 1
    return out


def parse_yaml(text: str, path: Path) -> Node:
    """Parse ``text`` (the content of ``path``) into a :class:`Node` tree."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise MappingError(path, line, f"not valid YAML: {exc.problem or exc}",
                           hint="check indentation, colons and quotes at that line") from exc
    except yaml.YAMLError as exc:
        raise MappingError(path, 1, f"not valid YAML: {exc}") from exc
    if root is None:
        raise MappingError(path, 1, "the mapping file is empty",
                           hint="write one with: umbrella map FILE --template -o M.yaml")
    return _node(root, path)
