"""Safe YAML parsing that remembers where every value came from.

The file is *composed* into a node tree (PyYAML's C parser where available) and turned into
plain Python values here, so no tag is ever executed: a ``!!python/...`` or any other
non-standard tag is reported as an error. Aliases are refused (no billion-laughs expansion).
Unquoted dates stay strings (their original text) and earn a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import Problem, field_name

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PREFIX = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_PREFIX + t for t in ("str", "int", "float", "bool", "null")}
_TIMESTAMP = _PREFIX + "timestamp"
_MAP, _SEQ = _PREFIX + "map", _PREFIX + "seq"
MAX_BYTES = 2_000_000
#: Deepest nesting accepted; a data file needs about six levels.
MAX_DEPTH = 64


@dataclass
class Parsed:
    """A parsed YAML document: its value, positions of values and keys, and problems."""

    value: Any
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def where(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """(line, column) of the value at ``path`` or of its nearest known ancestor."""
        table = self.key_positions if key else self.positions
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))


def parse_yaml(text: str, path: str, max_bytes: int = MAX_BYTES) -> Parsed:
    """Parse one YAML document; never raises for bad input, reports problems instead."""
    out = Parsed(None)
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        out.problems.append(Problem(path, 1, 1, "", f"file is larger than {max_bytes:,} bytes; split it or shorten it"))
        return out
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        out.problems.append(Problem(path, line, 1, "", "file contains a NUL byte; it is not a text file"))
        return out
    too_deep = _too_deep(text)
    if too_deep is not None:
        out.problems.append(Problem(path, *too_deep, "", f"nested more than {MAX_DEPTH} levels deep; Garrison's "
                                    "files nest a few levels at most (is a bracket left open?)"))
        return out
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = " ".join(x for x in (exc.context, exc.problem) if x) or str(exc)
        out.problems.append(Problem(path, line, col, "", f"YAML syntax error: {msg}"))
        return out
    except yaml.YAMLError as exc:  # e.g. a second document or a reader error
        out.problems.append(Problem(path, 1, 1, "", f"YAML error: {exc}"))
        return out
    if node is None:
        out.problems.append(Problem(path, 1, 1, "", "file is empty"))
        return out
    builder = _Builder(path, out)
    try:
        out.value = builder.build(node, ())
    except RecursionError:  # a last resort: _too_deep already refused what nests this deep
        out.value = None
        out.problems.append(Problem(path, 1, 1, "", f"nested more than {MAX_DEPTH} levels deep"))
    return out


_OPEN = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
         yaml.FlowSequenceStartToken)
_CLOSE = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _too_deep(text: str) -> tuple[int, int] | None:
    """(line, column) where `text` nests deeper than MAX_DEPTH, or None.

    Checked before parsing: PyYAML's composer recurses once per level, so a few hundred open
    brackets raise RecursionError and tens of thousands overflow the C parser's stack and kill
    the process. The token scanner is iterative. Most files cannot nest that deep at all (too
    few brackets, dashes and indentation), and skip the scan.
    """
    openers = text.count("[") + text.count("{") + text.count("- ") + text.count("-\n")
    if openers + max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0) <= MAX_DEPTH:
        return None
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):  # the pure-Python scanner: no recursion
            if isinstance(token, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark.line + 1, token.start_mark.column + 1
            elif isinstance(token, _CLOSE):
                depth -= 1
    except yaml.YAMLError:
        return None  # a syntax error: the parser reports it at its place
    return None


class _Builder:
    def __init__(self, path: str, out: Parsed):
        self.path, self.out, self.seen = path, out, set()
        self.constructor = _Loader("")  # constructs standard scalars only

    def problem(self, node: yaml.Node, where: tuple, msg: str, severity: str = "error") -> None:
        m = node.start_mark
        self.out.problems.append(Problem(self.path, m.line + 1, m.column + 1, field_name(where), msg, severity))

    def build(self, node: yaml.Node, where: tuple) -> Any:
        self.out.positions[where] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if id(node) in self.seen:
            self.problem(node, where, "YAML aliases (*name) are not supported; write the value out")
            return None
        self.seen.add(id(node))
        tag = node.tag
        if isinstance(node, yaml.MappingNode):
            if tag != _MAP:
                return self.bad_tag(node, where)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                    self.problem(key_node, where, "mapping keys must be plain words")
                    continue
                key = key_node.value
                if key == "<<":
                    self.problem(key_node, where, "YAML merge keys (<<) are not supported; write the fields out")
                    continue
                if key in result:
                    self.problem(key_node, where + (key,), f"duplicate key {key!r}; the later value would silently win")
                    continue
                m = key_node.start_mark
                self.out.key_positions[where + (key,)] = (m.line + 1, m.column + 1)
                result[key] = self.build(value_node, where + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            if tag != _SEQ:
                return self.bad_tag(node, where)
            return [self.build(child, where + (i,)) for i, child in enumerate(node.value)]
        if tag == _TIMESTAMP:
            self.problem(node, where, f"unquoted date {node.value}: quote it ('{node.value}') so YAML keeps it as text", "warning")
            return node.value
        if tag not in _SCALAR_TAGS:
            return self.bad_tag(node, where)
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            self.problem(node, where, f"cannot read value: {exc}")
            return None

    def bad_tag(self, node: yaml.Node, where: tuple) -> None:
        self.problem(node, where, f"YAML tag {node.tag!r} is not allowed (plain YAML only); it was not executed")
        return None
