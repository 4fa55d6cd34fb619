"""Benchmarks of the team setup (service processes on PostgreSQL), each against a baseline of the same run.

- team_throughput: loops started through the launcher (``a2i_kit.launch.launch_loops``) and
  answered by 8 simulated reviewers through the worker API (``a2i_kit.review.simulate_reviewers``),
  per second end to end, with 2 service processes on PostgreSQL vs 1 service process on SQLite
  (``a2i-kit serve`` as a laptop runs it). ratio = team / laptop (target 1.0: the team setup is
  not slower on this 2-core machine).
- list_page_1m: ListHumanLoops pages (boto3, default page size, both sort orders, a NextToken
  page, a one-item page of a flow definition that holds 1 % of the rows, a CreationTimeAfter
  range) with 1,000,000
  loops stored vs 100, on PostgreSQL. The rows are bulk-loaded with one
  ``INSERT ... SELECT ... FROM generate_series`` into the store's own ``loops`` table (the schema
  the service created), then ``ANALYZE``. ratio = t(100) / t(1,000,000) (target 0.9).

PostgreSQL is started by the bench itself (``tests/pgserver.py``: Debian's binaries, run as the
``postgres`` user, a temporary cluster on a free loopback port, fsync off as in the tests).

Run: .venv/bin/python bench/bench_team.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pandas as pd
from botocore.config import Config

from a2i_kit.client import as_session
from a2i_kit.launch import launch_loops
from a2i_kit.review import simulate_reviewers
from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.processes import Supervisor

ROUNDS = 3
LOOPS_PER_ROUND = 200
REVIEWERS = 8
LIST_ROUNDS = 7
PAGES_PER_ROUND = 5
BIG = 1_000_000
SMALL = 100


def client(url: str, name: str) -> Any:
    return boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                        aws_secret_access_key="bench",
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=32))


def make_flow(url: str, name: str) -> str:
    """A workteam of group ``reviewers``, a task UI with a classifier and an Active flow definition."""
    sm = client(url, "sagemaker")
    team = sm.create_workteam(WorkteamName=f"{name}-team", Description="bench",
                              MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["reviewers"]}}])["WorkteamArn"]
    template = ('<crowd-form><crowd-classifier name="verdict" categories="[\'ok\', \'wrong\']" header="ok?">'
                "<classification-target>{{ task.input.text }}</classification-target></crowd-classifier></crowd-form>")
    ui = sm.create_human_task_ui(HumanTaskUiName=f"{name}-ui", UiTemplate={"Content": template})
    return sm.create_flow_definition(
        FlowDefinitionName=name, RoleArn="arn:aws:iam::111122223333:role/bench",
        OutputConfig={"S3OutputPath": "s3://bench/out"},
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui["HumanTaskUiArn"], "TaskTitle": "t",
                         "TaskDescription": "d", "TaskCount": 1})["FlowDefinitionArn"]


# -- team_throughput --------------------------------------------------------------------------------
def one_round(service: Any, tag: str, ledger_dir: Path) -> float:
    """Loops per second: launch LOOPS_PER_ROUND loops, then let the reviewers answer all of them."""
    flow_arn = make_flow(service.url, f"flow-{tag}")
    df = pd.DataFrame({"item_id": [f"{tag}-{i}" for i in range(LOOPS_PER_ROUND)],
                       "text": [f"claim {i} looks fine" for i in range(LOOPS_PER_ROUND)],
                       "label": ["ok"] * LOOPS_PER_ROUND})
    runtime = client(service.url, "sagemaker-a2i-runtime")
    start = time.perf_counter()
    summary = launch_loops(as_session(runtime), df, flow_definition_arn=flow_arn, input_cols=["text", "label"],
                           ledger=ledger_dir / f"{tag}.ledger", public_crowd=False, progress=False)
    crew = simulate_reviewers(service.url, service.admin_token, workers=REVIEWERS, threads=REVIEWERS,
                              ground_truth_key="label", accuracy=1.0, seed=0)
    elapsed = time.perf_counter() - start
    started = int((summary["status"] == "started").sum())
    if started != LOOPS_PER_ROUND or crew.total_answered != LOOPS_PER_ROUND:
        raise SystemExit(f"bench_team: round {tag} started {started} and answered {crew.total_answered} "
                         f"of {LOOPS_PER_ROUND} loops")
    return LOOPS_PER_ROUND / elapsed


def bench_throughput(tmp: Path, database_url: str) -> None:
    laptop = Supervisor(ServiceConfig(data_dir=tmp / "laptop", max_in_progress_loops=10**6), workers=1)
    team = Supervisor(ServiceConfig(data_dir=tmp / "team", database_url=database_url,
                                    max_in_progress_loops=10**6), workers=2)
    with laptop, team:
        one_round(laptop, "warm-l", tmp), one_round(team, "warm-t", tmp)
        laptop_rates, team_rates = [], []
        for index in range(ROUNDS):  # interleaved so load changes hit both sides alike
            laptop_rates.append(one_round(laptop, f"l{index}", tmp))
            team_rates.append(one_round(team, f"t{index}", tmp))
    ours, base = statistics.median(team_rates), statistics.median(laptop_rates)
    print(f"BENCH team_throughput ratio={ours / base:.3f} target=1.0 team={ours:.1f}/s laptop={base:.1f}/s "
          f"loops started and answered per second ({LOOPS_PER_ROUND} loops, {REVIEWERS} reviewers, "
          f"2 processes on PostgreSQL vs 1 on SQLite, median of {ROUNDS} rounds)", flush=True)


# -- list_page_1m -----------------------------------------------------------------------------------
BULK_LOAD = """
INSERT INTO loops (name, arn, status, creation_time, doc, flow_definition_arn, deleted, updated_time)
SELECT n, %(arn_prefix)s || n, CASE WHEN g %% 3 = 0 THEN 'Completed' ELSE 'InProgress' END, t,
       '{"HumanLoopName":"' || n || '","HumanLoopArn":"' || %(arn_prefix)s || n || '","FlowDefinitionArn":"'
       || f || '","FlowDefinitionName":"' || fname || '","InputContent":"{\\"a\\": 1}","TaskCount":1,'
       || '"OutputS3Uri":"s3://bench/out/' || fname || '/' || n || '/output.json"}',
       f, 0, t
