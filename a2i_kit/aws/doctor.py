"""Preflight doctor: check an AWS setup for A2I before anything is launched.

Each check returns ``{"check", "status", "detail", "fix"}`` with status ``pass``, ``warn`` or
``fail``; ``fix`` is the exact policy document, CORS rule or ``aws`` command to run.

Example:
    >>> report = a2i_kit.connect("aws").doctor(flow_definition="claims-review")  # doctest: +SKIP
    >>> report.ok, [r.check for r in report.failed]                              # doctest: +SKIP
    (False, ['bucket-cors'])
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from a2i_kit.client.errors import error_code as client_error_code
from a2i_kit.errors import ConfigError

if TYPE_CHECKING:
    from a2i_kit.session import Session

STATUSES = ("pass", "warn", "fail")


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome; ``fix`` is empty when there is nothing to do."""

    check: str
    status: str
    detail: str
    fix: str = ""


@dataclass
class DoctorContext:
    """What the checks look at, resolved once from the arguments, the flow definition and setup."""

    session: Session
    role: str | None = None
    role_source: str = ""
    flow_name: str | None = None
    flow: dict[str, Any] | None = None
    flow_error: str | None = None
    bucket: str | None = None
    prefix: str = ""
    workteam: str | None = None
    sample_input: Any = None
    identity: dict[str, Any] | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def client(self, name: str) -> Any:
        return self.session.client(name)


class DoctorReport:
    """The checks' results: a list in JSON, a table in a terminal, an HTML table in a notebook."""

    def __init__(self, results: list[CheckResult]) -> None:
        self.results = results

    def __iter__(self) -> Iterator[CheckResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, check: str) -> CheckResult:
        """The result of the check named ``check``, e.g. ``report["bucket-cors"]``."""
        for result in self.results:
            if result.check == check:
                return result
        raise KeyError(f"no check named {check!r}; checks: {', '.join(r.check for r in self.results)}")

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail"]

    @property
    def ok(self) -> bool:
        """True when no check failed (warnings allowed)."""
        return not self.failed

    def to_list(self) -> list[dict[str, str]]:
        return [asdict(r) for r in self.results]

    def to_json(self) -> str:
        return json.dumps(self.to_list(), indent=2)

    def table(self) -> str:
        """Plain-text table; each fix follows its row, indented."""
        width = max((len(r.check) for r in self.results), default=5)
        lines = []
        for r in self.results:
            lines.append(f"{r.status.upper():<5} {r.check:<{width}}  {r.detail}")
            lines.extend(f"{'':<{width + 8}}{line}" for line in r.fix.splitlines() if r.fix)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        colors = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}
        rows = "".join(
            f"<tr><td style='color:{colors.get(r.status, '#000')};font-weight:bold'>{html.escape(r.status)}</td>"
            f"<td><code>{html.escape(r.check)}</code></td><td>{html.escape(r.detail)}</td>"
            f"<td><pre style='white-space:pre-wrap;margin:0'>{html.escape(r.fix)}</pre></td></tr>"
            for r in self.results)
        return ("<table class='a2i-kit-doctor'><thead><tr><th>status</th><th>check</th><th>found</th>"
                f"<th>fix</th></tr></thead><tbody>{rows}</tbody></table>")


def error_code(exc: Exception) -> str:
    """The AWS error code of a botocore error (else the exception's class name)."""
    return client_error_code(exc) or type(exc).__name__


def input_uris(sample: Any) -> list[str]:
    """Every ``s3://`` string inside a sample task input (what ``grant_read_access`` will sign)."""
    if isinstance(sample, str):
        return [sample] if sample.startswith("s3://") else []
    if isinstance(sample, dict):
        return [u for v in sample.values() for u in input_uris(v)]
    if isinstance(sample, list):
        return [u for v in sample for u in input_uris(v)]
    return []


def _resolve(session: Session, *, flow_definition: str | None, bucket: str | None, prefix: str | None,
             workteam: str | None, sample_input: Any, role: str | None) -> DoctorContext:
    from a2i_kit.aws.doctor_checks import resolve_flow

    ctx = DoctorContext(session=session, flow_name=flow_definition, workteam=workteam, sample_input=sample_input)
    resolve_flow(ctx)
    flow = ctx.flow or {}
    output_path = (flow.get("OutputConfig") or {}).get("S3OutputPath")
    if output_path and not bucket:
        path = output_path.split("://", 1)[-1]
        ctx.bucket, _, ctx.prefix = path.partition("/")
    if bucket:
        ctx.bucket, ctx.prefix = bucket, prefix or ""
    ctx.prefix = (prefix if prefix is not None else ctx.prefix).strip("/")
    if ctx.workteam is None:
        ctx.workteam = (flow.get("HumanLoopConfig") or {}).get("WorkteamArn")
    if role:
        ctx.role, ctx.role_source = role, "given"
    elif flow.get("RoleArn"):
        ctx.role, ctx.role_source = flow["RoleArn"], f"flow definition {ctx.flow_name}"
    return ctx


def run_doctor(session: Session, *, flow_definition: str | None = None, bucket: str | None = None,
               prefix: str | None = None, workteam: str | None = None, sample_input: Any = None,
               role: str | None = None) -> DoctorReport:
    """Run every check in order; a check that crashes is reported as ``fail``, never raised."""
    if session.backend != "aws":
        raise ConfigError("the doctor checks an AWS setup (IAM, S3, workteams): use a2i_kit.connect('aws')")
    from a2i_kit.aws.doctor_checks import CHECKS

    ctx = _resolve(session, flow_definition=flow_definition, bucket=bucket, prefix=prefix,
                   workteam=workteam, sample_input=sample_input, role=role)
    return DoctorReport([_safe(name, check, ctx) for name, check in CHECKS])


def _safe(name: str, check: Callable[[DoctorContext], CheckResult], ctx: DoctorContext) -> CheckResult:
    try:
        return check(ctx)
    except Exception as exc:  # a broken check must not hide the others
        return CheckResult(name, "fail", f"the check itself failed: {type(exc).__name__}: {exc}",
                           "report this to a2i-kit with the detail above")
