"""Benchmarks of a2i_kit.launch and a2i_kit.monitor against the embedded service.

The service runs in its own process (so client and server do not share a GIL), with fault
injection for the per-call latency and the throttling. Baselines are measured in the same run:

- launch_2000: a plain ``for`` loop of start_human_loop (25 ms injected latency per call),
  timed on a subset and extrapolated per loop, vs launch_loops on all 2,000.
- launch_2000_throttled: the same plain loop with a default boto3 retry config (standard mode,
  5 attempts) under 20 % ThrottlingException, extrapolated per loop, vs launch_loops on 2,000;
  then ListHumanLoops must show exactly 2,000 loops.
- status_summary_10000: one DescribeHumanLoop per loop (timed on a subset, extrapolated) vs
  status_summary (paginated ListHumanLoops) over 10,000 loops.

Run: .venv/bin/python bench/bench_launch.py
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
from botocore.config import Config

from a2i_kit.client import as_session
from a2i_kit.launch import launch_loops
from a2i_kit.monitor import list_loops, status_summary
from a2i_kit.session import boto_session

SERVER = """
import sys, time
from pathlib import Path
from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig
svc = ServiceThread(ServiceConfig(data_dir=Path(sys.argv[1]), max_in_progress_loops=1_000_000)).start()
print(svc.url, svc.admin_token, flush=True)
sys.stdin.read()
svc.stop()
"""
LATENCY_MS = 25
N = 2000


class Service:
    """The embedded service in a child process; ``faults(...)`` sets fault injection."""

    def __init__(self, data_dir: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(data_dir)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.url, self.token = self.proc.stdout.readline().split()
        self.data_dir = data_dir

    def faults(self, **settings: Any) -> None:
        reset = {"latency_ms": 0, "error_rate": 0.0, "seed": 7}
        httpx.put(f"{self.url}/_a2i/admin/faults", json={**reset, **settings},
                  headers={"X-A2I-Admin-Token": self.token}).raise_for_status()

    def client(self, name: str, **retries: Any) -> Any:
        """A client as ``a2i_kit.connect()`` makes them (fast timestamp parsing), for both sides."""
        return boto_session().client(name, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="b",
                            aws_secret_access_key="b",
                            config=Config(retries=retries or {"max_attempts": 1}, max_pool_connections=64))

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the service process has used so far; NaN without /proc."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def make_flow(sm: Any, name: str) -> str:
    team = sm.create_workteam(WorkteamName=f"team-{name}", Description="bench", MemberDefinitions=[
        {"CognitoMemberDefinition": {"UserPool": "us-east-1_Bench1234", "UserGroup": "g", "ClientId": "c"}}])
    ui = sm.create_human_task_ui(HumanTaskUiName=f"ui-{name}", UiTemplate={
        "Content": "<crowd-form><crowd-input name='x'></crowd-input>{{ task.input.text }}</crowd-form>"})
    return sm.create_flow_definition(
        FlowDefinitionName=name, RoleArn="arn:aws:iam::111122223333:role/bench",
        HumanLoopConfig={"WorkteamArn": team["WorkteamArn"], "HumanTaskUiArn": ui["HumanTaskUiArn"],
                         "TaskTitle": "t", "TaskDescription": "d", "TaskCount": 1},
        OutputConfig={"S3OutputPath": "s3://bench/out"})["FlowDefinitionArn"]


def items(n: int, prefix: str) -> pd.DataFrame:
    return pd.DataFrame({"item_id": [f"{prefix}-{k}" for k in range(n)],
                         "text": [f"text of item {k}" for k in range(n)], "score": 0.5, "review": True})


def sequential(runtime: Any, flow: str, n: int, prefix: str) -> float:
    """Seconds per loop of the plain for loop."""
    start = time.perf_counter()
    for k in range(n):
        runtime.start_human_loop(HumanLoopName=f"{prefix}-{k}", FlowDefinitionArn=flow,
                                 HumanLoopInput={"InputContent": json.dumps({"text": f"item {k}"})})
    return (time.perf_counter() - start) / n


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ours(runtime: Any, flow: str, df: pd.DataFrame, ledger: Path, svc: Service | None = None
         ) -> tuple[float, pd.DataFrame]:
    """Seconds launch_loops takes; with ``svc``, prints the CPU per loop of each side (profiling aid)."""
    cpu, service_cpu = client_cpu(), svc.cpu_seconds() if svc else 0.0
    start = time.perf_counter()
    summary = launch_loops(as_session(runtime), df, flow_definition_arn=flow, public_crowd=False, ledger=ledger,
                           max_workers=16, progress=False)
    elapsed = time.perf_counter() - start
    if svc is not None:
        n = len(df)
        print(f"CPU per loop: client={(client_cpu() - cpu) / n * 1000:.2f}ms "
              f"service={(svc.cpu_seconds() - service_cpu) / n * 1000:.2f}ms loops/s={n / elapsed:.0f} "
              f"load={os.getloadavg()[0]:.1f}")
    return elapsed, summary


def bench_launch(svc: Service, sm: Any, tmp: Path) -> None:
    runtime = svc.client("sagemaker-a2i-runtime")
    flow = make_flow(sm, "bench-launch")
    svc.faults(latency_ms=LATENCY_MS)
    subset = 150
    per_loop = sequential(runtime, flow, subset, "seq")
    elapsed, summary = ours(runtime, flow, items(N, "fast"), tmp / "l1.sqlite3", svc)
    started = int((summary["status"] == "started").sum())
    print(f"BENCH launch_2000 ratio={per_loop * N / elapsed:.2f} target=15 ours={elapsed:.2f}s "
          f"sequential={per_loop * N:.1f}s (plain for loop timed on {subset} loops, {per_loop * 1000:.1f} ms/loop, "
          f"extrapolated to {N}) latency={LATENCY_MS}ms started={started}")


def bench_throttled(svc: Service, sm: Any, tmp: Path) -> None:
    runtime = svc.client("sagemaker-a2i-runtime")
    default_retry = svc.client("sagemaker-a2i-runtime", mode="standard", max_attempts=5)
    flow = make_flow(sm, "bench-throttled")
    svc.faults(latency_ms=LATENCY_MS, error_rate=0.2, error_codes=["ThrottlingException"])
    subset = 60
    per_loop = sequential(default_retry, flow, subset, "seqthr")
    elapsed, summary = ours(runtime, flow, items(N, "thr"), tmp / "l2.sqlite3", svc)
    svc.faults()
    names = set(list_loops(runtime, flow)["loop_name"])
    exist = len(names & set(summary["loop_name"]))
    retries = int(summary["attempts"].sum()) - N
    print(f"BENCH launch_2000_throttled ratio={per_loop * N / elapsed:.2f} target=15 ours={elapsed:.2f}s "
          f"sequential={per_loop * N:.1f}s (plain for loop with boto3 standard retries, timed on {subset} "
          f"loops and extrapolated) throttle=20% retries={retries} loops_exist={exist}")
    if exist != N:
        raise SystemExit(f"expected {N} loops, found {exist}")


def bench_status(svc: Service, sm: Any) -> None:
    from a2i_kit.service.store import Store

    runtime = svc.client("sagemaker-a2i-runtime")
    flow = make_flow(sm, "bench-status")
    store = Store(svc.data_dir / "a2i.sqlite3")  # bulk-load 10,000 loops straight into the store
    statuses = ["InProgress"] * 6 + ["Completed"] * 3 + ["Stopped"]
    now = time.time()
    with store.transaction():
        for k in range(10_000):
            name = f"st-{k:05d}"
            arn = f"arn:aws:sagemaker:us-east-1:111122223333:human-loop/{name}"
            store.put("loops", {"name": name, "arn": arn, "status": statuses[k % 10],
                                "creation_time": now + k / 1000, "flow_definition_arn": flow,
                                "deleted": 0, "updated_time": now,
                                "doc": {"HumanLoopName": name, "HumanLoopArn": arn,
                                        "FlowDefinitionArn": flow, "OutputS3Uri": f"s3://bench/{name}"}})
    store.close()
    subset = 200
    start = time.perf_counter()
    for k in range(subset):
        runtime.describe_human_loop(HumanLoopName=f"st-{k:05d}")
    per_describe = (time.perf_counter() - start) / subset
    start = time.perf_counter()
    counts = status_summary(runtime, flow)
    elapsed = time.perf_counter() - start
    print(f"BENCH status_summary_10000 ratio={per_describe * 10_000 / elapsed:.2f} target=20 "
          f"ours={elapsed:.2f}s describes={per_describe * 10_000:.1f}s (one DescribeHumanLoop per loop, timed on "
          f"{subset} and extrapolated) counts={ {k: int(v) for k, v in counts.items() if v} }")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        svc = Service(tmp / "data")
        try:
            sm = svc.client("sagemaker")
            bench_launch(svc, sm, tmp)
            bench_throttled(svc, sm, tmp)
            bench_status(svc, sm)
        finally:
            svc.close()


if __name__ == "__main__":
    main()
