"""Reviewers that race through the worker API and remember what the service acknowledged.

A reviewer lists its tasks, claims one, submits an answer and records the loop only when the
submit returned 200 (acknowledged). A dropped connection (a service process killed mid-request)
is retried: the claim and the answer live in the database, and a retried submit of the stored
answer succeeds, so an answer is acknowledged at most once per (loop, worker).

Example:
    >>> crew = Crew(url, admin_token, workers=8)          # doctest: +SKIP
    >>> acked = crew.run()                                # doctest: +SKIP
    >>> sum(len(v) for v in acked.values())               # doctest: +SKIP
    400
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from a2i_kit.errors import ServiceError
from a2i_kit.review import AdminClient, WorkerClient
from a2i_kit.review.client import WorkerApiError

RETRY_SECONDS = 0.05


class Crew:
    """``workers`` reviewers in group ``reviewers``, one thread each."""

    def __init__(self, url: str, admin_token: str, *, workers: int = 8, seed: int = 0) -> None:
        self.url, self.seed = url, seed
        with AdminClient(url, admin_token) as admin:
            self.members = [admin.add_worker(f"racer-{i + 1}", ["reviewers"]) for i in range(workers)]
        self.acked: dict[str, list[str]] = {m["workerId"]: [] for m in self.members}
        self.dropped = 0  # requests that died with their process
        self.refused: list[str] = []  # refusals other than losing a race (must stay empty)
        self._lock = threading.Lock()

    def run(self, *, pause: threading.Event | None = None, timeout: float = 600.0) -> dict[str, list[str]]:
        """Every reviewer works until its task list stays empty; returns worker → loops acknowledged."""
        threads = [threading.Thread(target=self._work, args=(m, index, pause, time.monotonic() + timeout),
                                    daemon=True) for index, m in enumerate(self.members)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self.acked

    def total(self) -> int:
        return sum(len(loops) for loops in self.acked.values())

    def _work(self, member: dict[str, Any], index: int, pause: threading.Event | None, deadline: float) -> None:
        rng = random.Random(f"{self.seed}-{index}")
        with WorkerClient(self.url, member["token"], timeout=30) as client:
            empty_lists = 0
            while time.monotonic() < deadline and empty_lists < 3:
                if pause is not None:
                    pause.wait()
                try:
                    tasks = self._call(client.tasks)
                except WorkerApiError as exc:
                    self._refuse(f"tasks: {exc}")
                    time.sleep(RETRY_SECONDS)
                    continue
                if tasks is None:
                    continue
                if not tasks:
                    empty_lists += 1
                    time.sleep(0.2)  # answers of others may still free nothing; claims may expire
                    continue
                empty_lists = 0
                task = rng.choice(tasks[:8])  # contend for the oldest tasks, as people do
                self._answer(client, member, task["humanLoopName"])

    def _answer(self, client: WorkerClient, member: dict[str, Any], loop: str) -> None:
        try:
            if self._call(client.claim, loop) is None:
                return
        except WorkerApiError as exc:
            if exc.status != 409:  # 409: another reviewer took the last slot first
                self._refuse(f"claim {loop}: {exc}")
            return
        answer = {"verdict": {"label": "ok"}, "by": member["workerId"]}
        while True:
            try:
                result = client.submit(loop, answer)
            except WorkerApiError as exc:
                self._refuse(f"submit {loop}: {exc}")
                return
            except ServiceError:  # the process serving it died: the answer may or may not be stored
                with self._lock:
                    self.dropped += 1
                time.sleep(RETRY_SECONDS)
                continue
            if result.get("humanLoopStatus") not in ("InProgress", "Completed"):
                self._refuse(f"submit {loop}: {result}")
            with self._lock:
                self.acked[member["workerId"]].append(loop)
            return

    def _call(self, func: Any, *args: Any) -> Any:
        """Call the worker API; None when the connection died (the caller tries again)."""
        try:
            return func(*args)
        except WorkerApiError:
            raise
        except ServiceError:
            with self._lock:
                self.dropped += 1
            time.sleep(RETRY_SECONDS)
            return None

    def _refuse(self, what: str) -> None:
        with self._lock:
            self.refused.append(what)
