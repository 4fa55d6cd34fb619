"""The supervisor of service processes: one port, workers restarted when they die, clean stops.

These run one worker on SQLite (the mechanics do not need a shared database); the tests with two
workers on PostgreSQL are in test_concurrency.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from a2i_kit.errors import ServiceError
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.processes import Supervisor


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def supervisor(tmp_path: Path):
    with Supervisor(ServiceConfig(data_dir=tmp_path / "data"), workers=1) as running:
        yield running


def test_a_killed_worker_is_started_again_on_the_same_port(supervisor):
    first = supervisor.pids()
    assert len(first) == 1
    assert first[0] != os.getpid()
    assert httpx.get(f"{supervisor.url}/_a2i/health").json()["status"] == "ok"
    os.kill(first[0], signal.SIGKILL)
    assert wait_until(lambda: supervisor.restarts == 1)
    supervisor.wait_ready()
    second = supervisor.pids()
    assert len(second) == 1
    assert second != first
    assert httpx.get(f"{supervisor.url}/_a2i/health").json()["status"] == "ok"


def test_stop_ends_every_worker_and_frees_the_port(tmp_path):
    running = Supervisor(ServiceConfig(data_dir=tmp_path / "data"), workers=1).start()
    pids, url = running.pids(), running.url
    running.stop()
    assert not any(alive(pid) for pid in pids)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_a2i/health", timeout=2)


def test_workers_leave_when_the_supervisor_is_killed(tmp_path):
    script = ("import json, sys, time\n"
              "from pathlib import Path\n"
              "from a2i_kit.service.context import ServiceConfig\n"
              "from a2i_kit.service.processes import Supervisor\n"
              "if __name__ == '__main__':\n"
              "    s = Supervisor(ServiceConfig(data_dir=Path(sys.argv[1])), workers=1).start()\n"
              "    print(json.dumps(s.pids()), flush=True)\n"
              "    time.sleep(600)\n")
    path = tmp_path / "run_supervisor.py"
    path.write_text(script)
    proc = subprocess.Popen([sys.executable, str(path), str(tmp_path / "data")], stdout=subprocess.PIPE, text=True)
    try:
        pids = json.loads(proc.stdout.readline())
        assert len(pids) == 1
        assert alive(pids[0])
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert wait_until(lambda: not alive(pids[0]), timeout=15), "the worker outlived its supervisor"
    finally:
        proc.kill()


def test_workers_must_be_positive(tmp_path):
    with pytest.raises(ServiceError) as caught:
        Supervisor(ServiceConfig(data_dir=tmp_path), workers=0)
    assert str(caught.value) == "workers must be 1 or more, not 0"
