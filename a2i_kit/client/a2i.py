"""The A2I operations of one :class:`~a2i_kit.session.Session`, behind one object.

Example:
    >>> a2i = A2IClient(a2i_kit.connect())  # doctest: +SKIP
    >>> flow = a2i.wait_for_flow_definition("claims-review")  # doctest: +SKIP
    >>> sum(1 for _ in a2i.human_loops(flow["FlowDefinitionArn"]))  # doctest: +SKIP
    0
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from a2i_kit.client import paging, waiters
from a2i_kit.client.retry import RetryPolicy

if TYPE_CHECKING:
    from a2i_kit.session import Session


class A2IClient:
    """Paginated listings and waiters over the session's ``sagemaker`` and ``runtime`` clients."""

    def __init__(self, session: Session, *, retry: RetryPolicy | None = None) -> None:
        self.session, self.retry = session, retry or RetryPolicy()

    def __repr__(self) -> str:
        return f"A2IClient({self.session!r})"

    def human_loops(self, flow_definition_arn: str, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every HumanLoopSummary of a flow definition (``created_after=``, ``created_before=``)."""
        return paging.iter_human_loops(self.session.runtime, flow_definition_arn, retry=self.retry,
                                       **filters)

    def flow_definitions(self, **params: Any) -> Iterator[dict[str, Any]]:
        """Every FlowDefinitionSummary of the account."""
        return paging.iter_flow_definitions(self.session.sagemaker, retry=self.retry, **params)

    def human_task_uis(self, **params: Any) -> Iterator[dict[str, Any]]:
        """Every HumanTaskUiSummary of the account."""
        return paging.iter_human_task_uis(self.session.sagemaker, retry=self.retry, **params)

    def wait_for_flow_definition(self, flow_definition: str, **options: Any) -> dict[str, Any]:
        """The flow definition's description once Active (see :func:`waiters.wait_for_flow_definition`)."""
        return waiters.wait_for_flow_definition(self.session.sagemaker, flow_definition, **options)

    def wait_for_loop(self, human_loop_name: str, **options: Any) -> dict[str, Any]:
        """The loop's description once Completed, Failed or Stopped."""
        return waiters.wait_for_loop(self.session.runtime, human_loop_name, **options)
