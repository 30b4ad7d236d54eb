"""Safe YAML 1.2 parsing that remembers where every value came from.

The file is *composed* into a node tree by ruamel.yaml, the library the editor and lint write
with, so the reader and the writer agree on YAML 1.2's rules: ``no``, ``on`` and ``1:20`` are
text, ``0o17`` is 15 and ``017`` is 17. Its C parser (ruamel.yaml.clib) is used where installed,
with ruamel's YAML 1.2 resolver; without it the pure-Python parser gives the same nodes, about
ten times slower. The nodes are turned into plain Python values here, so no tag is ever
executed: a ``!!python/...`` or any other non-standard tag is reported as an error. Aliases are
refused (no billion-laughs expansion). Unquoted dates stay strings (their original text) and
earn a warning.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.main import CParser
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag
from ruamel.yaml.tokens import (
    BlockEndToken,
    BlockMappingStartToken,
    BlockSequenceStartToken,
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
)

from .problems import Problem, field_name

#: whether ruamel's C parser (ruamel.yaml.clib) is installed; the pure-Python one is used otherwise
C_PARSER = CParser is not None
_PREFIX = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_PREFIX + t for t in ("str", "null", "bool", "int", "float"))
_SCALAR_TAGS = frozenset((_STR, _NULL, _BOOL, _INT, _FLOAT))
_TIMESTAMP = _PREFIX + "timestamp"
_MAP, _SEQ = _PREFIX + "map", _PREFIX + "seq"
MAX_BYTES = 2_000_000
#: Deepest nesting accepted; a data file needs about six levels.
MAX_DEPTH = 64
#: a %YAML directive in the document's header (before any content)
_DIRECTIVE = re.compile(r"\A(?:[ \t]*(?:#[^\n]*)?\n)*%YAML[ \t]+([^\s#]+)")


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


class _Resolver(VersionedResolver):
    """ruamel's YAML 1.2 resolver, its rules looked up once rather than per scalar (parse_yaml refuses
    any other %YAML version, so the version is fixed)."""

    processing_version = (1, 2)
    _RULES: dict = VersionedResolver().versioned_resolver  # first character -> [(tag, regexp)]
    _TAGS: dict = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            for tag, regexp in self._RULES.get(value[:1], ()):
                if regexp.match(value):
                    found = self._TAGS.get(tag)
                    if found is None:
                        found = self._TAGS[tag] = Tag(suffix=tag)
                    return found
            implicit = (False, implicit[1])
        return super().resolve(kind, value, implicit)


if C_PARSER:
    class _CLoader(CParser, _Resolver):  # what ruamel.yaml.main builds per call for YAML(typ="safe").compose
        def __init__(self, text: str):
            CParser.__init__(self, text)
            self._parser = self._composer = self
            _Resolver.__init__(self, loadumper=self)


class _Constructor(SafeConstructor):
    """ruamel's own YAML 1.2 scalar functions (its round-trip loader's rules), called directly by
    _Builder: construct_object would keep every node it saw."""

    resolver = _Resolver()  # construct_yaml_int and _float ask it the version: 1.2


_SAFE = _Constructor()
_CONSTRUCT = {_NULL: _SAFE.construct_yaml_null, _BOOL: _SAFE.construct_yaml_bool, _INT: _SAFE.construct_yaml_int,
              _FLOAT: _SAFE.construct_yaml_float}


def compose(text: str) -> Node | None:
    """The node tree of the one YAML 1.2 document in ``text`` (raises ruamel's YAMLError).

    The C parser is tried first. Its libyaml scans a few things the way YAML 1.1 did (a
    ``[https://example.org/]`` is a syntax error to it), so whatever it refuses is parsed again
    by the pure-Python parser, the one the editor and lint load with: it has the last word on
    what is broken and where.
    """
    if C_PARSER:
        try:
            loader = _CLoader(text)
            try:
                return loader.get_single_node()
            finally:
                loader.dispose()
        except (YAMLError, UnicodeError):  # UnicodeError: a lone surrogate, which the reader reports
            pass
    # a new YAML object per call: ruamel's keeps per-document state (its doc_infos grows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a reused anchor: aliases are refused anyway
        return YAML(typ="safe", pure=True).compose(text)


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
    directive = _DIRECTIVE.match(text)
    if directive and directive.group(1) != "1.2":
        line = text[: directive.end()].count("\n") + 1
        out.problems.append(Problem(path, line, 1, "", f"%YAML {directive.group(1)}: Garrison reads YAML 1.2 only; "
                                    "remove the %YAML line"))
        return out
    too_deep = _too_deep(text)
    if too_deep is not None:
        out.problems.append(Problem(path, *too_deep, "", f"nested more than {MAX_DEPTH} levels deep; Garrison's "
                                    "files nest a few levels at most (is a bracket left open?)"))
        return out
    try:
        node = compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = " ".join(x for x in (exc.context, exc.problem) if x) or str(exc)
        out.problems.append(Problem(path, line, col, "", f"YAML syntax error: {msg}"))
        return out
    except YAMLError as exc:  # e.g. a reader error (a character YAML does not allow)
        out.problems.append(Problem(path, 1, 1, "", f"YAML error: {' '.join(str(exc).split())}"))
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


_OPEN = (BlockMappingStartToken, BlockSequenceStartToken, FlowMappingStartToken, FlowSequenceStartToken)
_CLOSE = (BlockEndToken, FlowMappingEndToken, FlowSequenceEndToken)


def _too_deep(text: str) -> tuple[int, int] | None:
    """(line, column) where `text` nests deeper than MAX_DEPTH, or None.

    Checked before parsing: the composer recurses once per level, so a few hundred open
    brackets raise RecursionError and tens of thousands overflow the C parser's stack and kill
    the process. The token scanner is iterative. Most files cannot nest that deep at all (too
    few brackets, dashes and indentation), and skip the scan.
    """
    openers = text.count("[") + text.count("{") + text.count("- ") + text.count("-\n")
    if openers + max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0) <= MAX_DEPTH:
        return None
    depth = 0
    try:
        for token in YAML(typ="safe", pure=True).scan(text):  # the pure-Python scanner: no recursion
            if isinstance(token, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark.line + 1, token.start_mark.column + 1
            elif isinstance(token, _CLOSE):
                depth -= 1
    except YAMLError:
        return None  # a syntax error: the parser reports it at its place
    return None


class _Builder:
    def __init__(self, path: str, out: Parsed):
        self.path, self.out, self.seen = path, out, set()

    def problem(self, node: Node, where: tuple, msg: str, severity: str = "error") -> None:
        m = node.start_mark
        self.out.problems.append(Problem(self.path, m.line + 1, m.column + 1, field_name(where), msg, severity))

    def build(self, node: Node, where: tuple) -> Any:
        self.out.positions[where] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if id(node) in self.seen:
            self.problem(node, where, "YAML aliases (*name) are not supported; write the value out")
            return None
        self.seen.add(id(node))
        tag = node.tag
        if isinstance(node, MappingNode):
            if tag != _MAP:
                return self.bad_tag(node, where, tag)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag not in _SCALAR_TAGS:
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
        if isinstance(node, SequenceNode):
            if tag != _SEQ:
                return self.bad_tag(node, where, tag)
            return [self.build(child, where + (i,)) for i, child in enumerate(node.value)]
        if tag == _STR:
            return node.value
        if tag == _TIMESTAMP:
            self.problem(node, where, f"unquoted date {node.value}: quote it ('{node.value}') so YAML keeps it as text", "warning")
            return node.value
        construct = _CONSTRUCT.get(tag)
        if construct is None:
            return self.bad_tag(node, where, tag)
        try:
            return construct(node)
        except (YAMLError, ValueError, KeyError, IndexError) as exc:  # an explicit !!int abc, !!bool maybe
            detail = f": {exc}" if isinstance(exc, ValueError) else ""
            self.problem(node, where, f"cannot read {node.value!r} as !!{tag.rsplit(':', 1)[-1]}{detail}")
            return None

    def bad_tag(self, node: Node, where: tuple, tag: str) -> None:
        self.problem(node, where, f"YAML tag {tag!r} is not allowed (plain YAML only); it was not executed")
        return None
