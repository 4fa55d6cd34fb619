"""Launch human loops from a routed DataFrame: checked, concurrent, retried, never twice.

Example:
    >>> from a2i_kit.launch import loop_name
    >>> loop_name("reviews", "Ticket #42")
    'reviews-ticket-42-bn6f3hnrxmqn'
"""

from __future__ import annotations

from a2i_kit.launch.checks import Job, build_jobs
from a2i_kit.launch.escalation import escalate, followup_loop_name
from a2i_kit.launch.launcher import launch_loops
from a2i_kit.launch.ledger import Ledger
from a2i_kit.launch.names import NAME_PATTERN, loop_name
from a2i_kit.launch.payload import MAX_INPUT_CHARS, input_content, to_jsonable
from a2i_kit.launch.retry import RetryPolicy

__all__ = ["MAX_INPUT_CHARS", "NAME_PATTERN", "Job", "Ledger", "RetryPolicy", "build_jobs",
           "input_content", "launch_loops", "loop_name", "to_jsonable"]

__all__ += ["escalate", "followup_loop_name"]
