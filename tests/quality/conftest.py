"""Fixtures of the quality-control tests: the admin client, quality routes, a job, reviewers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from quality_helpers import Job, Reviewer

from a2i_kit.review import AdminClient, WorkerClient


@pytest.fixture
def admin_client(service: Any) -> Iterator[AdminClient]:
    with AdminClient(service.url, service.admin_token) as admin:
        yield admin


@pytest.fixture
def quality_http(service: Any) -> Iterator[httpx.Client]:
    """Raw HTTP on the service with the admin token (the quality routes)."""
    with httpx.Client(base_url=service.url, timeout=30,
                      headers={"X-A2I-Admin-Token": service.admin_token}) as client:
        yield client


@pytest.fixture
def job(make_flow: Callable[..., dict[str, Any]], runtime_client: Any) -> Callable[..., Job]:
    """Factory: ``job(n_loops, task_count=1, group=...)`` → a flow definition with n real loops started."""

    def make(n_loops: int, *, task_count: int = 1, group: str = "reviewers") -> Job:
        flow = make_flow(task_count=task_count, group=group)
        made = Job(flow)
        for k in range(n_loops):
            name = f"{flow['name']}-item-{k:04d}"
            runtime_client.start_human_loop(
                HumanLoopName=name, FlowDefinitionArn=flow["flow_definition_arn"],
                HumanLoopInput={"InputContent": json.dumps({"text": f"real review {k}"})})
            made.loops.append(name)
        return made

    return make


@pytest.fixture
def reviewer(service: Any, admin_client: AdminClient) -> Iterator[Callable[[str], Reviewer]]:
    made: list[Reviewer] = []

    def make(name: str, group: str = "reviewers") -> Reviewer:
        added = admin_client.add_worker(name, [group])
        found = Reviewer(WorkerClient(service.url, added["token"]), added["workerId"])
        made.append(found)
        return found

    yield make
    for found in made:
        found.client.close()
