"""Files and folders of the service's data directory, private to the user whatever the umask.

The data directory holds reviewers' answers, worker token digests and the admin token: every
folder in it is created 0700 and every file 0600, and writes that readers must never see half
done go through :func:`write_atomic` (temporary file, fsync, rename).

Example:
    >>> import stat, tempfile
    >>> from pathlib import Path
    >>> root = Path(tempfile.mkdtemp()) / "data"
    >>> target = write_atomic(root / "bucket" / "out.json", b"{}", root=root)
    >>> oct(stat.S_IMODE(target.stat().st_mode)), oct(stat.S_IMODE((root / "bucket").stat().st_mode))
    ('0o600', '0o700')
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
TEMP_PREFIX = ".tmp-"


def private_dir(path: str | Path, *, root: str | Path | None = None) -> Path:
    """Create ``path`` (and missing parents below ``root``, or all missing parents) as 0700.

    Folders that already exist above ``root`` are left as they are (a user's home, /tmp).
    """
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if root is not None and probe == Path(root):
            break
        probe = probe.parent
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(folder, DIR_MODE)  # mkdir's mode is reduced by the umask
    return path


def private_file(path: str | Path) -> Path:
    """Create ``path`` empty if missing; either way leave it 0600 (e.g. before SQLite opens it)."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)
    return path


def write_atomic(path: str | Path, data: bytes, *, root: str | Path | None = None) -> Path:
    """Write ``data`` to ``path`` so readers see the old file or the whole new one, never a part.

    The temporary file starts with :data:`TEMP_PREFIX` in the same folder; one left behind by a
    crash is safe to delete (see :func:`remove_temporaries`).
    """
    path = Path(path)
    private_dir(path.parent, root=root)
    tmp = path.parent / f"{TEMP_PREFIX}{path.name}.{os.getpid()}.{os.urandom(4).hex()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def remove_temporaries(root: str | Path) -> int:
    """Delete temporary files that a crash left under ``root``; returns how many.

    Call it only when no writer of this service can be running (at start).
    """
    removed = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.startswith(TEMP_PREFIX):
                Path(folder, name).unlink(missing_ok=True)
                removed += 1
    return removed
