"""The webhook repository: every SQL statement about ``webhooks`` and ``webhook_deliveries``.

Rows are plain dicts. A webhook's ``last_seq`` is the event cursor up to which its deliveries are
queued; a delivery moves ``pending`` → ``sending`` (claimed, with a lease in ``next_attempt``) →
``delivered`` / ``pending`` (retry) / ``failed``. Claims and queueing are compare-and-set UPDATEs,
so several processes (SQLite or PostgreSQL) never queue an event twice for one webhook, and one
sender at a time holds a delivery (another takes it over only when the lease has run out).

Example:
    >>> import tempfile, os
    >>> from sqlalchemy import create_engine
    >>> repo = WebhookRepository(create_engine(f"sqlite:///{tempfile.mkdtemp()}/w.db"), create=True)
    >>> hook = repo.add("https://example.com/h", "sealed", 1.0, 0)
    >>> repo.queue(hook["id"], 0, [1, 2], now=5.0), repo.queue(hook["id"], 0, [1, 2], now=5.0)
    (2, 0)
    >>> row = repo.due(now=5.0, limit=10)[0]
    >>> claimed = repo.claim(row, now=5.0, lease=60.0)
    >>> claimed["status"], claimed["attempts"], repo.claim(row, now=5.0, lease=60.0)
    ('sending', 1, None)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Engine

from a2i_kit.service.store.schema import webhook_deliveries, webhooks

STATUSES = ("pending", "sending", "delivered", "failed")


class WebhookRepository:
    """Webhooks and their deliveries; each call is one short transaction."""

    def __init__(self, engine: Engine, *, create: bool = False) -> None:
        self.engine = engine
        if create:
            webhooks.create(engine, checkfirst=True)
            webhook_deliveries.create(engine, checkfirst=True)

    @classmethod
    def of(cls, store: Any) -> WebhookRepository:
        """The repository over a store's engine."""
        return cls(store.engine)

    # -- webhooks ---------------------------------------------------------------------------------
    def add(self, url: str, secret_sealed: str, created: float, last_seq: int) -> dict[str, Any]:
        """Register a webhook that gets the events after ``last_seq``; returns its row."""
        with self.engine.begin() as conn:
            result = conn.execute(insert(webhooks).values(url=url, secret_sealed=secret_sealed, created=created,
                                                          last_seq=last_seq))
            key = result.inserted_primary_key
            if key is None:
                raise RuntimeError("the database returned no id for the new webhook")
            webhook_id = int(key[0])
        return {"id": webhook_id, "url": url, "secret_sealed": secret_sealed, "created": created,
                "last_seq": last_seq}

    def all(self) -> list[dict[str, Any]]:
        with self.engine.begin() as conn:  # commits: a rollback would drop psycopg's prepared statements
            return [dict(row) for row in conn.execute(select(webhooks).order_by(webhooks.c.id)).mappings()]

    def get(self, webhook_id: int) -> dict[str, Any] | None:
        with self.engine.begin() as conn:  # commits: a rollback would drop psycopg's prepared statements
            row = conn.execute(select(webhooks).where(webhooks.c.id == webhook_id)).mappings().first()
        return None if row is None else dict(row)

    def remove(self, webhook_id: int) -> bool:
        """Delete a webhook and its deliveries; False when there is none."""
        with self.engine.begin() as conn:
            conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.webhook_id == webhook_id))
            return conn.execute(delete(webhooks).where(webhooks.c.id == webhook_id)).rowcount > 0

    # -- deliveries -------------------------------------------------------------------------------
    def queue(self, webhook_id: int, seen_seq: int, seqs: list[int], now: float) -> int:
        """Queue ``seqs`` and move ``last_seq`` past them, if it is still ``seen_seq``; returns how many."""
        if not seqs:
            return 0
        with self.engine.begin() as conn:
            moved = conn.execute(update(webhooks).where(webhooks.c.id == webhook_id,
                                                        webhooks.c.last_seq == seen_seq)
                                 .values(last_seq=max(seqs))).rowcount
            if moved != 1:
                return 0  # another process queued them, or the webhook was removed
            conn.execute(insert(webhook_deliveries), [
                {"webhook_id": webhook_id, "event_seq": seq, "status": "pending", "attempts": 0,
                 "next_attempt": now} for seq in seqs])
        return len(seqs)

    def due(self, now: float, limit: int) -> list[dict[str, Any]]:
        """Deliveries to send now: pending and due, or sending with a lease that ran out."""
        table = webhook_deliveries
        query = (select(table).where(or_(table.c.status == "pending", table.c.status == "sending"),
                                     table.c.next_attempt <= now)
                 .order_by(table.c.next_attempt, table.c.id).limit(limit))
        with self.engine.begin() as conn:  # commits: a rollback would drop psycopg's prepared statements
            return [dict(row) for row in conn.execute(query).mappings()]

    def claim(self, row: dict[str, Any], now: float, lease: float) -> dict[str, Any] | None:
        """Take ``row`` for sending if nobody changed it since it was read; the claimed row or None."""
        table = webhook_deliveries
        values = {"status": "sending", "attempts": row["attempts"] + 1, "next_attempt": now + lease}
        with self.engine.begin() as conn:
            taken = conn.execute(update(table).where(and_(
                table.c.id == row["id"], table.c.status == row["status"], table.c.attempts == row["attempts"],
                table.c.next_attempt == row["next_attempt"])).values(**values)).rowcount
        return {**row, **values} if taken == 1 else None

    def finish(self, claimed: dict[str, Any], status: str, *, last_status: int | None, last_error: str | None,
               delivered_at: float | None = None, next_attempt: float | None = None) -> bool:
        """Record the outcome of a claimed send (ignored if the claim was taken over meanwhile)."""
        table = webhook_deliveries
        values: dict[str, Any] = {"status": status, "last_status": last_status, "last_error": last_error,
                                  "delivered_at": delivered_at}
        if next_attempt is not None:
            values["next_attempt"] = next_attempt
        with self.engine.begin() as conn:
            return conn.execute(update(table).where(table.c.id == claimed["id"], table.c.status == "sending",
                                                    table.c.attempts == claimed["attempts"])
                                .values(**values)).rowcount == 1

    def counts(self, webhook_id: int) -> dict[str, int]:
        """Deliveries of a webhook by status (every status listed, 0 when none)."""
        table = webhook_deliveries
        query = select(table.c.status, func.count()).where(table.c.webhook_id == webhook_id).group_by(table.c.status)
        with self.engine.begin() as conn:  # commits: a rollback would drop psycopg's prepared statements
            found = {status: int(n) for status, n in conn.execute(query)}
        return {status: found.get(status, 0) for status in STATUSES}

    def log(self, webhook_id: int, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` deliveries of a webhook, newest event first."""
        table = webhook_deliveries
        query = (select(table).where(table.c.webhook_id == webhook_id)
                 .order_by(table.c.event_seq.desc()).limit(limit))
        with self.engine.begin() as conn:  # commits: a rollback would drop psycopg's prepared statements
            return [dict(row) for row in conn.execute(query).mappings()]
