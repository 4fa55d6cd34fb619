"""Crash consistency: SIGKILL a real ``a2i-kit serve`` process during starts and submits.

Each round starts loops (boto3) and lets workers claim and answer them (raw HTTP) while the
service is killed, either at a random moment or by the test-only hook ``A2I_KIT_CRASH_POINT``
at a named point inside the completion path. After a restart on the same data directory the
clients retry what they saw fail; at the end every acknowledged start and answer must exist,
every loop with TaskCount answers must be Completed with one strict-JSON output.json holding
exactly those answers, the events log must hold one event per status change, and nothing may be
stuck or left behind.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError

TASK_COUNT = 2
WORKERS = ("ann", "ben", "cat")
TEMPLATE = """<crowd-form><crowd-classifier name="sentiment" categories="['positive', 'negative']"
  header="Sentiment?"><classification-target>{{ task.input.text }}</classification-target>
</crowd-classifier></crowd-form>"""
# Rounds: a crash point inside the service (name@n: the n-th time it is reached) or a random kill.
ROUNDS = ["after-answer-commit@4", None, "after-output-write@2", None, "after-event-append@2", None]


def client_for(server: Server, name: str) -> Any:
    return boto3.client(name, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} in output.json")


class Server:
    """``a2i-kit serve`` in a subprocess on a fixed data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.log = open(data_dir.parent / "serve.log", "a")  # noqa: SIM115 (closed by close())

    def close(self) -> None:
        self.log.close()

    def start(self, crash_point: str | None = None) -> Server:
        env = {k: v for k, v in os.environ.items() if k != "A2I_KIT_CRASH_POINT"}
        if crash_point:
            env["A2I_KIT_CRASH_POINT"] = crash_point
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from a2i_kit.cli import main; raise SystemExit(main())", "serve", "--port", "0", "--data-dir", str(self.data_dir)],
            stdout=subprocess.PIPE, stderr=self.log, text=True, env=env)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # blocks until the banner (or EOF if it died)
        assert line.startswith("a2i-kit service ready at "), f"service did not start: {line!r}"
        self.url = line.rsplit(" ", 1)[-1].strip()
        return self

    @property
    def admin(self) -> dict[str, str]:
        return {"X-A2I-Admin-Token": (self.data_dir / "admin-token").read_text().strip()}

    def kill(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc.stdout.close()  # type: ignore[union-attr]

    def wait_for_crash(self, timeout: float) -> bool:
        """True when the process killed itself (its crash point was reached) within ``timeout``."""
        assert self.proc is not None
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return self.proc.returncode == -signal.SIGKILL


class Ledger:
    """What the clients sent and what the service acknowledged (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started: set[str] = set()
        self.unconfirmed_starts: set[str] = set()
        self.answers: dict[tuple[str, str], dict[str, Any]] = {}  # (loop, worker) → answer acknowledged
        self.unconfirmed_answers: dict[tuple[str, str], dict[str, Any]] = {}
        self.retried_ok = 0


def _answer(worker: str, loop: str) -> dict[str, Any]:
    return {"sentiment": {"label": "positive" if (len(worker) + len(loop)) % 2 else "negative"},
            "note": f"{worker} on {loop}"}


def _setup(server: Server) -> tuple[str, dict[str, str]]:
    sm = client_for(server, "sagemaker")
    team = sm.create_workteam(WorkteamName="crash-team", Description="crash test", MemberDefinitions=[
        {"CognitoMemberDefinition": {"UserPool": "us-east-1_Crash1", "UserGroup": "reviewers",
                                     "ClientId": "c"}}])["WorkteamArn"]
    ui = sm.create_human_task_ui(HumanTaskUiName="crash-ui", UiTemplate={"Content": TEMPLATE})["HumanTaskUiArn"]
    flow = sm.create_flow_definition(
        FlowDefinitionName="crash-flow", RoleArn="arn:aws:iam::111122223333:role/crash",
        OutputConfig={"S3OutputPath": "s3://crash-bucket/out"},
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "t", "TaskDescription": "d",
                         "TaskCount": TASK_COUNT})["FlowDefinitionArn"]
    tokens = {}
    for name in WORKERS:
        made = httpx.post(f"{server.url}/_a2i/workforce/workers", headers=server.admin,
                          json={"name": name, "groups": ["reviewers"]}, timeout=30)
        assert made.status_code == 201, made.text
        tokens[name] = made.json()["token"]
    return flow, tokens


def _starter(server: Server, flow: str, prefix: str, count: int, ledger: Ledger, stop: threading.Event) -> None:
    runtime = client_for(server, "sagemaker-a2i-runtime")
    for i in range(count):
        if stop.is_set():
            return
        name = f"{prefix}-{i}"
        with ledger.lock:
            ledger.unconfirmed_starts.add(name)
        try:
            runtime.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow,
                                     HumanLoopInput={"InputContent": json.dumps({"text": name})})
        except Exception:  # the service died under this call
            return
        with ledger.lock:
            ledger.unconfirmed_starts.discard(name)
            ledger.started.add(name)


def _submit(client: httpx.Client, worker: str, loop: str, ledger: Ledger) -> int:
    """Claim (if needed) and answer ``loop``; the status code of the submit (or of a refused claim)."""
    answer = _answer(worker, loop)
    with ledger.lock:
        ledger.unconfirmed_answers[(loop, worker)] = answer
    response = client.post(f"/_a2i/worker/tasks/{loop}/submit", json={"answerContent": answer})
    if response.status_code == 409 and "hold no claim" in response.json()["error"]:
        claimed = client.post(f"/_a2i/worker/tasks/{loop}/claim")
        if claimed.status_code != 200:  # the slots went to others: this answer was never stored
            with ledger.lock:
                ledger.unconfirmed_answers.pop((loop, worker), None)
            return claimed.status_code
        response = client.post(f"/_a2i/worker/tasks/{loop}/submit", json={"answerContent": answer})
    with ledger.lock:
        ledger.unconfirmed_answers.pop((loop, worker), None)
        if response.status_code == 200:
            ledger.answers[(loop, worker)] = answer
    return response.status_code


def _reviewer(server: Server, worker: str, token: str, ledger: Ledger, stop: threading.Event) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        while not stop.is_set():
            try:
                tasks = client.get("/_a2i/worker/tasks").json()["tasks"]
                if not tasks:
                    time.sleep(0.02)
                    continue
                _submit(client, worker, tasks[0]["humanLoopName"], ledger)
            except httpx.HTTPError:  # the service died under this call
                return


def _retry_everything(server: Server, flow: str, tokens: dict[str, str], ledger: Ledger) -> bool:
    """What a careful client does after an error: send the same request again.

    Returns False when the service died again meanwhile (a crash point reached by a retry).
    """
    runtime = client_for(server, "sagemaker-a2i-runtime")
    try:
        for name in sorted(ledger.unconfirmed_starts):
            runtime.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow,
                                     HumanLoopInput={"InputContent": json.dumps({"text": name})})
            ledger.unconfirmed_starts.discard(name)
            ledger.started.add(name)
        for (loop, worker), answer in sorted(ledger.unconfirmed_answers.items()):
            with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {tokens[worker]}"},
                              timeout=30) as client:
                status = _submit(client, worker, loop, ledger)
            # A stored answer is acknowledged again (idempotent); a lost one is taken now unless
            # the loop's slots went to other workers meanwhile.
            assert status in (200, 409), (loop, worker, status)
            ledger.retried_ok += status == 200
            assert answer == _answer(worker, loop)
    except (httpx.HTTPError, BotoCoreError):
        assert server.proc is not None
        # The kernel closes a killed process's sockets before its exit status can be collected:
        # the client may see the disconnect a moment before the process is waitable.
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("a retry failed on a live service")
        return False
    return True


def _round(server: Server, flow: str, tokens: dict[str, str], ledger: Ledger, index: int,
           crash_point: str | None, rng: random.Random) -> None:
    """Start (with a crash point, or to be killed at a random moment), retry, then work until it dies."""
    server.start(crash_point)
    if not _retry_everything(server, flow, tokens, ledger):
        server.kill()
        return
    _work(server, flow, tokens, ledger, index, crash_point, rng)


def _work(server: Server, flow: str, tokens: dict[str, str], ledger: Ledger, index: int,
          crash_point: str | None, rng: random.Random) -> None:
    stop = threading.Event()
    threads = [threading.Thread(target=_starter, args=(server, flow, f"r{index}", 10, ledger, stop))]
    threads += [threading.Thread(target=_reviewer, args=(server, w, tokens[w], ledger, stop)) for w in WORKERS]
    for thread in threads:
        thread.start()
    if crash_point:
        crashed = server.wait_for_crash(timeout=30)
        assert crashed, f"crash point {crash_point} was never reached"
    else:
        time.sleep(rng.uniform(0.2, 1.2))
    server.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)


def _finish_all(server: Server, tokens: dict[str, str], ledger: Ledger) -> None:
    """Answer every open loop so that all of them complete."""
    for worker, token in tokens.items():
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            for task in client.get("/_a2i/worker/tasks").json()["tasks"]:
                assert _submit(client, worker, task["humanLoopName"], ledger) == 200


@pytest.mark.slow
def test_sigkill_during_starts_and_submits_loses_and_repeats_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261202)
    data = tmp_path / "data"
    server = Server(data).start()
    flow, tokens = _setup(server)
    ledger = Ledger()
    _work(server, flow, tokens, ledger, 0, None, rng)
    for index, crash_point in enumerate(ROUNDS, start=1):
        _round(server, flow, tokens, ledger, index, crash_point, rng)

    server.start()
    try:
        stuck = _stuck_loops(data)  # read while running: the start repaired what it had to
        assert stuck == []
        assert _retry_everything(server, flow, tokens, ledger)
        _finish_all(server, tokens, ledger)
        runtime = client_for(server, "sagemaker-a2i-runtime")
        statuses = {name: runtime.describe_human_loop(HumanLoopName=name)["HumanLoopStatus"]
                    for name in sorted(ledger.started)}
    finally:
        server.kill()
        server.close()

    assert len(ledger.started) >= 20
    assert ledger.retried_ok >= 1  # at least one answer was stored but not acknowledged, then retried
    assert not ledger.unconfirmed_starts
    assert not ledger.unconfirmed_answers
    assert set(statuses.values()) == {"Completed"}, Counter(statuses.values())
    _check_outputs(data, statuses, ledger)
    _check_events(data, statuses)
    leftovers = [p.name for p in (data / "s3").rglob("*") if p.is_file() and p.name != "output.json"]
    assert leftovers == []


def _stuck_loops(data: Path) -> list[str]:
    with sqlite3.connect(data / "a2i.sqlite3") as conn:
        rows = conn.execute(
            "SELECT l.name FROM loops l JOIN assignments a ON a.loop_name = l.name WHERE l.status = 'InProgress' "
            "AND a.status = 'submitted' GROUP BY l.name HAVING COUNT(*) >= ?", (TASK_COUNT,)).fetchall()
    return [row[0] for row in rows]


def _check_outputs(data: Path, statuses: dict[str, str], ledger: Ledger) -> None:
    outputs = {}
    for path in (data / "s3").rglob("output.json"):
        document = json.loads(path.read_text(), parse_constant=_refuse)
        assert document["humanLoopName"] not in outputs, "two output.json files for one loop"
        outputs[document["humanLoopName"]] = document
    assert sorted(outputs) == sorted(statuses)
    for loop, document in outputs.items():
        assert document["inputContent"] == {"text": loop}
        got = {a["workerId"]: a["answerContent"] for a in document["humanAnswers"]}
        acknowledged = {worker: answer for (name, worker), answer in ledger.answers.items() if name == loop}
        assert len(got) == TASK_COUNT
        workers = _worker_ids(data)
        assert {workers[w]: a for w, a in acknowledged.items()} == got, loop


def _worker_ids(data: Path) -> dict[str, str]:
    with sqlite3.connect(data / "a2i.sqlite3") as conn:
        rows = conn.execute("SELECT name, doc FROM workers").fetchall()
    return {json.loads(doc)["name"]: worker_id for worker_id, doc in rows}


def _check_events(data: Path, statuses: dict[str, str]) -> None:
    lines = (data / "events.jsonl").read_text().splitlines()
    events = [json.loads(line, parse_constant=_refuse) for line in lines]
    assert len({e["id"] for e in events}) == len(events)
    per_loop = Counter((e["detail"]["humanLoopName"], e["detail"]["humanLoopStatus"]) for e in events)
    assert per_loop == Counter({(name, "Completed"): 1 for name in statuses})
