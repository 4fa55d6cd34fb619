"""Several service processes on one port: a supervisor binds the socket once, N workers serve it.

Each worker is a fresh interpreter (``spawn``) that receives the listening socket, assembles the
same service as :class:`~a2i_kit.service.ServiceThread` (store, sweeper, uvicorn server) and
accepts connections from the shared socket; the kernel hands each new connection to one of
them. The store is what makes this safe: every one-at-a-time decision (claims, completion,
output.json, events, the sweeper's pass) is taken inside a database transaction, so it needs a
shared database (PostgreSQL); SQLite is one process (``a2i-kit serve`` refuses ``--workers`` > 1
there).

A worker that dies (a crash, ``kill -9``) is started again, after a pause that grows while it keeps
dying young; ``stop()`` (SIGTERM or Ctrl-C in ``a2i-kit serve``) stops them all. A worker whose
supervisor vanished stops by itself.

Example:
    >>> with Supervisor(ServiceConfig(data_dir=d, database_url=url), workers=2) as team:  # doctest: +SKIP
    ...     print(team.url, team.pids())
    http://127.0.0.1:8443 [4242, 4243]
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import socket
import threading
import time
from typing import Any

from a2i_kit.errors import ServiceError
from a2i_kit.service import assemble, base_url, bind_socket
from a2i_kit.service.context import ServiceConfig, ServiceContext

__all__ = ["Supervisor"]
log = logging.getLogger(__name__)
_SPAWN = multiprocessing.get_context("spawn")
YOUNG_SECONDS = 10.0  # a worker that dies sooner than this after its start counts as crash-looping
MAX_PAUSE_SECONDS = 30.0


def serve_worker(config: ServiceConfig, sock: socket.socket, host: str, ready: Any) -> None:
    """Body of one worker process: serve ``sock`` until SIGTERM/SIGINT or the supervisor is gone.

    ``ready`` is the write end of a pipe: one message once the server accepts connections.
    """
    logging.basicConfig(level=logging.WARNING, format=f"a2i-kit worker {os.getpid()}: %(levelname)s %(message)s")
    os.setpgrp()  # Ctrl-C in a terminal reaches the supervisor only; it stops the workers in order
    parent = os.getppid()
    parts = assemble(config, host, sock.getsockname()[1])

    def watch() -> None:
        while not parts.server.started and not parts.server.should_exit:
            time.sleep(0.01)
        with contextlib.suppress(OSError):
            if parts.server.started:
                ready.send("ready")
            ready.close()
        while not parts.server.should_exit:
            if os.getppid() != parent:  # the supervisor died (even by SIGKILL): do not outlive it
                parts.server.should_exit = True
            time.sleep(0.5)

    threading.Thread(target=watch, name="a2i-worker-watch", daemon=True).start()
    try:
        parts.server.run(sockets=[sock])  # main thread: uvicorn turns SIGTERM/SIGINT into a clean stop
    finally:
        parts.close()


class _Slot:
    """One worker position: its current process, when it started, how often it died young."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.process: Any = None
        self.reader: Any = None
        self.ready = False
        self.started = 0.0
        self.young_deaths = 0
        self.restart_at = 0.0


def _is_ready(slot: _Slot, wait: float = 0.0) -> bool:
    """True once the slot's current process said it serves (reads its pipe without blocking long)."""
    if not slot.ready and slot.reader is not None:
        with contextlib.suppress(EOFError, OSError):
            if slot.reader.poll(wait):
                slot.ready = slot.reader.recv() == "ready"
    return slot.ready


