"""Track what a notebook creates and remove it again: loops, flow definitions, task UIs, teams.

Example:
    >>> tracker = ResourceTracker(session)                                     # doctest: +SKIP
    >>> ui = tracker.create_human_task_ui(HumanTaskUiName="t", UiTemplate={"Content": html})  # doctest: +SKIP
    >>> tracker.cleanup()                                                      # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from a2i_kit.client.arns import flow_definition_name
from a2i_kit.client.errors import error_code
from a2i_kit.client.sessions import as_session
from a2i_kit.errors import InputError
from a2i_kit.monitor.wait import delete_loops, loops_of
from a2i_kit.session import Session

KINDS = ("workteams", "task_uis", "flow_definitions")
GONE = {"ResourceNotFound", "ResourceNotFoundException", "ValidationException"}


class ResourceTracker:
    """Creates resources through the SageMaker client and remembers them (optionally in a JSON file).

    ``sagemaker=``/``runtime=`` instead of a session are the older form, kept for existing code.
    """

    def __init__(self, session: Session | None = None, *, sagemaker: Any = None, runtime: Any = None,
                 path: str | Path | None = None) -> None:
        if session is None and sagemaker is not None and runtime is not None:
            session = Session(backend=as_session(runtime).backend, region=runtime.meta.region_name,
                              sagemaker=sagemaker, runtime=runtime)
        resolved = as_session(session) if session is not None else None
        if resolved is None or resolved.sagemaker is None or resolved.runtime is None:
            raise InputError("ResourceTracker needs a session (a2i_kit.connect()) or sagemaker= and runtime=")
        self.session = resolved
        self.sagemaker, self.runtime = resolved.sagemaker, resolved.runtime
        self.path = Path(path) if path else None
        self.created: dict[str, list[str]] = {kind: [] for kind in KINDS}
        if self.path and self.path.exists():
            saved = json.loads(self.path.read_text())
            self.created.update({k: list(v) for k, v in saved.items() if k in KINDS})

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self.created.items())
        return f"ResourceTracker({counts})"

    def track(self, kind: str, name: str) -> None:
        """Remember a resource created some other way (``kind`` in task_uis/flow_definitions/workteams)."""
        if kind not in KINDS:
            raise InputError(f"kind={kind!r}: use one of {list(KINDS)}")
        if name not in self.created[kind]:
            self.created[kind].append(name)
            if self.path:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(self.created, indent=1))

    def create_workteam(self, **params: Any) -> dict[str, Any]:
        answer = self.sagemaker.create_workteam(**params)
        self.track("workteams", params["WorkteamName"])
        return answer

    def create_human_task_ui(self, **params: Any) -> dict[str, Any]:
        answer = self.sagemaker.create_human_task_ui(**params)
        self.track("task_uis", params["HumanTaskUiName"])
        return answer

    def create_flow_definition(self, **params: Any) -> dict[str, Any]:
        answer = self.sagemaker.create_flow_definition(**params)
        self.track("flow_definitions", params["FlowDefinitionName"])
        return answer

    def cleanup(self) -> pd.DataFrame:
        """Stop and delete the loops of tracked flow definitions, then the resources; newest first."""
        rows: list[dict[str, Any]] = []
        for name in reversed(self.created["flow_definitions"]):
            arn = self._flow_arn(name)
            if arn:
                deleted = delete_loops(self.session, loops_of(self.session, arn))
                rows.append({"kind": "loops", "name": name, "result": f"{len(deleted)} deleted"})
            rows.append(self._delete("flow_definitions", name, self.sagemaker.delete_flow_definition,
                                     FlowDefinitionName=name))
        for name in reversed(self.created["task_uis"]):
            rows.append(self._delete("task_uis", name, self.sagemaker.delete_human_task_ui,
                                     HumanTaskUiName=name))
        for name in reversed(self.created["workteams"]):
            rows.append(self._delete("workteams", name, self.sagemaker.delete_workteam,
                                     WorkteamName=name))
        self.created = {kind: [] for kind in KINDS}
        if self.path and self.path.exists():
            self.path.unlink()
        return pd.DataFrame(rows, columns=["kind", "name", "result"])

    def _flow_arn(self, name: str) -> str | None:
        try:
            return self.sagemaker.describe_flow_definition(FlowDefinitionName=flow_definition_name(name))[
                "FlowDefinitionArn"]
        except Exception as exc:
            if error_code(exc) in GONE:
                return None
            raise

    def _delete(self, kind: str, name: str, call: Any, **params: Any) -> dict[str, Any]:
        try:
            call(**params)
            result = "deleted"
        except Exception as exc:
            if error_code(exc) not in GONE:
                raise
            result = "already gone"
        return {"kind": kind, "name": name, "result": result}
