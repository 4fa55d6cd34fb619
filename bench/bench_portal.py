"""Benchmark of the worker portal's continuous mode against the one-task-at-a-time path, same run.

- portal_next_task: per-task time of a reviewer in Chromium (Playwright, Debian's chromium).
  Baseline, the path the queue has always offered: on the queue page, "Start" on a task (POST claim,
  303, task page), the frame ready, keys 1 + Enter (submit), back on the queue page. Ours: in
  continuous mode, the frame of a task ready, keys 1 + Enter, the next task's frame ready (submit
  and the next claim in one request, the page swaps its task in place). Both cycles hold exactly one
  claim, one rendered task frame and one submit; the same service, worker and number of tasks (two
  flows with the same template), rounds interleaved so load changes hit both alike.
  ratio = baseline time / our time (target 1.5: continuous mode at least 1.5x faster per task).
- The same through the worker API (info on the same line, ``api_*``): GET /_a2i/worker/tasks +
  POST claim + POST submit per task, against POST /_a2i/worker/jobs/{flow}/next with the answer.

Run: .venv/bin/python bench/bench_portal.py   (chrt -f 50 on a loaded machine)
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from a2i_kit.review import add_worker
from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig

CHROMIUM = "/usr/bin/chromium"   # Debian's (as tests/conftest.py): never a downloaded browser
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"]
SIMPLE_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form><crowd-classifier name="sentiment" categories="['positive', 'negative', 'neutral']"
  header="What is the sentiment of this review?"><classification-target>{{ task.input.text }}</classification-target>
</crowd-classifier></crowd-form>"""
ROUNDS = 5
PER_ROUND = 6
API_PER_ROUND = 20


def client(url: str, name: str) -> Any:
    return boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                        aws_secret_access_key="bench", config=Config(retries={"max_attempts": 1}))


def make_flow(url: str, name: str) -> str:
    sm = client(url, "sagemaker")
    team = sm.create_workteam(WorkteamName=f"{name}-team", Description="bench", MemberDefinitions=[
        {"CognitoMemberDefinition": {"UserPool": "us-east-1_Bench123", "UserGroup": "g", "ClientId": "c"}}])
    ui = sm.create_human_task_ui(HumanTaskUiName=f"{name}-ui", UiTemplate={"Content": SIMPLE_TEMPLATE})
    return sm.create_flow_definition(
        FlowDefinitionName=name, RoleArn="arn:aws:iam::111122223333:role/bench",
        OutputConfig={"S3OutputPath": "s3://bench/out"},
        HumanLoopConfig={"WorkteamArn": team["WorkteamArn"], "HumanTaskUiArn": ui["HumanTaskUiArn"],
                         "TaskTitle": f"Bench {name}", "TaskDescription": "d", "TaskCount": 1})["FlowDefinitionArn"]


def start_loops(url: str, flow_arn: str, prefix: str, count: int) -> list[str]:
    runtime = client(url, "sagemaker-a2i-runtime")
    names = [f"{prefix}-{index:03d}" for index in range(count)]
    for name in names:
        runtime.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow_arn,
                                 HumanLoopInput={"InputContent": json.dumps({"text": f"review {name}"})})
    return names


def answer_keys(page: Any) -> None:
    """Keys 1 + Enter once the frame focused its first control (the same wait on both paths)."""
    page.frame_locator("iframe[data-task-frame]").locator("html[data-focused-first]").wait_for(state="attached")
    page.keyboard.press("1")
    page.keyboard.press("Enter")


def baseline_tasks(page: Any, loops: list[str]) -> float:
    """Seconds per task: queue → Start (claim, task page) → frame ready → submit → queue."""
    begin = time.perf_counter()
    for loop in loops:
        page.locator(f'button[data-loop="{loop}"]').click()
        page.locator(f'body[data-task-ready="{loop}"]').wait_for(state="attached")
        answer_keys(page)
        page.wait_for_url("**/_a2i/portal/?msg=submitted")
        page.locator("body[data-page-ready]").wait_for(state="attached")
    return (time.perf_counter() - begin) / len(loops)


def continuous_tasks(page: Any, loops: list[str], after: str | None) -> float:
    """Seconds per task: frame ready → submit → the next task's frame ready (continuous mode)."""
    begin = time.perf_counter()
    for index in range(len(loops)):
        nxt = loops[index + 1] if index + 1 < len(loops) else after
        answer_keys(page)
        if nxt is None:
            page.locator("[data-all-done]").wait_for()
        else:
            page.locator(f'body[data-task-ready="{nxt}"]').wait_for(state="attached")
    return (time.perf_counter() - begin) / len(loops)


