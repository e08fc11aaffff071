"""Where an SQLite file may live, and one running instance per database file.

An SQLite file on a network share or in a folder that a sync client copies around gets
corrupted sooner or later (file locks do not work across SMB/NFS, sync clients copy half
written files). Such a location is refused with a message pointing to PostgreSQL. A second
program instance on the same file is refused through a lock file ``<db>.lock`` that holds the
PID, host and user and is kept locked with an OS lock (msvcrt on Windows, fcntl elsewhere).
"""
from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import sys
from pathlib import Path

from app.core.errors import UserError

POSTGRES_HINT = ("多台电脑共用数据时，请使用 PostgreSQL 数据库服务器（启动参数 --database postgresql://用户@服务器/数据库），"
                 "或把数据目录放在本机硬盘上。")

# Folder names of sync clients, matched against every part of the path (case-insensitive).
MOUNT_FIELDS = 3  # device, mount point, file-system type: the fields of a /proc/mounts line read here
SYNC_MARKERS = (
    "onedrive", "dropbox", "google drive", "googledrive", "我的云端硬盘", "icloud", "icloud drive", "icloudrive",
    "坚果云", "nutstore", "jianguoyun", "百度网盘", "baidunetdisk", "baiduyun", "阿里云盘", "aliyundrive",
    "alipan", "腾讯微云", "weiyun", "box sync", "sync.com", "mega", "megasync", "nextcloud", "owncloud",
    "seafile", "syncthing", "坚果云同步", "wps云文档", "wpsdrive",
)
NETWORK_FS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "afs", "9p", "fuse.sshfs", "davfs", "fuse.davfs2",
              "glusterfs", "ceph", "fuse.rclone", "fuse.gvfsd-fuse", "lustre"}


class LocationRefused(UserError):
    pass


class InstanceRunning(UserError):
    pass


def _unc(path: str) -> bool:
    return path.startswith("\\\\") or path.startswith("//")


def _windows_drive_is_remote(path: str) -> bool:
    if sys.platform != "win32":
        return False
    import ctypes
    drive = os.path.splitdrive(os.path.abspath(path))[0]
    if not drive:
        return False
    DRIVE_REMOTE = 4
    return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE


def mount_fstype(path: str, mounts_text: str | None = None) -> str:
    """The file-system type of the mount holding *path*, from /proc/mounts ('' if unknown)."""
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    best, fstype = "", ""
    target = os.path.abspath(path)
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < MOUNT_FIELDS:
            continue
        mnt = parts[1].replace("\\040", " ")
        if (target == mnt or target.startswith(mnt.rstrip("/") + "/") or mnt == "/") and len(mnt) >= len(best):
            best, fstype = mnt, parts[2]
    return fstype


def location_problem(path, mounts_text: str | None = None) -> str:
    """A Chinese explanation why an SQLite file may not live at *path*, or '' when it may."""
    p = str(path)
    if _unc(p):
        return f"数据库文件位于网络共享路径（{p}）。" + POSTGRES_HINT
    if _windows_drive_is_remote(p):
        return f"数据库文件位于网络映射驱动器（{os.path.splitdrive(os.path.abspath(p))[0]}）。" + POSTGRES_HINT
    if sys.platform.startswith("linux") or mounts_text is not None:
        fs = mount_fstype(p, mounts_text)
        if fs.lower() in NETWORK_FS or fs.lower().startswith("fuse.sshfs"):
            return f"数据库文件位于网络文件系统（{fs}）上。" + POSTGRES_HINT
    lowered = [part.lower() for part in Path(os.path.abspath(p)).parts]
    for part in lowered:
        for marker in SYNC_MARKERS:
            if part == marker or part.startswith(marker + " ") or part.startswith(marker + "-") \
                    or (not marker.isascii() and marker in part):
                return (f"数据库文件位于同步网盘文件夹（{part}）中，网盘同步会损坏正在使用的数据库。"
                        + POSTGRES_HINT)
    return ""


def check_location(path):
    problem = location_problem(path)
    if problem:
        raise LocationRefused(problem)


