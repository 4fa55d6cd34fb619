"""Review tasks without the AWS portal: a worker API client and seeded simulated reviewers.

Example:
    >>> from a2i_kit.review import add_worker, WorkerClient             # doctest: +SKIP
    >>> alice = add_worker(session, "alice", ["reviewers"])             # doctest: +SKIP
    >>> WorkerClient(session.endpoint_url, alice["token"]).tasks()      # doctest: +SKIP
    []
"""

from __future__ import annotations

from a2i_kit.review.answers import generate_answer
from a2i_kit.review.client import AdminClient, WorkerApiError, WorkerClient, add_worker
from a2i_kit.review.runner import provision_workers, simulate_reviewers
from a2i_kit.review.simulated import LatencyModel, SimulatedReviewer, SimulationSummary

__all__ = [
    "AdminClient",
    "LatencyModel",
    "SimulatedReviewer",
    "SimulationSummary",
    "WorkerApiError",
    "WorkerClient",
    "add_worker",
    "generate_answer",
    "provision_workers",
    "simulate_reviewers",
]