class Supervisor:
    """Bind ``host:port`` once and keep ``workers`` service processes serving it."""

    def __init__(self, config: ServiceConfig, *, workers: int = 2, host: str = "127.0.0.1", port: int = 0) -> None:
        if workers < 1:
            raise ServiceError(f"workers must be 1 or more, not {workers}")
        self.config, self.workers, self.host, self.port = config, workers, host, port
        self.url = ""
        self.admin_token = ""
        self.restarts = 0
        self._socket: socket.socket | None = None
        self._slots = [_Slot(index) for index in range(workers)]
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._monitor: threading.Thread | None = None

    def __enter__(self) -> Supervisor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> Supervisor:
        """Prepare the store once, bind, start every worker; returns when all of them answer."""
        from a2i_kit.service.auth import load_or_create_token

        if self._socket is not None:
            raise ServiceError("this Supervisor is already running; create a new one to run another")
        ctx = ServiceContext.create(self.config)  # creates or upgrades the schema once, before the workers
        ctx.store.close()
        self.admin_token = load_or_create_token(self.config.data_dir)
        self._socket = bind_socket(self.host, self.port)
        self._socket.set_inheritable(True)
        self.port = self._socket.getsockname()[1]
        self.url = base_url(self.host, self.port)
        try:
            for slot in self._slots:
                self._spawn(slot)
            deadline = time.monotonic() + timeout
            for slot in self._slots:
                self._await_ready(slot, deadline)
        except BaseException:
            self.stop()
            raise
        self._monitor = threading.Thread(target=self._watch, name="a2i-supervisor", daemon=True)
        self._monitor.start()
        return self

    def pids(self) -> list[int]:
        """Process ids of the workers now running (a restarted worker has a new one)."""
        with self._lock:
            return [slot.process.pid for slot in self._slots if slot.process is not None and slot.process.is_alive()]

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until every worker slot holds a process that answers (e.g. after a restart)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if all(s.process is not None and s.process.is_alive() and _is_ready(s) for s in self._slots):
                    return
            time.sleep(0.05)
        raise ServiceError(f"not every worker of {self.url} was ready within {timeout:.0f} s; see the log above")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every worker (SIGTERM, then SIGKILL after ``timeout``) and close the socket."""
        self._stopping.set()
        if self._monitor is not None and self._monitor is not threading.current_thread():
            self._monitor.join(timeout=5)
        with self._lock:
            processes = [slot.process for slot in self._slots if slot.process is not None]
        for process in processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + timeout
        for process in processes:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                log.warning("worker %s did not stop within %.0f s; killing it", process.pid, timeout)
                process.kill()
                process.join(5)
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        for slot in self._slots:
            if slot.reader is not None:
                slot.reader.close()
                slot.reader = None

    # -- internals ------------------------------------------------------------------------------
    def _spawn(self, slot: _Slot) -> None:
        reader, writer = _SPAWN.Pipe(duplex=False)
        process = _SPAWN.Process(target=serve_worker, args=(self.config, self._socket, self.host, writer),
                                 name=f"a2i-kit-worker-{slot.index}", daemon=False)
        process.start()
        writer.close()  # the child holds its own copy
        with self._lock:
            if slot.reader is not None:
                slot.reader.close()
            slot.process, slot.reader, slot.ready, slot.started = process, reader, False, time.monotonic()

    def _await_ready(self, slot: _Slot, deadline: float) -> None:
        while not _is_ready(slot, 0.05):
            if not slot.process.is_alive():
                raise ServiceError(f"worker process {slot.index + 1} of {self.url} exited with code "
                                   f"{slot.process.exitcode} before it was ready; see its log above")
            if time.monotonic() > deadline:
                raise ServiceError(f"worker process {slot.index + 1} of {self.url} was not ready in time; "
                                   "see its log above")

    def _watch(self) -> None:
        """Start a worker again when it dies; pause longer while it keeps dying young."""
        while not self._stopping.wait(0.2):
            now = time.monotonic()
            for slot in self._slots:
                process = slot.process
                if process is None or process.is_alive():
                    continue
                if slot.restart_at == 0.0:
                    young = now - slot.started < YOUNG_SECONDS
                    slot.young_deaths = slot.young_deaths + 1 if young else 0
                    pause = min(MAX_PAUSE_SECONDS, 0.5 * (2 ** slot.young_deaths - 1))
                    slot.restart_at = now + pause
                    log.warning("worker %s (pid %s) exited with code %s; starting it again in %.1f s",
                                slot.index + 1, process.pid, process.exitcode, pause)
                if now >= slot.restart_at and not self._stopping.is_set():
                    slot.restart_at = 0.0
                    with contextlib.suppress(Exception):
                        process.close()
                    self._spawn(slot)
                    self.restarts += 1
