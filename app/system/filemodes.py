"""Files readable by the user only (POSIX): the process creates files 0600 and folders 0700 (umask
077: the database, its WAL and shared-memory files, backups, logs, exports and attachments), and the
files an older version left in the data folder with wider modes are narrowed at start. On Windows the
user's profile folders are already private to the user; nothing is changed there."""
from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
OWNER_BITS = 0o700   # group and other bits are taken off
MAX_DEPTH = 3        # data folder / backups / a backup's folder: enough for what the app writes


def private_umask() -> None:
    if os.name == "posix":
        os.umask(PRIVATE_UMASK)


def narrow(data_dir) -> int:
    """Take group and other bits off every file and folder in the data folder; returns how many changed."""
    if os.name != "posix":
        return 0
    root = Path(data_dir)
    changed = 0
    for path, _depth in _walk(root, 0):
        with contextlib.suppress(OSError):
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid():
                continue
            if st.st_mode & 0o077:
                os.chmod(path, stat.S_IMODE(st.st_mode) & OWNER_BITS)
                changed += 1
    return changed


def _walk(folder: Path, depth: int):
    yield folder, depth
    if depth >= MAX_DEPTH:
        return
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            p = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(p, depth + 1)
            else:
                yield p, depth + 1
