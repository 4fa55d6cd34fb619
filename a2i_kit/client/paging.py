"""Every page of a listing, through botocore's paginators, each page retried on throttling.

A retried page resumes from the last token, so a throttled call in the middle of 10 000 loops
neither restarts the listing nor loses items.

Example:
    >>> names = [s["HumanLoopName"] for s in iter_human_loops(session.runtime, flow_arn)]  # doctest: +SKIP
    >>> [f["FlowDefinitionName"] for f in iter_flow_definitions(session.sagemaker)]  # doctest: +SKIP
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from a2i_kit.client.retry import RetryPolicy, call_with_retry

PAGE_SIZE = 100


def iter_pages(client: Any, operation: str, *, retry: RetryPolicy | None = None,
               page_size: int | None = PAGE_SIZE, token_key: str = "NextToken",
               **params: Any) -> Iterator[dict[str, Any]]:
    """Each response page of ``operation`` (snake_case, e.g. ``"list_human_loops"``)."""
    pages = _Resumable(client.get_paginator(operation), params, page_size, token_key)
    retry, rng = retry or RetryPolicy(), random.Random()
    while True:
        page, _ = call_with_retry(pages.next_page, retry, rng)
        if page is None:
            return
        yield page


class _Resumable:
    """A paginator's pages that restart from the last token after a failed page call."""

    def __init__(self, paginator: Any, params: dict[str, Any], page_size: int | None,
                 token_key: str) -> None:
        self.paginator, self.params, self.page_size, self.token_key = paginator, params, page_size, token_key
        self.token: str | None = None
        self.pages: Iterator[dict[str, Any]] | None = None
        self.done = False

    def next_page(self) -> dict[str, Any] | None:
        if self.done:
            return None
        if self.pages is None:
            config: dict[str, Any] = {"PageSize": self.page_size} if self.page_size else {}
            if self.token:
                config["StartingToken"] = self.token
            self.pages = iter(self.paginator.paginate(**self.params, PaginationConfig=config))
        try:
            page = next(self.pages, None)
        except Exception:
            self.pages = None  # a generator that raised is finished: resume from self.token
            raise
        if page is None:
            self.done = True
            return None
        self.token = page.get(self.token_key)
        self.done = not self.token
        return page


def iter_items(client: Any, operation: str, key: str, **options: Any) -> Iterator[dict[str, Any]]:
    """The ``key`` list of every page, flattened (see :func:`iter_pages` for options)."""
    for page in iter_pages(client, operation, **options):
        yield from page.get(key, ())


def iter_human_loops(runtime: Any, flow_definition_arn: str, *,
                     created_after: datetime | str | None = None,
                     created_before: datetime | str | None = None, sort_order: str | None = "Ascending",
                     retry: RetryPolicy | None = None) -> Iterator[dict[str, Any]]:
    """Every HumanLoopSummary of a flow definition, 100 per ListHumanLoops page."""
    params: dict[str, Any] = {"FlowDefinitionArn": flow_definition_arn}
    if sort_order:
        params["SortOrder"] = sort_order
    if created_after is not None:
        params["CreationTimeAfter"] = created_after
    if created_before is not None:
        params["CreationTimeBefore"] = created_before
    return iter_items(runtime, "list_human_loops", "HumanLoopSummaries", retry=retry, **params)


def iter_flow_definitions(sagemaker: Any, *, retry: RetryPolicy | None = None,
                          **params: Any) -> Iterator[dict[str, Any]]:
    """Every FlowDefinitionSummary of the account (ListFlowDefinitions, all pages)."""
    return iter_items(sagemaker, "list_flow_definitions", "FlowDefinitionSummaries", retry=retry, **params)


def iter_human_task_uis(sagemaker: Any, *, retry: RetryPolicy | None = None,
                        **params: Any) -> Iterator[dict[str, Any]]:
    """Every HumanTaskUiSummary of the account (ListHumanTaskUis, all pages)."""
    return iter_items(sagemaker, "list_human_task_uis", "HumanTaskUiSummaries", retry=retry, **params)


def iter_workteams(sagemaker: Any, *, retry: RetryPolicy | None = None,
                   **params: Any) -> Iterator[dict[str, Any]]:
    """Every Workteam of the account (ListWorkteams, all pages)."""
    return iter_items(sagemaker, "list_workteams", "Workteams", retry=retry, **params)
