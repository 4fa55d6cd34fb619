"""What a crew of simulated reviewers tells each other, so they do not race for the same task.

Reviewers running in threads list the same tasks in the same order. Left alone they all ask for
the first task, one wins and the others are refused, and so on down the list: with 8 reviewers
that is about seven refused claims per task, each a request the service must answer. A
:class:`CrewBoard` lets a reviewer reserve a loop before claiming it; the others pass over a
reserved loop on their first pass and come back to it only when nothing else is left (a loop
that needs more than one worker still gets them). It only saves requests: the service still
decides every claim, and one reviewer working alone, or reviewers taking turns, claim exactly as
without it.

Example:
    >>> board = CrewBoard()
    >>> board.reserve("loop-1", exclusive=True), board.reserve("loop-1", exclusive=True)
    (True, False)
    >>> board.reserve("loop-1", exclusive=False)
    True
    >>> board.release("loop-1"); board.release("loop-1"); board.reserve("loop-1", exclusive=True)
    True
"""

from __future__ import annotations

import threading


class CrewBoard:
    """Loops a crew member holds (reserved or claimed, not yet submitted) and loops known closed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders: dict[str, int] = {}
        # Loops that take no more answers (a submit said so): nobody asks for them again.
        self.closed: set[str] = set()

    def reserve(self, loop: str, *, exclusive: bool) -> bool:
        """Mark ``loop`` held by one more reviewer; ``exclusive`` refuses when someone holds it."""
        with self._lock:
            held = self._holders.get(loop, 0)
            if exclusive and held:
                return False
            self._holders[loop] = held + 1
            return True

    def release(self, loop: str) -> None:
        """One reviewer no longer holds ``loop`` (it submitted, gave the task back or was refused)."""
        with self._lock:
            held = self._holders.get(loop, 0) - 1
            if held > 0:
                self._holders[loop] = held
            else:
                self._holders.pop(loop, None)
