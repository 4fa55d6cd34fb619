"""Walk a parsed Liquid template: which ``task.input`` paths it reads, which filters.

Paths are tuples relative to ``task.input``; ``"[]"`` stands for "an item of a list"
(a ``for`` loop or an index) and ``"*"`` for a key chosen at render time.

Example:
    >>> scan = scan_liquid('{% for r in task.input.rows %}{{ r.text }}{% endfor %}')
    >>> sorted({u.path for u in scan.uses})
    [('rows',), ('rows', '[]', 'text')]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from liquid import BoundTemplate, RenderContext
from liquid.builtin.expressions import FilteredExpression, Path
from liquid.builtin.expressions.filtered import TernaryFilteredExpression
from liquid.builtin.expressions.primitive import RangeLiteral, StringLiteral
from liquid.builtin.tags.assign_tag import AssignNode
from liquid.builtin.tags.capture_tag import CaptureNode
from liquid.builtin.tags.for_tag import ForNode
from liquid.builtin.tags.if_tag import IfNode

from a2i_kit.templates.errors import TemplateRenderError
from a2i_kit.templates.render import parse_template

LIST_PROPS = {"size", "first", "last"}
NUMBER_FILTERS = {"plus", "minus", "times", "divided_by", "modulo", "round", "ceil",
                  "floor", "abs", "at_least", "at_most"}


@dataclass
class InputUse:
    path: tuple[str, ...]
    offset: int
    filters: tuple[str, ...] = ()
    kind: str = "output"  # output | loop | range | index | condition
    optional: bool = False  # read only under {% if <this path or a parent> %}


@dataclass
class FilterUse:
    name: str
    offset: int
    literal: str | None = None  # the left value when it is a string literal
    left_path: tuple[str, ...] | None = None


@dataclass
class LiquidScan:
    uses: list[InputUse] = field(default_factory=list)
    filters: list[FilterUse] = field(default_factory=list)
    captures: dict[str, list[InputUse]] = field(default_factory=dict)


def scan_liquid(template: str | BoundTemplate) -> LiquidScan:
    """Collect input paths and filter uses (raises TemplateRenderError on bad syntax).

    Results for template text are cached: treat them as read-only.
    """
    if isinstance(template, str):
        return _scan_cached(template)
    return _scan(template)


@functools.lru_cache(maxsize=32)
def _scan_cached(template: str) -> LiquidScan:
    try:  # shares the render cache entry; lax only to get through broken templates
        bound = parse_template(template)
    except TemplateRenderError:
        bound = parse_template(template, mode="lax")
    return _scan(bound)


def _scan(bound: BoundTemplate) -> LiquidScan:
    walker = _Walker(RenderContext(bound))
    scope: dict[str, tuple[str, ...] | None] = {}
    for node in bound.nodes:
        walker.node(node, scope)
    return walker.scan


class _Walker:
    def __init__(self, context: RenderContext) -> None:
        self.context = context
        self.scan = LiquidScan()
        self.capturing: list[str] = []
        self.guards: list[tuple[str, ...]] = []

    def node(self, node: Any, scope: dict[str, tuple[str, ...] | None]) -> None:
        if isinstance(node, ForNode):
            loop = node.expression
            path = self.expression(loop.iterable, scope, kind="loop")
            inner = dict(scope)
            inner[str(loop.identifier)] = (*path, "[]") if path is not None else None
            for expr in (loop.limit, loop.offset):
                if expr is not None:
                    self.expression(expr, scope)
            self.node(node.block, inner)
            if node.default is not None:
                self.node(node.default, scope)
            return
        if isinstance(node, IfNode):
            self.if_node(node, scope)
            return
        if isinstance(node, AssignNode):
            scope[str(node.name)] = self.expression(node.expression, scope)
            return
        if isinstance(node, CaptureNode):
            self.capturing.append(str(node.name))
            before = len(self.scan.uses)
            self.node(node.block, scope)
            self.capturing.pop()
            self.scan.captures[str(node.name)] = self.scan.uses[before:]
            scope[str(node.name)] = None
            return
        for expr in node.expressions():
            self.expression(expr, scope)
        for child in node.children(self.context, include_partials=False):
            self.node(child, scope)

    def if_node(self, node: IfNode, scope: dict[str, tuple[str, ...] | None]) -> None:
        inner = getattr(node.condition, "expression", None)
        if isinstance(inner, Path):
            guard = self.path(inner, scope, (), "condition")
        else:
            guard = None
            self.expression(node.condition, scope, kind="condition")
        if guard is not None:
            self.guards.append(guard)
            self.node(node.consequence, scope)
            self.guards.pop()
        else:
            self.node(node.consequence, scope)
        for alternative in node.alternatives:
            self.node(alternative, scope)
        if node.default is not None:
            self.node(node.default, scope)

    def expression(
        self, expr: Any, scope: dict[str, tuple[str, ...] | None], kind: str = "output"
    ) -> tuple[str, ...] | None:
        """Record uses inside ``expr``; return the input path it evaluates to, if any."""
        if isinstance(expr, (FilteredExpression, TernaryFilteredExpression)):
            names = tuple(f.name for f in expr.filters or ())
            left = expr.left
            path = self.expression(left, scope, kind) if not isinstance(left, Path) else None
            if isinstance(left, Path):
                path = self.path(left, scope, names, kind)
            for index, flt in enumerate(expr.filters or ()):
                literal = left.value if isinstance(left, StringLiteral) and index == 0 else None
                self.scan.filters.append(FilterUse(
                    flt.name, flt.token.start_index, literal,
                    path if index == 0 else None,
                ))
                if index == 0 and isinstance(left, Path) and path is None:
                    self.scan.filters[-1].left_path = ("$" + str(left.path[0]),)
                for arg in flt.args:
                    self.expression(arg.value, scope)
            for child in expr.children() if isinstance(expr, TernaryFilteredExpression) else ():
                if child is not left:
                    self.expression(child, scope)
            return path if not names else None
        if isinstance(expr, Path):
            return self.path(expr, scope, (), kind)
        if isinstance(expr, RangeLiteral):
            for part in (expr.start, expr.stop):
                self.expression(part, scope, "range")
            return None
        for child in expr.children():
            self.expression(child, scope, kind)
        return None

    def path(
        self, expr: Path, scope: dict[str, tuple[str, ...] | None],
        filters: tuple[str, ...], kind: str,
    ) -> tuple[str, ...] | None:
        segments = list(expr.path)
        head = segments[0]
        if head == "task" and len(segments) > 1 and segments[1] == "input":
            base: tuple[str, ...] | None = ()
            rest = segments[2:]
        elif isinstance(head, str) and head in scope:
            base, rest = scope[head], segments[1:]
        else:
            base, rest = None, segments[1:]
        out = list(base) if base is not None else None
        for segment in rest:
            if isinstance(segment, Path):
                self.path(segment, scope, (), "index")
                step = "*"
            elif isinstance(segment, int):
                step = "[]"
            else:
                step = str(segment)
            if out is not None:
                out.append(step)
        if out is None:
            return None
        if out and out[-1] in LIST_PROPS and len(out) > 1:
            out[-1] = "[]" if out[-1] != "size" else out[-1]
            if out[-1] == "size":
                out.pop()
                kind = "loop"
        path = tuple(out)
        optional = kind == "condition" or any(path[: len(g)] == g for g in self.guards)
        self.scan.uses.append(InputUse(path, expr.token.start_index, filters, kind, optional))
        return path
