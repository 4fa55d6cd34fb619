"""Monitor fixtures: a flow with N loops started over HTTP, and a way to count API calls."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def started(make_flow: Any, runtime_client: Any) -> Callable[[int], dict[str, Any]]:
    """``started(n)`` -> the flow dict plus ``names``: n loops started on a fresh flow definition."""

    def start(n: int, name: str = "monitor-flow") -> dict[str, Any]:
        flow = make_flow(name)
        names = [f"{name}-loop-{k:04d}" for k in range(n)]
        for loop in names:
            runtime_client.start_human_loop(
                HumanLoopName=loop, FlowDefinitionArn=flow["flow_definition_arn"],
                HumanLoopInput={"InputContent": json.dumps({"text": f"review {loop}"})})
        return {**flow, "names": names}

    return start


@pytest.fixture
def call_counter(runtime_client: Any) -> Counter:
    """Counts runtime API operations made through ``runtime_client`` from now on."""
    counts: Counter = Counter()

    def count(model: Any, **_: Any) -> None:
        counts[model.name] += 1

    runtime_client.meta.events.register("before-call.sagemaker-a2i-runtime.*", count)
    return counts
