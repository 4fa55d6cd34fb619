"""Two service processes on PostgreSQL: reviewers racing for loops get exactly-once outcomes.

8 reviewers (threads, worker API over HTTP) race for 200 loops with TaskCount 2 against two
processes sharing one port and one PostgreSQL database, output.json going to a versioned bucket
of moto's S3 server (a second write of an output would show as a second version). Then the same
with one process SIGKILLed mid-run: the supervisor starts it again, the other keeps serving, and
no acknowledged loop or answer is lost.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from team_crew import Crew

from a2i_kit.review import AdminClient

pytestmark = pytest.mark.slow
LOOPS = 200


def aws(url: str, name: str) -> Any:
    return boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=16))


def make_flow(url: str, bucket: str) -> str:
    sm = aws(url, "sagemaker")
    team = sm.create_workteam(WorkteamName="racers", Description="d", MemberDefinitions=[
        {"OidcMemberDefinition": {"Groups": ["reviewers"]}}])["WorkteamArn"]
    ui = sm.create_human_task_ui(HumanTaskUiName="race-ui", UiTemplate={"Content": "<p>{{ task.input.text }}</p>"})
    return sm.create_flow_definition(
        FlowDefinitionName="race", RoleArn="arn:aws:iam::111122223333:role/r",
        OutputConfig={"S3OutputPath": f"s3://{bucket}/out"},
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui["HumanTaskUiArn"], "TaskTitle": "t",
                         "TaskDescription": "d", "TaskCount": 2})["FlowDefinitionArn"]


def start_loops(url: str, flow_arn: str, count: int) -> list[str]:
    """Start ``count`` loops from 8 threads; a start cut off by a dying process is sent again
    (same name and input: the service answers with the existing loop)."""
    runtime = aws(url, "sagemaker-a2i-runtime")

    def start(index: int) -> str:
        name = f"race-{index:03d}"
        for _ in range(200):
            try:
                runtime.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow_arn,
                                         HumanLoopInput={"InputContent": json.dumps({"text": f"item {index}"})})
                return name
            except ClientError:
                raise
            except Exception:  # connection reset by a killed process: not acknowledged, send again
                time.sleep(0.05)
        raise AssertionError(f"{name} never started")

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(start, range(count)))


def all_events(url: str, token: str) -> list[dict[str, Any]]:
    events, after = [], 0
    with AdminClient(url, token) as admin:
        while True:
            page = admin.events(after=after, limit=1000)
            if not page["events"]:
                return events
            events += page["events"]
            after = page["next"]


def assert_exactly_once(team: Any, loops: list[str], acked: dict[str, list[str]], *, killed: bool) -> None:
    """Every loop Completed by 2 distinct workers; one output (one S3 version), one event each;
    every acknowledged answer is in its loop's output."""
    url = team.supervisor.url
    runtime = aws(url, "sagemaker-a2i-runtime")
    statuses = {}
    for loop in loops:
        described = runtime.describe_human_loop(HumanLoopName=loop)
        statuses[loop] = described["HumanLoopStatus"]
    assert Counter(statuses.values()) == {"Completed": len(loops)}

    answered_by: dict[str, set[str]] = {loop: set() for loop in loops}
    for worker, done in acked.items():
        assert len(done) == len(set(done)), f"{worker} was acknowledged twice for one loop"
        for loop in done:
            answered_by[loop].add(worker)
    for loop in loops:
        key = runtime.describe_human_loop(HumanLoopName=loop)["HumanLoopOutput"]["OutputS3Uri"].split("/", 3)[3]
        versions = team.s3.list_object_versions(Bucket=team.bucket, Prefix=key).get("Versions", [])
        bodies = {team.s3.get_object(Bucket=team.bucket, Key=key, VersionId=v["VersionId"])["Body"].read()
                  for v in versions}
        if killed:  # a process killed between writing and recording it may write the same bytes again
            assert len(bodies) == 1, f"{loop}: {len(versions)} different outputs"
        else:
            assert len(versions) == 1, f"{loop}: output.json written {len(versions)} times"
        output = json.loads(bodies.pop())
        workers = [answer["workerId"] for answer in output["humanAnswers"]]
        assert len(workers) == 2, f"{loop}: {workers}"
        assert len(set(workers)) == 2, f"{loop}: one worker answered twice: {workers}"
        assert answered_by[loop] <= set(workers), f"{loop}: acknowledged answers lost"

    events = all_events(url, team.supervisor.admin_token)
    per_loop = Counter((e["detail"]["humanLoopName"], e["detail"]["humanLoopStatus"]) for e in events)
    assert per_loop == {(loop, "Completed"): 1 for loop in loops}
    assert len({e["id"] for e in events}) == len(events)


def test_eight_reviewers_race_for_200_loops_on_two_processes(team):
    url = team.supervisor.url
    assert len(team.supervisor.pids()) == 2
    loops = start_loops(url, make_flow(url, team.bucket), LOOPS)
    crew = Crew(url, team.supervisor.admin_token, workers=8)
    acked = crew.run()
    assert crew.refused == []
    assert crew.dropped == 0
    assert crew.total() == 2 * LOOPS
    assert_exactly_once(team, loops, acked, killed=False)


def test_a_process_killed_mid_run_loses_nothing_acknowledged(team):
    url, supervisor = team.supervisor.url, team.supervisor
    loops = start_loops(url, make_flow(url, team.bucket), LOOPS)
    crew = Crew(url, supervisor.admin_token, workers=8, seed=1)
    victim = supervisor.pids()[0]
    runner = threading.Thread(target=crew.run)
    runner.start()
    deadline = time.monotonic() + 120
    while crew.total() < LOOPS // 2 and time.monotonic() < deadline:  # half the answers are in
        time.sleep(0.01)
    os.kill(victim, signal.SIGKILL)
    runner.join(600)
    assert not runner.is_alive()
    assert supervisor.restarts == 1
    assert victim not in supervisor.pids()
    assert crew.refused == []
    assert crew.total() == 2 * LOOPS
    assert_exactly_once(team, loops, crew.acked, killed=True)
