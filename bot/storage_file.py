"""Whether the database path still names the files this process has open.

On POSIX a SQLite file that is deleted or renamed while open goes on working for the process
that has it open: in WAL mode every write still succeeds (checked with SQLite 3.40), into an
inode nobody else can reach, and all of it is gone when the connection closes. Other processes
(`helpdesk db backup`, `doctor`) meanwhile see a different file or none. Nothing fails, so the
only way to notice is to compare what the path names now with what was opened: the
(device, inode) of the database file and of its -wal and -shm files.
"""

from __future__ import annotations

import os

SUFFIXES = ("", "-wal", "-shm")

FileId = tuple[int, int] | None
"""(st_dev, st_ino) of one file, or None when there is no file at that name."""
Identity = tuple[FileId, ...]
"""One FileId per name in SUFFIXES."""


def identity(path: str) -> Identity:
    """What `path` and its -wal and -shm files are right now (blocking: a few stat calls)."""
    return tuple(_file_id(path + suffix) for suffix in SUFFIXES)


def changes(path: str, opened: Identity, now: Identity) -> str:
    """E.g. 'x.sqlite3 deleted, x.sqlite3-wal replaced'; '' when nothing differs."""
    name = os.path.basename(path)
    return ", ".join(
        f"{name}{suffix} {_change(before, after)}"
        for suffix, before, after in zip(SUFFIXES, opened, now, strict=True)
        if before != after
    )


def remove_stale(path: str, opened: Identity) -> None:
    """Delete the old -wal and -shm left at `path` after its database file changed.

    Call after the old connection closed. SQLite skips the closing checkpoint of a database
    whose file has moved and leaves its -wal behind, and the next open would replay those
    pages into whatever file is at the path now. Only the very files that were open are
    removed (same device and inode); a -wal that came with a restored file is left alone.
    """
    for suffix, before in zip(SUFFIXES[1:], opened[1:], strict=True):
        if before is not None and _file_id(path + suffix) == before:
            os.unlink(path + suffix)


def _change(before: FileId, after: FileId) -> str:
    if after is None:
        return "deleted"
    return "created" if before is None else "replaced"


def _file_id(name: str) -> FileId:
    try:
        stat = os.stat(name)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino
