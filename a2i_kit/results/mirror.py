"""Find output.json files in a local mirror folder (``s3://b/k`` ↔ ``<mirror_dir>/b/k``).

Example:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> f = root / "b" / "out" / "fd" / "2024/05/02/09/14/03" / "l-1" / "output.json"
    >>> f.parent.mkdir(parents=True); _ = f.write_text("{}")
    >>> src = MirrorSource(root)
    >>> [e.uri for e in src.new_entries()]
    ['s3://b/out/fd/2024/05/02/09/14/03/l-1/output.json']
    >>> src.new_entries(known={'s3://b/out/fd/2024/05/02/09/14/03/l-1/output.json'})
    []
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from a2i_kit.errors import InputError
from a2i_kit.results.keys import split_s3_uri


class Entry(NamedTuple):
    """One object to parse: its URI and either a local path or its bytes."""

    uri: str
    path: str | None
    data: bytes | None
    size: int | None


def _date_run(name: str, run: int) -> int:
    """Length of the YYYY/MM/DD/hh/mm/ss run of folders ending with ``name`` (0 if it breaks)."""
    if name.isdigit() and len(name) == (4 if run == 0 else 2):
        return run + 1
    return 1 if name.isdigit() and len(name) == 4 else 0


def _walk(top: str, out: list[str], run: int = 0) -> None:
    # Below a seconds folder (run == 6) every folder is a loop folder holding output.json: skip
    # listing it (half of all folders); a missing file is simply retried on the next sync.
    with os.scandir(top) as it:
        for entry in it:
            if run == 6:
                if entry.is_dir(follow_symlinks=False):
                    out.append(entry.path + os.sep + "output.json")
            elif entry.is_dir(follow_symlinks=False):
                _walk(entry.path, out, _date_run(entry.name, run))
            elif entry.name == "output.json":
                out.append(entry.path)


class MirrorSource:
    """Output files under ``mirror_dir`` (optionally only under ``s3_uri``); new ones per call."""

    def __init__(self, mirror_dir: str | Path, s3_uri: str | None = None) -> None:
        self.mirror_dir = Path(mirror_dir)
        if not self.mirror_dir.is_dir():
            raise InputError(
                f"mirror folder {str(mirror_dir)!r} does not exist: pass the service's "
                "mirror_dir (data_dir/'s3') or a folder laid out as <bucket>/<key>"
            )
        top = self.mirror_dir
        if s3_uri is not None:
            bucket, key = split_s3_uri(s3_uri)
            top = top.joinpath(bucket, *[p for p in key.split("/") if p])
        self.top = top
        self._root = str(self.mirror_dir.resolve()) + os.sep

    def new_entries(self, known: set[str] | frozenset[str] = frozenset()) -> list[Entry]:
        """Entries whose URI is not in ``known`` (A2I writes each output.json once)."""
        found: list[str] = []
        if self.top.is_dir():
            _walk(str(self.top.resolve()), found)
        found.sort()
        root_len = len(self._root)
        entries = []
        for path in found:
            uri = "s3://" + path[root_len:].replace(os.sep, "/")
            if uri not in known:
                entries.append(Entry(uri, path, None, None))
        return entries
