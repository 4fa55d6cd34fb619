"""Benchmarks of the embedded service, each against a baseline measured in the same run.

- start_describe_roundtrip: boto3 StartHumanLoop + DescribeHumanLoop over loopback against our
  service vs. the same calls against ``/_a2i/noop`` (same uvicorn/starlette stack, fixed answers).
  ratio = noop time / our time (1.0 = free; target 0.5 = at most twice the stack's own cost).
- list_page_flat: ListHumanLoops page time with 10,000 loops stored vs. 100 (keyset paging should
  not slow down as the table grows). ratio = t(100) / t(10,000).

Run: .venv/bin/python bench/bench_service.py
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.outputs import output_uri

ROUNDS = 7
CALLS_PER_ROUND = 20


def client(url: str, name: str) -> Any:
    return boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                        aws_secret_access_key="bench", config=Config(retries={"max_attempts": 1}))


def make_flow(url: str, name: str = "bench-flow") -> str:
    sm = client(url, "sagemaker")
    team = sm.create_workteam(WorkteamName=f"{name}-team", Description="bench",
                              MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}])["WorkteamArn"]
    ui = sm.create_human_task_ui(HumanTaskUiName=f"{name}-ui", UiTemplate={"Content": "<p>{{ task.input.a }}</p>"})
    return sm.create_flow_definition(
        FlowDefinitionName=name, RoleArn="arn:aws:iam::111122223333:role/bench",
        OutputConfig={"S3OutputPath": "s3://bench/out"},
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui["HumanTaskUiArn"], "TaskTitle": "t",
                         "TaskDescription": "d", "TaskCount": 1})["FlowDefinitionArn"]


def timed_pairs(runtime: Any, flow_arn: str, prefix: str) -> float:
    """Seconds per StartHumanLoop + DescribeHumanLoop pair."""
    content = json.dumps({"a": "some text to review", "score": 0.42})
    start = time.perf_counter()
    for index in range(CALLS_PER_ROUND):
        name = f"{prefix}-{index}"
        runtime.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow_arn, HumanLoopInput={"InputContent": content})
        runtime.describe_human_loop(HumanLoopName=name)
    return (time.perf_counter() - start) / CALLS_PER_ROUND


def bench_roundtrip(data_dir: Path) -> None:
    with ServiceThread(ServiceConfig(data_dir=data_dir, max_in_progress_loops=10**6)) as service:
        flow_arn = make_flow(service.url)
        ours, noop = client(service.url, "sagemaker-a2i-runtime"), client(f"{service.url}/_a2i/noop", "sagemaker-a2i-runtime")
        timed_pairs(ours, flow_arn, "warm"), timed_pairs(noop, flow_arn, "warm")
        our_times, noop_times = [], []
        for round_index in range(ROUNDS):  # interleaved so load changes hit both sides alike
            our_times.append(timed_pairs(ours, flow_arn, f"r{round_index}"))
            noop_times.append(timed_pairs(noop, flow_arn, f"r{round_index}"))
        ours_ms, noop_ms = statistics.median(our_times) * 1000, statistics.median(noop_times) * 1000
    print(f"BENCH start_describe_roundtrip ratio={noop_ms / ours_ms:.3f} target=0.5 "
          f"ours={ours_ms:.2f}ms noop={noop_ms:.2f}ms per start+describe pair (median of {ROUNDS} rounds)", flush=True)


def fill(service: ServiceThread, flow_arn: str, count: int) -> None:
    """Insert ``count`` loops straight into the store (the HTTP path is measured elsewhere)."""
    ctx = service.context
    base = ctx.clock.now() - count
    with ctx.store.transaction():
        for index in range(count):
            name, created = f"loop-{index:06d}", base + index
            doc = {"HumanLoopName": name, "HumanLoopArn": ctx.arn("human-loop", name), "FlowDefinitionArn": flow_arn,
                   "FlowDefinitionName": "bench-flow", "InputContent": '{"a": 1}', "TaskCount": 1,
                   "OutputS3Uri": output_uri("s3://bench/out", "bench-flow", created, name)}
            ctx.store.put("loops", {"name": name, "arn": doc["HumanLoopArn"], "status": "InProgress",
                                    "creation_time": created, "doc": doc, "flow_definition_arn": flow_arn,
                                    "deleted": 0, "updated_time": created})


def timed_pages(runtime: Any, flow_arn: str, repeats: int = 10) -> float:
    """Seconds per ListHumanLoops page (first page and a page reached through NextToken)."""
    token = runtime.list_human_loops(FlowDefinitionArn=flow_arn, MaxResults=50)["NextToken"]
    start = time.perf_counter()
    for _ in range(repeats):
        runtime.list_human_loops(FlowDefinitionArn=flow_arn, MaxResults=50)
        runtime.list_human_loops(FlowDefinitionArn=flow_arn, MaxResults=50, NextToken=token)
    return (time.perf_counter() - start) / (2 * repeats)


def bench_list(data_dir: Path) -> None:
    with ServiceThread(ServiceConfig(data_dir=data_dir / "small")) as small, \
            ServiceThread(ServiceConfig(data_dir=data_dir / "big")) as big:
        small_arn, big_arn = make_flow(small.url), make_flow(big.url)
        fill(small, small_arn, 100)
        fill(big, big_arn, 10_000)
        small_rt, big_rt = client(small.url, "sagemaker-a2i-runtime"), client(big.url, "sagemaker-a2i-runtime")
        timed_pages(small_rt, small_arn, 3), timed_pages(big_rt, big_arn, 3)
        small_times, big_times = [], []
        for _ in range(ROUNDS):
            small_times.append(timed_pages(small_rt, small_arn))
            big_times.append(timed_pages(big_rt, big_arn))
        t100, t10000 = statistics.median(small_times) * 1000, statistics.median(big_times) * 1000
    print(f"BENCH list_page_flat ratio={t100 / t10000:.3f} target=0.5 "
          f"t100={t100:.2f}ms t10000={t10000:.2f}ms per 50-item page (median of {ROUNDS} rounds)", flush=True)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="a2i-bench-") as tmp:
        bench_roundtrip(Path(tmp) / "roundtrip")
        bench_list(Path(tmp) / "list")


if __name__ == "__main__":
    main()