# -- single instance ---------------------------------------------------------

def lock_path(db_path) -> Path:
    return Path(str(db_path) + ".lock")


def read_holder(db_path) -> dict | None:
    """The PID/host/user written by the instance holding the database, if any."""
    try:
        text = lock_path(db_path).read_text(encoding="utf-8")
        return json.loads(text) if text.strip() else None
    except (OSError, ValueError):
        return None


def describe_holder(info: dict | None) -> str:
    if not info:
        return "另一个程序"
    return (f"{info.get('user', '?')} 在电脑 {info.get('host', '?')} 上"
            f"（进程号 {info.get('pid', '?')}，自 {info.get('since', '?')} 起）")


class InstanceLock:
    """Hold ``<db>.lock`` with an OS lock while the program runs. ``acquire`` raises
    InstanceRunning (naming the holder) when another live process holds it."""

    def __init__(self, db_path):
        self.db_path = Path(db_path)
        self.path = lock_path(db_path)
        self._fh = None

    def acquire(self):
        import datetime as dt
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115 -- held open while the program runs: it carries the lock
        try:
            self._os_lock(fh)
        except OSError:
            fh.close()
            raise InstanceRunning(f"该数据库已被 {describe_holder(read_holder(self.db_path))} 打开。"
                                  "同一数据库只能由一个程序使用，请先关闭另一个程序。") from None
        info = {"pid": os.getpid(), "host": socket.gethostname(), "user": _user(),
                "since": dt.datetime.now().strftime("%Y-%m-%d %H:%M")}
        data = json.dumps(info, ensure_ascii=False).encode("utf-8")
        fh.seek(0)
        fh.truncate()
        fh.write(data)
        fh.flush()
        self._fh = fh
        return self

    def release(self):
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            self._os_unlock(fh)
        finally:
            fh.close()

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()

    @staticmethod
    def _os_lock(fh):
        if sys.platform == "win32":
            import msvcrt
            fh.seek(_WIN_LOCK_OFFSET)   # beyond the text, so other processes can still read who holds it
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    @staticmethod
    def _os_unlock(fh):
        if sys.platform == "win32":
            import msvcrt
            fh.seek(_WIN_LOCK_OFFSET)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


_WIN_LOCK_OFFSET = 1 << 20


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return os.environ.get("USERNAME") or os.environ.get("USER") or "?"


def is_held(db_path) -> bool:
    """True when another live process holds the instance lock of *db_path*."""
    p = lock_path(db_path)
    if not p.exists():
        return False
    try:
        lock = InstanceLock(db_path)
        with open(p, "a+b") as fh:
            try:
                lock._os_lock(fh)
            except OSError:
                return True
            lock._os_unlock(fh)
        return False
    except OSError:
        return False


# -- the site lock: shared while a process uses the database, exclusive while restoring ------------

RESTORE_WAIT_SECONDS = 30.0   # a process that starts during a restore waits this long for it to finish
RESTORE_START_WAIT_SECONDS = 3.0   # a restore waits this long for other processes to let go


class RestoreInProgress(UserError):
    pass


class SiteInUse(UserError):
    pass


def site_lock_path(db_path) -> Path:
    return Path(str(db_path) + ".site-lock")


_site_locks: dict[str, list] = {}   # resolved db path -> [open file, holders in this process, exclusive depth]