FROM (SELECT g, 'loop-' || lpad(g::text, 7, '0') AS n, %(base)s + g * 0.01 AS t,
             CASE WHEN g %% 100 = 0 THEN %(small_arn)s ELSE %(big_arn)s END AS f,
             CASE WHEN g %% 100 = 0 THEN 'rare-flow' ELSE 'bulk-flow' END AS fname
      FROM generate_series(1, %(count)s) AS g) AS numbered
"""


def bulk_load(database_url: str, count: int, big_arn: str, small_arn: str) -> float:
    """Insert ``count`` loops (1 in 100 in the rare flow) with the store's secondary indexes dropped
    and built again afterwards (faster than maintaining them row by row); returns the seconds."""
    import psycopg
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    from a2i_kit.service.store.schema import loops

    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    start = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '256MB'")
        for index in loops.indexes:
            conn.execute(f'DROP INDEX IF EXISTS "{index.name}"')
        conn.execute(BULK_LOAD, {"arn_prefix": "arn:aws:sagemaker:us-east-1:111122223333:human-loop/",
                                 "base": time.time() - count * 0.01 - 3600, "count": count,
                                 "big_arn": big_arn, "small_arn": small_arn})
        for index in loops.indexes:
            conn.execute(str(CreateIndex(index).compile(dialect=postgresql.dialect())))
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE loops")
    return time.perf_counter() - start


def page_queries(runtime: Any, big_arn: str, small_arn: str) -> list[Callable[[], Any]]:
    """The pages timed: sorted both ways, a NextToken page, a selective flow, a time range."""
    token = runtime.list_human_loops(FlowDefinitionArn=big_arn)["NextToken"]
    middle = runtime.list_human_loops(FlowDefinitionArn=big_arn)["HumanLoopSummaries"][-1]["CreationTime"]
    return [
        lambda: runtime.list_human_loops(FlowDefinitionArn=big_arn),
        lambda: runtime.list_human_loops(FlowDefinitionArn=big_arn, SortOrder="Ascending"),
        lambda: runtime.list_human_loops(FlowDefinitionArn=big_arn, NextToken=token),
        # The rare flow holds 1 loop of 100 and 10,000 of 1,000,000: a page of one item on both
        # sides, so that both measure the same page (a default page would hold 1 item vs 100).
        lambda: runtime.list_human_loops(FlowDefinitionArn=small_arn, MaxResults=1),
        lambda: runtime.list_human_loops(FlowDefinitionArn=big_arn, SortOrder="Ascending",
                                         CreationTimeAfter=middle),
    ]


def timed(queries: list[Callable[[], Any]]) -> float:
    start = time.perf_counter()
    for _ in range(PAGES_PER_ROUND):
        for query in queries:
            query()
    return (time.perf_counter() - start) / (PAGES_PER_ROUND * len(queries))


def bench_list(tmp: Path, small_url: str, big_url: str) -> None:
    with ServiceThread(ServiceConfig(data_dir=tmp / "small", database_url=small_url)) as small, \
            ServiceThread(ServiceConfig(data_dir=tmp / "big", database_url=big_url)) as big:
        sides = []
        for service, url, count in ((small, small_url, SMALL), (big, big_url, BIG)):
            big_arn, small_arn = make_flow(service.url, "bulk-flow"), make_flow(service.url, "rare-flow")
            seconds = bulk_load(url, count, big_arn, small_arn)
            print(f"bench_team: loaded {count:,} loops in {seconds:.1f} s", flush=True)
            runtime = client(service.url, "sagemaker-a2i-runtime")
            sides.append(page_queries(runtime, big_arn, small_arn))
        timed(sides[0]), timed(sides[1])
        small_times, big_times = [], []
        for _ in range(LIST_ROUNDS):
            small_times.append(timed(sides[0]))
            big_times.append(timed(sides[1]))
    t_small, t_big = statistics.median(small_times) * 1000, statistics.median(big_times) * 1000
    print(f"BENCH list_page_1m ratio={t_small / t_big:.3f} target=0.9 t100={t_small:.2f}ms "
          f"t1m={t_big:.2f}ms per ListHumanLoops page (default size; 5 kinds of page; median of "
          f"{LIST_ROUNDS} rounds)", flush=True)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/pgserver.py
    from pgserver import PgServer

    server = PgServer.start()
    try:
        with tempfile.TemporaryDirectory(prefix="a2i-bench-team-") as tmp:
            bench_throughput(Path(tmp) / "throughput", server.create_database("bench_team"))
            bench_list(Path(tmp) / "list", server.create_database("bench_small"),
                       server.create_database("bench_big"))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
