"""ReviewQueue: review tasks in the notebook, one after another, through the worker API.

The kernel is the worker's client (:class:`a2i_kit.review.WorkerClient`): it claims the next task,
the browser shows the service-rendered page in a sandboxed iframe, the crowd-form's answer comes
back to the kernel, which submits it through the same worker endpoints the portal uses, and the
next task appears. Keys inside the task: 1-9/0 pick an option, Enter submits, Esc skips.

Undo: an answer given in the browser is held for ``undo_seconds`` (10 by default) while the next
task is already on screen; Undo brings the task back to answer again, otherwise the answer is
sent when the time is up, with the next answer, or on skip/refresh/release. ``submit()`` from
Python sends at once. A held answer never sent (the browser closed) is not lost work for the
team: the claim expires and the loop goes back to the pool.

Example:
    >>> queue = ReviewQueue(session, worker="alice")            # doctest: +SKIP
    >>> queue                                                   # doctest: +SKIP
    >>> queue.submit({"sentiment": {"label": "positive"}})      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import traitlets

from a2i_kit.client.arns import flow_definition_name
from a2i_kit.client.sessions import as_session
from a2i_kit.errors import ConfigError, InputError
from a2i_kit.session import Session
from a2i_kit.widgets.base import STATIC, MessageWidget, action, static_text
from a2i_kit.widgets.preview import wrap_rendered

SubmitCallback = Callable[[str, dict[str, Any], dict[str, Any]], Any]


def worker_token(session: Session, name: str, groups: Sequence[str]) -> str:
    """A token for worker ``name``: created, or (if the name exists) a fresh one for it."""
    from a2i_kit.review.client import AdminClient, WorkerApiError

    if not session.admin_token:
        raise ConfigError("creating a worker needs the service's admin token; pass token=... of an "
                          "existing worker, or use a local session from a2i_kit.connect()")
    with AdminClient.of(session) as admin:
        try:
            return admin.add_worker(name, list(groups))["token"]
        except WorkerApiError as exc:
            if exc.status != 409:
                raise
        found = next((w for w in admin.workers() if w.get("name") == name), None)
        if found is None:
            raise ConfigError(f"worker {name!r} exists but is not listed; pass token=... instead")
        return admin.new_token(found["workerId"])["token"]


class ReviewQueue(MessageWidget):
    """In-notebook review for one worker: next task, submit, skip, progress (done / left)."""

    _esm = static_text("common.js", "review_queue.js")
    _css = STATIC / "widgets.css"

    srcdoc = traitlets.Unicode("").tag(sync=True)
    task = traitlets.Dict().tag(sync=True)
    worker_name = traitlets.Unicode("").tag(sync=True)
    done = traitlets.Int(0).tag(sync=True)
    skipped = traitlets.Int(0).tag(sync=True)
    left = traitlets.Int(0).tag(sync=True)
    finished = traitlets.Bool(False).tag(sync=True)
    frame_height = traitlets.Int(520).tag(sync=True)
    last_status = traitlets.Unicode("").tag(sync=True)
    held = traitlets.Dict().tag(sync=True)  # {humanLoopName, taskTitle} of the answer Undo can take back
    undo_seconds = traitlets.Int(10).tag(sync=True)

    def __init__(self, session: Session, *, worker: str | None = None, token: str | None = None,
                 groups: Sequence[str] = ("reviewers",), flow_definition: str | None = None,
                 limit: int | None = None, height: int = 520, autostart: bool = True,
                 undo_seconds: int = 10) -> None:
        from a2i_kit.review import WorkerClient

        if (worker is None) == (token is None):
            raise InputError("pass exactly one of worker='name' (creates or reuses that local worker) "
                             "or token='...' (an existing worker's token)")
        if limit is not None and limit < 1:
            raise InputError(f"limit must be a positive number of tasks, got {limit}")
        session = as_session(session)
        if not session.endpoint_url:
            raise ConfigError("ReviewQueue needs the embedded service: use a2i_kit.connect() (local) "
                              "or pass the service URL, e.g. ReviewQueue('http://127.0.0.1:8765', token=...)")
        if token is None:
            token = worker_token(session, str(worker), groups)
        self._client = WorkerClient(session.endpoint_url, token)
        self._flow = flow_definition_name(flow_definition) if flow_definition else None
        self._limit = limit
        self._skipped_loops: set[str] = set()
        self._callbacks: list[SubmitCallback] = []
        self._held: tuple[str, dict[str, Any], dict[str, Any]] | None = None
        self.answers: list[dict[str, Any]] = []
        super().__init__(frame_height=height, undo_seconds=undo_seconds)
        self.worker_name = self._client.me().get("name", worker or "")
        if autostart:
            self.next_task()

    @traitlets.validate("frame_height")
    def _check_height(self, proposal: Any) -> int:
        if not 120 <= proposal["value"] <= 4000:
            raise traitlets.TraitError(f"frame_height must be between 120 and 4000 pixels, got {proposal['value']}")
        return proposal["value"]

    @traitlets.validate("undo_seconds")
    def _check_undo(self, proposal: Any) -> int:
        if not 0 <= proposal["value"] <= 600:
            raise traitlets.TraitError(f"undo_seconds must be between 0 (no undo) and 600, got {proposal['value']}")
        return proposal["value"]

    def on_submit(self, callback: SubmitCallback) -> None:
        """Call ``callback(loop_name, answerContent, service_reply)`` after each submit."""
        self._callbacks.append(callback)

    # -- the queue ------------------------------------------------------------------------
    def pending(self) -> list[dict[str, Any]]:
        """Tasks this worker can still answer (this flow only, skipped ones left out)."""
        held = self._held[0] if self._held else None
        tasks = [t for t in self._client.tasks()
                 if (self._flow is None or t.get("flowDefinitionName") == self._flow)
                 and t["humanLoopName"] not in self._skipped_loops and t["humanLoopName"] != held]
        return sorted(tasks, key=lambda t: (not t.get("claimedByMe"), t.get("creationTime") or 0,
                                            t["humanLoopName"]))

    def next_task(self) -> dict[str, Any] | None:
        """Claim and show the next task; ``None`` (and ``finished``) when nothing is left."""
        from a2i_kit.review.client import WorkerApiError

        if self._limit is not None and self.done >= self._limit:
            self._finish(len(self.pending()))  # what is still waiting, as the header says
            return None
        tasks = self.pending()
        for index, summary in enumerate(tasks):
            try:
                claim = self._client.claim(summary["humanLoopName"])
            except WorkerApiError as exc:
                if exc.status in (404, 409):  # taken or finished meanwhile: try the next one
                    continue
                raise
            return self._show(claim, left=len(tasks) - index)
        self._finish(0)
        return None

    def _show(self, claim: dict[str, Any], *, left: int) -> dict[str, Any]:
        self.left = left
        self.srcdoc = wrap_rendered(self._client.inline_media(claim["html"]), keys=True)
        self.task = {k: claim.get(k) for k in ("humanLoopName", "taskTitle", "taskDescription",
                                               "deadline", "timeLimitSeconds")}
        self.finished = False
        return self.task

    def _finish(self, left: int) -> None:  # nothing on screen; Refresh looks again
        self.left, self.task, self.srcdoc, self.finished = left, {}, "", True

    def _current(self, loop: str | None) -> str:
        current = self.task.get("humanLoopName")
        if not current:
            raise InputError("there is no task on screen; press Refresh to look for new tasks")
        if loop and loop != current:
            raise InputError(f"this answer is for {loop!r} but the task on screen is {current!r}; "
                             "it was not submitted")
        return current

    def submit(self, answer: dict[str, Any], *, loop: str | None = None) -> dict[str, Any]:
        """Submit ``answer`` for the task on screen now (and any held answer first), then show
        the next one."""
        if not isinstance(answer, dict):
            raise InputError(f"answerContent must be a JSON object, got {type(answer).__name__}")
        current = self._current(loop)
        self.commit()
        reply = self._send_answer(current, answer)
        self.done += 1
        self.next_task()
        return reply

    def hold(self, answer: dict[str, Any], *, loop: str | None = None) -> dict[str, Any]:
        """Keep ``answer`` for the task on screen so :meth:`undo` can take it back; send the
        previously held one; show the next task. (What a submit in the browser does.)"""
        if not isinstance(answer, dict):
            raise InputError(f"answerContent must be a JSON object, got {type(answer).__name__}")
        current = self._current(loop)
        self.commit()
        self._held = (current, answer, dict(self.task))
        self.held = {"humanLoopName": current, "taskTitle": self.task.get("taskTitle") or current}
        self.done += 1
        self.next_task()
        return {"humanLoopName": current, "held": True, "undoSeconds": self.undo_seconds}

    def commit(self) -> dict[str, Any] | None:
        """Send the held answer now (None when nothing is held)."""
        if self._held is None:
            return None
        loop, answer, _task = self._held
        self._held, self.held = None, {}
        return self._send_answer(loop, answer)

    def undo(self) -> dict[str, Any]:
        """Take back the held answer: its task comes back on screen to answer again."""
        if self._held is None:
            raise InputError("there is no answer to undo: it was already sent (undo works for the "
                             f"last answer given here, for {self.undo_seconds} s)")
        loop, _answer, _task = self._held
        claim = self._client.claim(loop)  # still this worker's claim: the same task again
        self._held, self.held = None, {}
        self.done -= 1
        self._show(claim, left=len(self.pending()))
        return self.task

    def _send_answer(self, loop: str, answer: dict[str, Any]) -> dict[str, Any]:
        reply = self._client.submit(loop, answer)
        self.last_status = str(reply.get("humanLoopStatus", ""))
        self.answers.append({"humanLoopName": loop, "answerContent": answer, **reply})
        for callback in self._callbacks:
            callback(loop, answer, reply)
        return reply

    def skip(self, *, loop: str | None = None) -> None:
        """Release the task on screen (others may take it) and show the next one."""
        current = self._current(loop)
        self.commit()
        self._client.release(current)
        self._skipped_loops.add(current)
        self.skipped += 1
        self.next_task()

    def release(self) -> None:
        """Send a held answer and give the task on screen back (end of a review session)."""
        self.commit()
        current = self.task.get("humanLoopName")
        if current:
            self._client.release(current)
        self._finish(self.left)

    # -- browser actions ------------------------------------------------------------------
    @action("submit")
    def _on_submit(self, payload: dict[str, Any]) -> dict[str, Any]:
        answer, loop = payload.get("answerContent"), payload.get("humanLoopName")
        if not isinstance(answer, dict):
            raise InputError(f"answerContent must be a JSON object, got {type(answer).__name__}")
        if self.undo_seconds:
            return self.hold(answer, loop=loop)
        return self.submit(answer, loop=loop)

    @action("undo")
    def _on_undo(self, _payload: dict[str, Any]) -> dict[str, Any]:
        return self.undo()

    @action("commit")
    def _on_commit(self, _payload: dict[str, Any]) -> dict[str, Any] | None:
        return self.commit()

    @action("skip")
    def _on_skip(self, payload: dict[str, Any]) -> None:
        self.skip(loop=payload.get("humanLoopName"))

    @action("refresh")
    def _on_refresh(self, _payload: dict[str, Any]) -> dict[str, Any] | None:
        self.commit()
        if self.task.get("humanLoopName"):
            return self.task
        self._skipped_loops.clear()  # an explicit refresh offers skipped tasks again
        return self.next_task()

    def close(self) -> None:
        client = self.__dict__.get("_client")
        if client is not None:
            if self.__dict__.get("_held") is not None:
                self.commit()  # closing the widget sends what is held, as the time-out would
            client.close()
        super().close()
