"""Creating credtrail's files: private (0600) and never through a symbolic link.

A store, a checkpoint, a key or an evidence bundle holds personal or secret data, so
each file is created with mode 0600 (folders 0700) whatever the umask — unless
``CREDTRAIL_FILE_MODE=umask`` asks for the umask's usual 0666/0777 instead. A path
that is a symbolic link is refused, and an existing file is only replaced with
``force=True``: nobody can point credtrail's output at ``~/.ssh/authorized_keys``.
"""

from __future__ import annotations

import os
from pathlib import Path

from credtrail.core.errors import CredtrailError

MODE_ENV = "CREDTRAIL_FILE_MODE"


class UnsafePathError(CredtrailError):
    """Raised when an output path is a symbolic link, or exists and ``--force`` was not given."""


def _mode(private: int, shared: int) -> int:
    return shared if os.environ.get(MODE_ENV, "").strip().lower() == "umask" else private


def check_target(path: Path, *, force: bool, what: str) -> None:
    """Refuse a symlink always, and an existing file unless ``force``."""
    if path.is_symlink():
        raise UnsafePathError(f"{what} {path} is a symbolic link; give the real path")
    if path.exists() and not force:
        raise UnsafePathError(f"{what} {path} exists; pass --force to replace it")


def create_private(path: Path, data: bytes, *, force: bool = False, what: str = "file") -> None:
    """Write ``data`` to a new file at ``path`` (0600), refusing symlinks and overwrites."""
    check_target(path, force=force, what=what)
    if force and path.exists():
        if path.is_dir():
            raise UnsafePathError(f"{what} {path} is a folder")
        path.unlink()
    try:
        fd = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, _mode(0o600, 0o666)
        )
    except FileExistsError:
        raise UnsafePathError(f"{what} {path} appeared meanwhile; run it again") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def create_private_text(path: Path, text: str, *, force: bool = False, what: str = "file") -> None:
    create_private(path, text.encode(), force=force, what=what)


def make_private_dir(path: Path, *, what: str = "folder") -> None:
    """Create ``path`` (0700) with its parents; an existing folder is kept, a symlink refused."""
    if path.is_symlink():
        raise UnsafePathError(f"{what} {path} is a symbolic link; give the real path")
    path.mkdir(mode=_mode(0o700, 0o777), parents=True, exist_ok=True)


def touch_private(path: Path) -> None:
    """Create an empty file (0600) for a library that will open it (a new SQLite store)."""
    create_private(path, b"", what="store")
