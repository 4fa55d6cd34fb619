"""Quality control as a reviewer meets it in the portal: the queue says what a qualification asks
for, and a qualification (hidden) task opens in continuous mode like any task."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from quality_helpers import QUAL_PREFIX, items

from a2i_kit.review import AdminClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))
from portal_sessions import sign_in_by_link


def test_the_queue_names_the_qualification_and_its_tasks_open_in_continuous_mode(
        job: Any, quality_http: Any, admin_client: AdminClient, service: Any) -> None:
    work = job(2)
    put = quality_http.put(f"/_a2i/quality/flows/{work.name}/qualification",
                           json={"items": items(QUAL_PREFIX, 3), "threshold": 0.8})
    assert put.status_code == 200, put.text
    added = admin_client.add_worker("quinn", ["reviewers"])
    user = sign_in_by_link(service.url, added["signInUrl"])
    queue = user.get("/_a2i/portal/")
    assert queue.status_code == 200
    assert (f"Job &#x27;Review {work.name}&#x27; needs its qualification first: answer its qualification "
            "tasks in your queue (0 of 3 done); its other tasks open once you pass.") in queue.text
    started = user.post_form(f"/_a2i/portal/jobs/{work.name}/start")
    assert started.status_code == 303
    loop = started.headers["location"].rsplit("/", 1)[-1]
    assert loop not in work.loops   # a qualification task, not one of the job's real loops
    page = user.get(started.headers["location"])
    assert page.status_code == 200, page.text[:300]
    assert 'data-mode="continuous"' in page.text
    assert QUAL_PREFIX in page.text
    assert "<strong data-left>3</strong> left" in page.text
