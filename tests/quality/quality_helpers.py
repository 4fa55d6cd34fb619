"""Helpers of the quality-control tests: known-answer items, a job, a reviewer that works its queue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from a2i_kit.review import WorkerClient

GOLD_PREFIX = "gold sample"
QUAL_PREFIX = "qualifying sample"


def items(prefix: str, n: int, label: str = "positive") -> list[dict[str, Any]]:
    """n known-answer items whose text starts with ``prefix`` (the tests recognise them by it)."""
    return [{"itemId": f"{prefix.split()[0]}-{k:03d}", "input": {"text": f"{prefix} {k}"},
             "answer": {"sentiment": {"label": label}}, "paths": ["sentiment.label"]} for k in range(n)]


@dataclass
class Job:
    """One flow definition with its loops, as the data scientist started them."""

    flow: dict[str, Any]
    loops: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.flow["name"])


@dataclass
class Reviewer:
    """A worker of the job's team that works its queue from the top, as the portal's next task does."""

    client: WorkerClient
    worker_id: str
    served: list[tuple[str, str]] = field(default_factory=list)  # (loop name, text shown)

    def work(self, answer: Callable[[str, int], str], limit: int) -> int:
        """Claim and answer the first task of the list until none is left (or ``limit``); returns how many."""
        done = 0
        while done < limit:
            tasks = self.client.tasks()
            if not tasks:
                break
            name = tasks[0]["humanLoopName"]
            task = self.client.claim(name)
            text = shown_text(task["html"])
            self.served.append((name, text))
            self.client.submit(name, {"sentiment": {"label": answer(text, len(self.served))}})
            done += 1
        return done


def shown_text(html: str) -> str:
    """The review text the task page shows (between the classification-target tags)."""
    start = html.index("<classification-target>") + len("<classification-target>")
    return html[start:html.index("</classification-target>", start)].strip()