def bench_browser(url: str, admin_token: str) -> tuple[float, float]:
    """One page (keys reach the focused frame of the page in front), the two paths in turns."""
    from playwright.sync_api import sync_playwright

    count = ROUNDS * PER_ROUND + 2   # a warm-up task, and the task the continuous page ends on
    base_loops = start_loops(url, make_flow(url, "base-flow"), "base", count)
    cont_loops = start_loops(url, make_flow(url, "cont-flow"), "cont", count)
    worker = add_worker(url, admin_token, "bench-reviewer", ["g"])

    def resume(page: Any, loop: str) -> None:   # untimed: queue → "Start working" → the task in hand
        page.goto(f"{url}/_a2i/portal/")
        page.locator('button[data-start="cont-flow"]').click()
        page.locator(f'body[data-task-ready="{loop}"]').wait_for(state="attached")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.goto(worker["signInUrl"])
        baseline_tasks(page, base_loops[:1])                                     # warm both paths
        resume(page, cont_loops[0])
        continuous_tasks(page, cont_loops[:1], cont_loops[1])
        base_times, cont_times = [], []
        for r in range(ROUNDS):
            chunk = slice(1 + r * PER_ROUND, 1 + (r + 1) * PER_ROUND)
            page.goto(f"{url}/_a2i/portal/")
            base_times.append(baseline_tasks(page, base_loops[chunk]))
            resume(page, cont_loops[chunk.start])
            cont_times.append(continuous_tasks(page, cont_loops[chunk], cont_loops[chunk.stop]))
        browser.close()
    return statistics.median(base_times), statistics.median(cont_times)


def bench_api(url: str, admin_token: str) -> tuple[float, float]:
    count = ROUNDS * API_PER_ROUND + 1
    start_loops(url, make_flow(url, "api-base"), "apib", count)
    start_loops(url, make_flow(url, "api-cont"), "apic", count)
    token = add_worker(url, admin_token, "api-reviewer", ["g"])["token"]
    answer = {"sentiment": {"label": "positive"}}
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
        def baseline(n: int) -> float:
            begin = time.perf_counter()
            for _ in range(n):
                tasks = http.get("/_a2i/worker/tasks").json()["tasks"]
                loop = next(t["humanLoopName"] for t in tasks if t["flowDefinitionName"] == "api-base")
                http.post(f"/_a2i/worker/tasks/{loop}/claim").raise_for_status()
                http.post(f"/_a2i/worker/tasks/{loop}/submit", json={"answerContent": answer}).raise_for_status()
            return (time.perf_counter() - begin) / n

        current = http.post("/_a2i/worker/jobs/api-cont/next", json={}).json()["task"]["humanLoopName"]

        def continuous(n: int) -> float:
            nonlocal current
            begin = time.perf_counter()
            for _ in range(n):
                step = http.post("/_a2i/worker/jobs/api-cont/next",
                                 json={"answer": {"humanLoopName": current, "answerContent": answer}})
                step.raise_for_status()
                current = step.json()["task"]["humanLoopName"]
            return (time.perf_counter() - begin) / n

        baseline(1), continuous(1)
        base_times, cont_times = [], []
        for _ in range(ROUNDS):
            base_times.append(baseline(API_PER_ROUND - 1))
            cont_times.append(continuous(API_PER_ROUND - 1))
    return statistics.median(base_times), statistics.median(cont_times)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="a2i-bench-portal-") as tmp, \
            ServiceThread(ServiceConfig(data_dir=Path(tmp) / "data")) as service:
        base, ours = bench_browser(service.url, service.admin_token)
        api_base, api_ours = bench_api(service.url, service.admin_token)
    print(f"BENCH portal_next_task ratio={base / ours:.3f} target=1.5 ours={ours * 1000:.1f}ms "
          f"baseline={base * 1000:.1f}ms per task in Chromium (median of {ROUNDS} rounds of {PER_ROUND}); "
          f"api_ratio={api_base / api_ours:.3f} api_ours={api_ours * 1000:.2f}ms api_baseline={api_base * 1000:.2f}ms",
          flush=True)


if __name__ == "__main__":
    main()
