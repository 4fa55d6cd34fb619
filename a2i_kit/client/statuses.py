"""The five states of a human loop, and which of them are final.

Example:
    >>> LoopStatus("Completed").is_terminal, LoopStatus.IN_PROGRESS == "InProgress"
    (True, True)
    >>> sorted(TERMINAL)
    ['Completed', 'Failed', 'Stopped']
"""

from __future__ import annotations

from enum import StrEnum


class LoopStatus(StrEnum):
    """HumanLoopStatus as A2I spells it; members compare equal to the plain strings."""

    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    FAILED = "Failed"
    STOPPING = "Stopping"
    STOPPED = "Stopped"

    @property
    def is_terminal(self) -> bool:
        """True once the loop can change no more (Completed, Failed, Stopped)."""
        return self.value in TERMINAL


# Plain strings (not members) so ``status in TERMINAL`` works for the strings boto3 returns.
STATUSES: tuple[str, ...] = tuple(s.value for s in LoopStatus)
TERMINAL: frozenset[str] = frozenset({"Completed", "Failed", "Stopped"})
OPEN: frozenset[str] = frozenset(STATUSES) - TERMINAL
