"""The one Liquid environment of a2i-kit: A2I filters, A2I escaping, resource limits.

The service's RenderUiTemplate, the worker portal, the widgets and the CLI all render
through :func:`get_environment`.

Example:
    >>> env = get_environment("strict")
    >>> env.from_string("{{ x }}").render(x="<'a'>")
    '&lt;&#39;a&#39;&gt;'
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from io import StringIO
from typing import Any, ClassVar, TextIO

from liquid import Environment, Mode, RenderContext
from liquid.builtin.output import Output, OutputNode
from liquid.builtin.tags.echo_tag import EchoNode, EchoTag
from liquid.exceptions import (
    LiquidError,
    LoopIterationLimitError,
    OutputStreamLimitError,
    ResourceLimitError,
)
from liquid.output import LimitedStringIO
from liquid.template import BoundTemplate

from a2i_kit.errors import TemplateError
from a2i_kit.templates.filters import A2I_FILTERS, output_text

MAX_TEMPLATE_CHARS = 128_000
"""UiTemplate.Content limit of CreateHumanTaskUi / RenderUiTemplate."""

MODES = {"strict": Mode.STRICT, "warn": Mode.WARN, "lax": Mode.LAX}

# Per-render limits set by ``render(..., time_limit=, max_output_chars=)`` (the service's
# unauthenticated RenderUiTemplate uses them): a monotonic deadline and an output cap.
render_deadline: ContextVar[float | None] = ContextVar("render_deadline", default=None)
render_output_limit: ContextVar[int | None] = ContextVar("render_output_limit", default=None)


def check_deadline() -> None:
    """Stop the render when the deadline of :data:`render_deadline` has passed."""
    deadline = render_deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise ResourceLimitError("render time limit reached: the template does too much work "
                                 "for one render", token=None)


def _deadline_checked(items: Iterator[Any]) -> Iterator[Any]:
    for item in items:
        check_deadline()
        yield item


def _output_limit(env_limit: int | None) -> int:
    limit = env_limit or 16_000_000
    extra = render_output_limit.get()
    return min(limit, extra) if extra is not None else limit


class A2IOutputNode(OutputNode):
    """``{{ ... }}`` printing objects as JSON and escaping like A2I."""

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        value = self.expression.evaluate(context)
        return buffer.write(output_text(value, context.autoescape))


class A2IEchoNode(EchoNode):
    """``{% echo %}`` with the same printing rules as ``{{ }}``."""

    render_to_output = A2IOutputNode.render_to_output


class A2IOutput(Output):
    node_class = A2IOutputNode


class A2IEcho(EchoTag):
    node_class = A2IEchoNode


class A2IRenderContext(RenderContext):
    """Counts loop iterations over the whole render, not only per nested loop."""

    total_iteration_limit: ClassVar[int] = 250_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = kwargs.get("parent_context")
        self.iteration_budget: list[int] = (
            parent.iteration_budget if isinstance(parent, A2IRenderContext) else [0]
        )

    def get_buffer(self, buf: TextIO | None = None) -> StringIO:
        carry = buf.size if isinstance(buf, LimitedStringIO) else 0
        return CharLimitedIO(limit=_output_limit(self.env.output_stream_limit) - carry)

    @contextlib.contextmanager
    def loop(self, namespace: Any, forloop: Any) -> Iterator[RenderContext]:
        """Python-liquid's loop, with the render deadline checked on every iteration."""
        if render_deadline.get() is not None and hasattr(forloop, "it"):
            forloop.it = _deadline_checked(forloop.it)
        with super().loop(namespace, forloop) as context:
            yield context

    def filter(self, name: str, token: Any) -> Callable[..., object]:
        check_deadline()
        return super().filter(name, token)

    def raise_for_loop_limit(self, length: int = 1) -> None:
        super().raise_for_loop_limit(length)
        nested = length * self.loop_iteration_carry
        for loop in self.loops:
            nested *= loop.length
        self.iteration_budget[0] += nested
        if self.iteration_budget[0] > self.total_iteration_limit:
            raise LoopIterationLimitError(
                f"loop iteration limit reached: more than {self.total_iteration_limit:,} "
                "iterations in one render",
                token=None,
            )


class CharLimitedIO(LimitedStringIO):
    """Output buffer limited in characters (cheaper than python-liquid's UTF-8 count)."""

    def write(self, text: str) -> int:
        self.size += len(text)
        if self.size > self.limit:
            raise OutputStreamLimitError("output stream limit reached", token=None)
        return StringIO.write(self, text)


class A2ITemplate(BoundTemplate):
    context_class = A2IRenderContext

    def _get_buffer(self) -> StringIO:
        return CharLimitedIO(limit=_output_limit(self.env.output_stream_limit))


MAX_VALUE_CHARS = 8_000_000


def _guard(func: Any, limit: int) -> Any:
    """Refuse filters on huge ranges (``(1..100000000) | join``) and huge results
    (``{% assign s = s | append: s %}`` in a loop)."""

    @functools.wraps(func)
    def guarded(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, range) and len(value) > limit:
            raise ResourceLimitError(
                f"range of {len(value):,} items is larger than the limit of {limit:,}",
                token=None,
            )
        result = func(value, *args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_VALUE_CHARS:
            raise ResourceLimitError(
                f"filter result of {len(result):,} characters is larger than the limit of "
                f"{MAX_VALUE_CHARS:,}",
                token=None,
            )
        return result

    return guarded


class A2IEnvironment(Environment):
    """python-liquid environment with A2I's filters, escaping and resource limits."""

    template_class = A2ITemplate
    loop_iteration_limit: ClassVar[int | None] = 100_000
    output_stream_limit: ClassVar[int | None] = 16_000_000
    local_namespace_limit: ClassVar[int | None] = None  # filters guard value sizes instead
    context_depth_limit: ClassVar[int] = 30
    block_nesting_limit: ClassVar[int] = 40

    def __init__(self, mode: str = "strict") -> None:
        if mode not in MODES:
            raise TemplateError(f"unknown mode {mode!r}: use 'strict', 'warn' or 'lax'")
        super().__init__(autoescape=True, tolerance=MODES[mode], strict_filters=True)
        self.mode_name = mode

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        self.add_tag(A2IOutput)
        self.add_tag(A2IEcho)
        for name, func in A2I_FILTERS.items():
            self.add_filter(name, func)
        limit = self.loop_iteration_limit or 100_000
        for name, func in list(self.filters.items()):
            self.filters[name] = _guard(func, limit)

    def error(self, exc: Any, msg: str | None = None, token: Any = None) -> None:
        """Resource limits always stop the render, whatever the mode."""
        if isinstance(exc, ResourceLimitError):
            if token is not None and not exc.token:
                exc.token = token
            raise exc
        super().error(exc, msg, token)


@functools.cache
def get_environment(mode: str = "strict") -> A2IEnvironment:
    """The shared environment for ``mode`` ("strict" raises, "warn" warns, "lax" ignores).

    Example:
        >>> get_environment("lax").mode_name
        'lax'
    """
    return A2IEnvironment(mode)


def is_liquid_error(exc: BaseException) -> bool:
    return isinstance(exc, LiquidError)