def _flock(fh, exclusive: bool) -> bool:
    """Try to take (or convert to) a shared or exclusive lock without waiting."""
    if sys.platform == "win32":
        return _win_lock(fh, exclusive)
    import fcntl
    try:
        fcntl.flock(fh.fileno(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _funlock(fh):
    if sys.platform == "win32":
        _win_unlock(fh)
        return
    import fcntl
    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _win_overlapped():
    import ctypes
    from ctypes import wintypes

    class Overlapped(ctypes.Structure):
        _fields_ = [("Internal", ctypes.c_void_p), ("InternalHigh", ctypes.c_void_p),
                    ("Offset", wintypes.DWORD), ("OffsetHigh", wintypes.DWORD), ("hEvent", wintypes.HANDLE)]
    return Overlapped()


def _win_lock(fh, exclusive: bool) -> bool:   # LockFileEx: Windows' shared and exclusive locks
    import ctypes
    import msvcrt
    handle = msvcrt.get_osfhandle(fh.fileno())
    _win_unlock(fh)   # Windows does not convert a lock in place
    flags = 0x1 | (0x2 if exclusive else 0)   # LOCKFILE_FAIL_IMMEDIATELY | LOCKFILE_EXCLUSIVE_LOCK
    ov = _win_overlapped()
    if ctypes.windll.kernel32.LockFileEx(handle, flags, 0, 1, 0, ctypes.byref(ov)):
        return True
    if not exclusive:
        return False
    ov = _win_overlapped()   # give the shared lock back if the exclusive one could not be had
    ctypes.windll.kernel32.LockFileEx(handle, 0x1, 0, 1, 0, ctypes.byref(ov))
    return False


def _win_unlock(fh):
    import ctypes
    import msvcrt
    ov = _win_overlapped()
    ctypes.windll.kernel32.UnlockFileEx(msvcrt.get_osfhandle(fh.fileno()), 0, 1, 0, ctypes.byref(ov))


def _wait_for(fh, exclusive: bool, seconds: float) -> bool:
    import time
    deadline = time.monotonic() + seconds
    while not _flock(fh, exclusive):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


class SiteHold:
    """This process uses the database at *db_path*: a shared lock on ``<db>.site-lock`` that a
    restore (which takes it exclusively) waits for. One lock per file per process, counted;
    released when the last holder is released or garbage-collected."""

    def __init__(self, db_path, wait: float | None = None):
        self.key = str(Path(db_path).resolve())
        entry = _site_locks.get(self.key)
        if entry is None:
            path = site_lock_path(db_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(path, "a+b")  # noqa: SIM115 -- held open while the database is in use
            if not _wait_for(fh, False, RESTORE_WAIT_SECONDS if wait is None else wait):
                fh.close()
                raise RestoreInProgress("正在从备份恢复数据库，请等恢复完成后再试（本次没有读写任何数据）。")
            entry = _site_locks[self.key] = [fh, 0, 0]
        entry[1] += 1
        self._held = True

    def release(self):
        if not getattr(self, "_held", False):
            return
        self._held = False
        entry = _site_locks.get(self.key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0 and not entry[2]:
            del _site_locks[self.key]
            try:
                _funlock(entry[0])
            finally:
                entry[0].close()

    def __del__(self):
        with contextlib.suppress(Exception):
            self.release()


class exclusive_site:
    """``with exclusive_site(db_path):`` no other process uses the database (restore). A shared
    lock this process holds is converted and given back as shared afterwards."""

    def __init__(self, db_path, wait: float = RESTORE_START_WAIT_SECONDS):
        self.db_path, self.wait = db_path, wait
        self.key = str(Path(db_path).resolve())

    def __enter__(self):
        entry = _site_locks.get(self.key)
        if entry is not None and entry[2]:   # this process holds it already (a restore recovering first)
            entry[2] += 1
            return self
        if entry is None:
            path = site_lock_path(self.db_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            entry = _site_locks[self.key] = [open(path, "a+b"), 0, 0]  # noqa: SIM115
        if not _wait_for(entry[0], True, self.wait):
            if entry[1] > 0:
                _flock(entry[0], False)
            else:
                del _site_locks[self.key]
                _funlock(entry[0])
                entry[0].close()
            raise SiteInUse("数据库正被另一个程序使用（例如正在运行的命令行任务），恢复会让它写入被移走的文件。"
                            "请等它完成或关闭后再恢复，当前数据库没有任何改动。")
        entry[2] = 1
        return self

    def __exit__(self, *exc):
        entry = _site_locks[self.key]
        entry[2] -= 1
        if entry[2] > 0:
            return
        if entry[1] > 0:
            _flock(entry[0], False)
        else:
            del _site_locks[self.key]
            _funlock(entry[0])
            entry[0].close()
