"""``Results``: ingest A2I outputs (local mirror or S3) into tidy loops / answers frames.

Example:
    >>> res = Results.from_mirror(session.data_dir / "s3", item_key="item_id")  # doctest: +SKIP
    >>> res.sync().answers[["task", "worker", "label"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from a2i_kit.results.frames import answers_frame, loops_frame, problems_frame
from a2i_kit.results.gcpause import gc_paused
from a2i_kit.results.mirror import Entry, MirrorSource
from a2i_kit.results.parse import Parser
from a2i_kit.results.s3source import S3Source

if TYPE_CHECKING:
    from a2i_kit.session import Session

DEFAULT_MAX_OBJECT_BYTES = 10 * 1024 * 1024


class Source(Protocol):
    def new_entries(self, known: set[str]) -> list[Entry]: ...


class Results:
    """Parsed A2I outputs; ``sync()`` reads only what is new since the last call.

    ``item_key`` names the field of ``inputContent`` that holds your item id (dots for nested
    keys); answers then use it as ``task``. ``template`` (the worker task template) or
    ``label_field`` (an element name) chooses the field whose value becomes ``label``.
    """

    def __init__(self, source: Source, *, item_key: str | None = None,
                 template: str | None = None, label_field: str | None = None,
                 max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES) -> None:  # fmt: skip
        if label_field is None and template is not None:
            from a2i_kit.results.shapes import label_field_from_template

            label_field = label_field_from_template(template)
        self.source = source
        self.label_field = label_field
        self.max_object_bytes = max_object_bytes
        self._parser = Parser(item_key=item_key, label_field=label_field)
        self._parsed: set[str] = set()
        self._frames: dict[str, Any] | None = None
        self.last_sync_count = 0
        self.statuses: pd.DataFrame | None = None
        # Set by from_session: lists every loop's status (ListHumanLoops) at each sync.
        self.status_fetcher: Callable[[], pd.DataFrame] | None = None

    @classmethod
    def from_mirror(
        cls, mirror_dir: str | Path, s3_uri: str | None = None, **options: Any
    ) -> Results:
        """Read a local mirror folder (``s3://b/k`` ↔ ``<mirror_dir>/b/k``), optionally one prefix."""
        return cls(MirrorSource(mirror_dir, s3_uri), **options)

    @classmethod
    def from_s3(cls, s3_client: Any, s3_uri: str, *, cache_dir: str | Path | None = None,
                max_workers: int = 32, **options: Any) -> Results:  # fmt: skip
        """Read ``s3_uri`` with a boto3 S3 client; state and cache live in ``cache_dir``."""
        limit = options.get("max_object_bytes", DEFAULT_MAX_OBJECT_BYTES)
        src = S3Source(s3_client, s3_uri, cache_dir=cache_dir, max_workers=max_workers,
                       max_object_bytes=limit)  # fmt: skip
        return cls(src, **options)

    @classmethod
    def from_session(cls, session: Session, flow_definition_name: str, **options: Any) -> Results:
        """Outputs of one flow definition, wherever the session's backend writes them."""
        from a2i_kit.results.session import results_for_session

        return results_for_session(cls, session, flow_definition_name, **options)

    def sync(self) -> Results:
        """Read new outputs; returns ``self`` so ``Results.from_mirror(p).sync().answers`` works."""
        with gc_paused():
            self._sync()
        if self.status_fetcher is not None:
            self.statuses = self.status_fetcher()
        self._frames = None
        return self

    def _sync(self) -> None:
        count = 0
        parsed = self._parsed
        feed = self._parser.feed_bytes
        read = self._read
        for entry in self.source.new_entries(parsed):
            uri = entry.uri
            if uri in parsed:
                self._parser.problem(uri, "changed", "object changed after it was read; the "
                                     "first version is kept", "warning")  # fmt: skip
                continue
            data = entry.data if entry.data is not None else read(entry)
            if data is None:
                continue
            parsed.add(uri)
            feed(uri, data)
            count += 1
        self.last_sync_count = count

    def _read(self, entry: Entry) -> bytes | None:
        limit = self.max_object_bytes
        try:
            fd = os.open(entry.path, os.O_RDONLY)  # type: ignore[arg-type]
        except FileNotFoundError:
            return None  # a loop folder whose output is not written yet: retried next sync
        except OSError as exc:
            self._parser.problem(entry.uri, "read_error", f"cannot read {entry.path}: {exc}")
            return None
        try:
            data = os.read(fd, limit + 1)
        except OSError as exc:
            self._parser.problem(entry.uri, "read_error", f"cannot read {entry.path}: {exc}")
            return None
        finally:
            os.close(fd)
        if len(data) > limit:
            self._parsed.add(entry.uri)
            self._parser.problem(entry.uri, "too_large", f"over max_object_bytes={limit}; raise "
                                 "the limit to read it")  # fmt: skip
            return None
        return data

    def _build(self) -> dict[str, Any]:
        if self._frames is None:
            answers, time_problems = answers_frame(self._parser)
            loops = loops_frame(self._parser)
            if self.statuses is not None:
                from a2i_kit.results.session import merge_statuses

                loops = merge_statuses(loops, self.statuses)
            extra = list(getattr(self.source, "problems", []))
            problems = problems_frame([*self._parser.problems, *extra, *time_problems])
            self._frames = {"loops": loops, "answers": answers,
                            "problems": problems.drop_duplicates(ignore_index=True)}  # fmt: skip
        return self._frames

    @property
    def loops(self) -> pd.DataFrame:
        """One row per loop (see :data:`a2i_kit.results.parse.LOOP_COLUMNS` + ``input.*``)."""
        return self._build()["loops"]

    @property
    def answers(self) -> pd.DataFrame:
        """One row per worker answer: ``task``, ``worker``, ``label``, then ``answer.*`` and more."""
        return self._build()["answers"]

    @property
    def problems(self) -> pd.DataFrame:
        """Objects that could not be read fully: ``uri``, ``kind``, ``severity``, ``message``."""
        return self._build()["problems"]

    def join_predictions(self, predictions: pd.DataFrame, on: str, **kw: Any) -> pd.DataFrame:
        """Answers joined to your predictions by item id (see :func:`join_predictions`)."""
        from a2i_kit.results.join import join_predictions

        return join_predictions(self.answers, predictions, on=on, **kw)

    def __repr__(self) -> str:
        n_ans = self._parser.answers.n
        return f"<Results loops={self._parser.loops.n} answers={n_ans} problems={len(self._parser.problems)}>"
