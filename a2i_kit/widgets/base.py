"""What every a2i-kit widget shares: JS/CSS from files, and a ``{uuid, type}`` message protocol.

The browser sends ``{"uuid": ..., "type": "submit", "payload": {...}}``; the kernel runs the
handler registered for ``type`` with :func:`action` and answers ``{"uuid", "type": "submit:ok",
"result": ...}``, or ``{"uuid", "type": "error", "request": "submit", "message": ...}`` when the
handler raised. The message is also put in the widget's ``error`` trait, so a failure is shown in
the widget, never only in a console. Tests call :meth:`MessageWidget.handle_message` directly.

Example:
    >>> class Echo(MessageWidget):
    ...     @action("echo")
    ...     def _echo(self, payload):
    ...         return payload
    >>> Echo().handle_message({"uuid": "1", "type": "echo", "payload": {"x": 1}})["result"]
    {'x': 1}
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anywidget
import traitlets

from a2i_kit.errors import A2IKitError

STATIC = Path(__file__).with_name("static")
log = logging.getLogger("a2i_kit.widgets")
F = TypeVar("F", bound=Callable[..., Any])


def static_text(*names: str) -> str:
    """The files in ``widgets/static`` joined in order (one plain ES module, no build step).

    >>> "export default" in static_text("common.js", "task_preview.js")
    True
    """
    return "\n".join((STATIC / name).read_text(encoding="utf-8") for name in names)


def action(kind: str) -> Callable[[F], F]:
    """Register a method as the handler of browser messages of type ``kind``."""

    def mark(func: F) -> F:
        func._a2i_action = kind  # type: ignore[attr-defined]
        return func

    return mark


def describe_error(exc: BaseException) -> str:
    """A one-line message for the user: a2i-kit errors as they are, others with their type."""
    if isinstance(exc, A2IKitError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class MessageWidget(anywidget.AnyWidget):
    """Base class: action dispatch, error reporting, and the ``error`` / ``busy`` traits."""

    error = traitlets.Unicode("").tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    _actions: dict[str, str] = {}  # noqa: RUF012 - filled per subclass

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                kind = getattr(value, "_a2i_action", None)
                if kind:
                    found[kind] = name
        cls._actions = found

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._on_custom_message)

    def _on_custom_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        self.handle_message(content)

    def handle_message(self, content: Any) -> dict[str, Any]:
        """Run the handler for one browser message and send (and return) the reply."""
        if not isinstance(content, dict):
            return self._reply({"uuid": None, "type": "error", "request": None,
                                "message": "a widget message must be an object {uuid, type, payload}"})
        uid, kind = content.get("uuid"), content.get("type")
        name = self._actions.get(kind) if isinstance(kind, str) else None
        if name is None:
            known = ", ".join(sorted(self._actions)) or "none"
            return self._fail(uid, kind, f"unknown widget message type {kind!r}; known types: {known}")
        payload = content.get("payload") or {}
        self.busy = True
        try:
            result = getattr(self, name)(payload)
        except Exception as exc:  # every failure goes back to the browser and into `error`
            log.debug("widget action %s failed:\n%s", kind, traceback.format_exc())
            return self._fail(uid, kind, describe_error(exc))
        finally:
            self.busy = False
        self.error = ""
        return self._reply({"uuid": uid, "type": f"{kind}:ok", "result": result})

    def run_action(self, kind: str, payload: dict[str, Any] | None = None) -> Any:
        """Call an action from Python as the browser would; raise if it failed (for tests/scripts)."""
        reply = self.handle_message({"uuid": "python", "type": kind, "payload": payload or {}})
        if reply["type"] == "error":
            raise A2IKitError(reply["message"])
        return reply["result"]

    def report(self, exc: BaseException) -> str:
        """Show ``exc`` in the widget (``error`` trait) and return the message."""
        self.error = describe_error(exc)
        return self.error

    def _fail(self, uid: Any, kind: Any, message: str) -> dict[str, Any]:
        self.error = message
        return self._reply({"uuid": uid, "type": "error", "request": kind, "message": message})

    def _reply(self, message: dict[str, Any]) -> dict[str, Any]:
        if self.comm is not None:
            self.send(message)
        return message
