"""End-to-end helpers: workers, loops and the worker portal in Chromium against the real service."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from screen_checks import hover_into

from a2i_kit.review import add_worker


@pytest.fixture
def make_worker(service: Any) -> Callable[..., dict[str, Any]]:
    """``make_worker(name, groups=["reviewers"])`` -> the workforce API's worker (with token, signInUrl)."""

    def make(name: str, groups: list[str] | None = None) -> dict[str, Any]:
        return add_worker(service.url, service.admin_token, name, groups or ["reviewers"])

    return make


@pytest.fixture
def start_loop(runtime_client: Any) -> Callable[..., str]:
    """``start_loop(flow, input_dict, name=None)`` -> the new human loop's name."""

    def start(flow: dict[str, Any], task_input: dict[str, Any], name: str | None = None) -> str:
        name = name or f"loop-{uuid.uuid4().hex[:10]}"
        runtime_client.start_human_loop(
            HumanLoopName=name, FlowDefinitionArn=flow["flow_definition_arn"],
            HumanLoopInput={"InputContent": json.dumps(task_input)})
        return name

    return start


@pytest.fixture
def output_of(service: Any) -> Callable[[str], dict[str, Any]]:
    """``output_of(loop)`` -> the loop's output.json read from the service's local S3 mirror."""

    def read(loop: str) -> dict[str, Any]:
        found = list(Path(service.context.config.mirror_dir).glob(f"**/{loop}/output.json"))
        if len(found) != 1:
            raise AssertionError(f"expected one output.json for {loop}, found {found}")
        return json.loads(found[0].read_text())

    return read


@pytest.fixture
def portal(page: Any) -> Any:
    """Drive the portal: sign in, open a task by loop name, wait for the frame's elements."""

    class Portal:
        def __init__(self) -> None:
            self.page = page

        def sign_in(self, worker: dict[str, Any]) -> None:
            page.goto(worker["signInUrl"])
            page.get_by_role("heading", name="Your tasks").wait_for()

        def open_task(self, loop: str) -> Any:
            page.locator(f'button[data-loop="{loop}"]').click()
            page.wait_for_url(f"**/_a2i/portal/tasks/{loop}")
            frame = page.frame_locator("iframe[data-task-frame]")
            frame.locator("html[data-crowd-ready]").wait_for(state="attached")
            return frame

        def submit_and_wait(self, frame: Any) -> None:
            submit = frame.get_by_role("button", name="Submit")
            hover_into(page, submit)  # the click lands in the task, also right after a screenshot
            submit.click()
            page.wait_for_url("**/_a2i/portal/?msg=submitted")

    return Portal()
