"""``propertydesk check`` and the start-up check of the database file.

``database_checks(ctx, heads)`` runs SQLite's integrity_check and foreign_key_check, verifies the
keyed audit chain and compares it with its checkpoints (backups, daily reports:
app/system/checkpoints.py); ``app.office.checks.run_checks(ctx)`` adds the areas' own checks (the
ledger's) to them. ``preflight(data_dir, url)`` runs before the
database is opened for use: it refuses a network share or sync folder and a file that fails
``quick_check`` — such a file is opened read-only for the check and never changed.

The start need not wait for the whole file (issue 20): ``preflight(..., full=False)`` checks at once
only what a crash or a cut-short copy damages (``head_check``: the header against the file's size,
the schema, the last row of every table — the pages written last) and leaves the whole-file check
due (``full_check_due``); the window runs ``run_due_check`` in the background after it shows, and a
failure there makes the next start check the whole file first (``CHECK_FAILED_FILE``).
``keep_mark=True`` (the command line) reads the clean-close mark without using it up, and
``mark_clean_close`` after the command's clean close renews it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import UserError
from app.system.backup_copy import SQLITE_HEADER, head_check  # noqa: F401 - head_check: the start's check


class DatabaseDamaged(UserError):
    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


class DatabaseMissing(DatabaseDamaged):
    """The data folder had a database, and the file is gone, empty or another site's."""


class DatabaseInUse(UserError):
    """Another program holds the database file locked (not damage: closing that program helps)."""


LISTED_BACKUPS = 10


def backups_offer(data_dir) -> str:
    """The backups of the data folder, newest first, with their dates, and how to restore one."""
    from app.system.backup import REASONS, list_backups
    backups = list_backups(Path(data_dir) / "backups")
    if not backups:
        return "备份目录中没有备份；如有其他位置（如U盘）的备份，请运行 propertydesk restore 备份文件 恢复。"
    lines = [f"  {when:%Y-%m-%d %H:%M:%S}（{REASONS.get(reason, reason or '备份')}）{path}"
             for when, reason, path in backups[:LISTED_BACKUPS]]
    more = f"\n  … 另有 {len(backups) - LISTED_BACKUPS} 份" if len(backups) > LISTED_BACKUPS else ""
    return ("可用的备份（最新的在前）：\n" + "\n".join(lines) + more +
            "\n请在恢复对话框中选择备份，或运行 propertydesk restore 备份文件 恢复。")


def _folder_had_database(data_dir) -> bool:
    from app.system.backup import list_backups
    from app.system.sitemark import read_site_marker
    replaced = Path(data_dir) / "replaced"
    return (read_site_marker(data_dir) is not None or bool(list_backups(Path(data_dir) / "backups"))
            or (replaced.is_dir() and any(replaced.iterdir())))


def _probe(path: Path) -> tuple[bool, str, set | None]:
    """One short connection: (locked by another program?, the site id, the table names or None when
    unreadable). Read-write, so that closing it leaves no -wal/-shm behind (a read-only one would)."""
    import sqlite3

    from app.system.sitemark import META_KEY
    try:
        con = sqlite3.connect(str(path), timeout=1.0)
    except sqlite3.Error:
        return False, "", None
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        row = con.execute("SELECT value FROM meta WHERE key=?", (META_KEY,)).fetchone() if "meta" in names else None
        return False, row[0] if row else "", names
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        return "locked" in text or "busy" in text, "", None
    except sqlite3.Error:
        return False, "", None
    finally:
        con.close()


def in_use_message(path: Path) -> str:
    from app.system.dbguard import holder_text
    return (f"数据库正被其他程序占用（{holder_text(path)}）：文件 {path} 被锁定，无法读取。"
            "这不是数据损坏，请关闭正在使用该文件的程序（例如数据库查看工具）后再试，不要从备份恢复。")


def in_use_problem(path: Path) -> str:
    """'' unless another program holds *path* locked (``PRAGMA locking_mode=EXCLUSIVE``, an open
    write transaction): then a Chinese message that says so and what to do."""
    return in_use_message(path) if _probe(path)[0] else ""


_verified: dict[str, tuple] = {}   # file -> (size, mtime, site id) just verified: preflight, then open_context


def verify_site_file(data_dir, path: Path) -> None:
    """Refuse a missing, empty or foreign database file in a data folder that had a database,
    offering the backups; a folder that never had one may start a new site. A folder made by another
    site's installation is refused first (app.system.sitemark.check_site_code)."""
    from app.system.sitemark import check_site_code, read_site_marker
    check_site_code(data_dir)
    path = Path(path)
    size = path.stat().st_size if path.exists() else 0
    if size == 0:
        if _folder_had_database(data_dir):
            what = "不存在" if not path.exists() else "是空文件（0 字节）"
            raise DatabaseMissing(f"数据库文件 {path} {what}，但这个数据目录原来有数据库。程序不会新建空站点。"
                                  + backups_offer(data_dir), path)
        return
    with open(path, "rb") as fh:
        header = fh.read(16)
    if header != SQLITE_HEADER:
        raise DatabaseMissing(f"数据库文件 {path} 不是 SQLite 数据库（可能被其他文件覆盖或已损坏）。"
                              "程序不会修改或删除这个文件。" + backups_offer(data_dir), path)
    state = (path.stat().st_size, path.stat().st_mtime_ns, (read_site_marker(data_dir) or {}).get("site_id"))
    if _verified.pop(str(path), None) == state:   # verified a moment ago (preflight), unchanged
        return
    locked, found, names = _probe(path)
    if locked:
        raise DatabaseInUse(in_use_message(path))
    marker = read_site_marker(data_dir)
    if marker and found and found != marker["site_id"]:
        raise DatabaseMissing(f"数据库文件 {path} 不是这个数据目录原来的数据库（站点编号 {found[:8]}…，"
                              f"本目录记录的是 {marker['site_id'][:8]}…），可能是从其他电脑或其他站点复制来的。"
                              "程序不会使用或修改这个文件。" + backups_offer(data_dir), path)
    if not found and names and "meta" not in names:   # an SQLite file with no tables at all may become a site
        raise DatabaseMissing(f"数据库文件 {path} 不是 PropertyDesk 数据库（没有版本信息）。"
                              "程序不会使用或修改这个文件。" + backups_offer(data_dir), path)
    _verified[str(path)] = (path.stat().st_size, path.stat().st_mtime_ns, state[2])


LISTED_PROBLEMS = 50  # a check's report names this many problems, then counts the rest
# the checks named by what they check (SQLite's PRAGMA integrity_check and foreign_key_check)
INTEGRITY = "数据库完整性检查"
FOREIGN_KEYS = "外键一致性检查"


@dataclass
class Check:
    name: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    note: str = ""

    def lines(self) -> list[str]:
        head = f"[{'通过' if self.ok else '发现问题'}] {self.name}" + (f"（{self.note}）" if self.note else "")
        more = len(self.problems) - LISTED_PROBLEMS
        return [head] + [f"    - {p}" for p in self.problems[:LISTED_PROBLEMS]] + (
            [f"    … 另有 {more} 条"] if more > 0 else [])


def start_file_checks(ctx):
    """Start SQLite's integrity_check and foreign_key_check of the site's file; returns a function that
    waits for them and gives their two Checks. On a file they run in a thread on a read-only
    connection of their own, beside the checks that follow (SQLite works without Python's lock, so
    ``check`` takes about the longer of the two instead of their sum)."""
    import sqlite3
    import threading

    from models.db import is_sqlite
    if not is_sqlite(ctx.db):
        done = [Check(INTEGRITY, True, note="PostgreSQL 由服务器保证，未检查文件"),
                Check(FOREIGN_KEYS, True, note="PostgreSQL 由服务器强制外键")]
        return lambda: done
    path = str(ctx.db.database)
    if path == ":memory:" or path.startswith("file:"):
        done = _file_checks(ctx.db.execute_sql)
        return lambda: done
    out: dict = {}

    def work():
        try:
            con = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True, timeout=30)
            try:
                out["checks"] = _file_checks(con.execute)
            finally:
                con.close()
        except Exception as exc:  # a check that cannot run is itself a finding
            out["checks"] = [Check(INTEGRITY, False, [f"无法检查：{type(exc).__name__}: {exc}"]),
                             Check(FOREIGN_KEYS, False, ["未检查"])]

    thread = threading.Thread(target=work, name="integrity-check", daemon=True)
    thread.start()

    def wait() -> list[Check]:
        thread.join()
        return out["checks"]
    return wait


def _file_checks(execute) -> list[Check]:
    rows = [r[0] for r in execute("PRAGMA integrity_check").fetchall()]
    integ = Check(INTEGRITY, rows == ["ok"], [] if rows == ["ok"] else rows)
    fk = execute("PRAGMA foreign_key_check").fetchall()
    fk_problems = [f"表 {t} 第 {rowid} 行引用的 {parent} 记录不存在" for t, rowid, parent, _i in fk]
    return [integ, Check(FOREIGN_KEYS, not fk_problems, fk_problems)]


def _audit_checks(ctx, heads=()) -> list[Check]:
    """The keyed audit chain, and its checkpoints outside the database (app/system/checkpoints.py)."""
    from app.system.checkpoints import checkpoint_checks
    return [Check(name, not problems, problems, note=note) for name, problems, note in checkpoint_checks(ctx, heads)]


def _site_check(ctx) -> Check:
    from app.system.sitemark import META_KEY, read_site_marker
    from models.db import is_sqlite
    from models.system import Meta
    if not is_sqlite(ctx.db):
        return Check(SITE_CHECK, True, note="PostgreSQL 数据库不在数据目录中")
    marker = read_site_marker(ctx.data_dir)
    row = Meta.get_or_none(Meta.key == META_KEY)
    problems = []
    if marker is None:
        problems.append(f"数据目录 {ctx.data_dir} 中没有站点标记文件 site.json")
    if row is None:
        problems.append("数据库中没有站点编号")
    elif marker and marker["site_id"] != row.value:
        problems.append(f"数据库的站点编号 {row.value[:8]}… 与数据目录记录的 {marker['site_id'][:8]}… 不一致")
    return Check(SITE_CHECK, not problems, problems)


SITE_CHECK = "数据目录与数据库对应"


def database_checks(ctx, heads=(), more=()) -> list[Check]:
    """The database file's own checks, the data folder's site marker, the audit chain and its
    checkpoints (the backups' heads, and *heads* typed from daily reports), then *more* (functions of
    ctx giving a Check: the areas' checks, app.office.checks), run while the file's checks run."""
    wait = start_file_checks(ctx)
    rest = [_site_check(ctx), *_audit_checks(ctx, heads), *(check(ctx) for check in more)]
    return [*wait(), *rest]


CLEAN_CLOSE_FILE = "clean-close.json"
_checked_on: dict[str, str] = {}  # database file → ISO date of its last full check, for the next marker


def _file_state(path: Path) -> dict:
    st = path.stat()
    return {"db": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _wal_pending(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def mark_clean_close(data_dir, path: Path | None, checked_today: bool, today) -> bool:
    """After the program closed the database cleanly: remember the file's size and time, and the
    date of its last full check (*checked_today*: the whole file was checked today). The next start skips
    the integrity check while the file is untouched and that check is recent. Returns whether
    the mark was written (not with a pending write-ahead log: another connection is still open)."""
    import json
    if path is None or not path.exists() or _wal_pending(path):
        return False
    checked = today.isoformat() if checked_today else _checked_on.get(str(path.resolve()))
    if checked is None:
        return False
    state = _file_state(path) | {"checked": checked}
    target = Path(data_dir) / CLEAN_CLOSE_FILE
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(target)
    return True


def _clean_close_still_valid(data_dir, path: Path, check_days: int, today, keep: bool = False) -> bool:
    """Read and remove the mark (a crash from now on leaves none): valid when the file is exactly
    as it was closed, no write-ahead log is pending, and the last full check is recent enough.
    *keep*: read it only (a command renews it after its clean close; a crash meanwhile leaves the
    file changed or a log pending, which the old mark does not match)."""
    import datetime as dt
    import json
    mark = Path(data_dir) / CLEAN_CLOSE_FILE
    if not mark.exists():
        return False
    try:
        state = json.loads(mark.read_text(encoding="utf-8"))
        if not keep:
            mark.unlink()
        checked = dt.date.fromisoformat(state.pop("checked"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        mark.unlink(missing_ok=True)
        return False
    if check_days <= 0 or (today - checked).days >= check_days or _wal_pending(path):
        return False
    if state != _file_state(path):
        return False
    _checked_on[str(path.resolve())] = checked.isoformat()
    return True


def preflight(data_dir, url: str | None, check_days: int | None = None, today=None, *, full: bool = True,
              keep_mark: bool = False) -> Path | None:
    """Before opening: refuse a bad location, refuse a damaged file (without touching it).
    Returns the SQLite file path (None for PostgreSQL).

    The quick_check reads the whole file (about 0.45 s at 50,000 homes), so it is skipped when
    the program last closed this very file cleanly (same size and time, no pending log) and the
    file was fully checked within ``backup.startup_check_days`` days (by a start's check or its
    background check); after a crash, a copy from elsewhere or any change outside the program it runs."""
    import datetime as dt

    from app.system.backup import integrity_of
    from app.system.instance import check_location
    from models.db import default_url, sqlite_path
    url = url or default_url(data_dir)
    path = sqlite_path(url)
    if path is None or str(path) == ":memory:":
        return None
    check_location(path)
    from app.system.backup import recover_restore
    recover_restore(path)
    verify_site_file(data_dir, path)
    if path.exists() and path.stat().st_size > 0:
        today = today or dt.date.today()
        if check_days is None:
            from app.core.settings import Settings
            check_days = int(Settings.load(data_dir).get("backup.startup_check_days"))
        failed_before = (Path(data_dir) / CHECK_FAILED_FILE).exists()
        if not failed_before and _clean_close_still_valid(data_dir, path, check_days, today, keep_mark):
            return path
        if not full and not failed_before:
            result = head_check(path)
            if result != "ok":
                _refuse(path, result)
            _due[str(path.resolve())] = today
            return path
        result = integrity_of(path, quick=True)
        if result != "ok":
            _refuse(path, result)
        _checked_on[str(path.resolve())] = today.isoformat()
        (Path(data_dir) / CHECK_FAILED_FILE).unlink(missing_ok=True)
    return path


def _refuse(path: Path, result: str):
    if in_use_problem(path):
        raise DatabaseInUse(in_use_problem(path))
    raise DatabaseDamaged(
        f"数据库文件 {path} 未通过完整性检查（{result}）。程序不会修改或删除这个文件。"
        f"请从备份恢复：在恢复对话框中选择备份，或运行 propertydesk restore 备份文件。", path)


CHECK_FAILED_FILE = "check-failed.json"   # the background check found damage: the next start checks first
_due: dict[str, object] = {}               # database file → the day its whole-file check became due


def full_check_due(path) -> bool:
    """After ``preflight(..., full=False)``: the whole file has not been checked yet."""
    return path is not None and str(Path(path).resolve()) in _due


def run_due_check(data_dir, path: Path) -> str:
    """The whole-file check left due at start (any thread; read-only, the file is never changed):
    'ok' (remembered for the clean-close mark) or the problem, remembered in the data folder so
    that the next start checks the whole file before opening it (and offers the backups)."""
    import json

    from app.system.backup import integrity_of
    key = str(Path(path).resolve())
    result = integrity_of(Path(path), quick=True)
    day = _due.pop(key, None)
    if result == "ok":
        if day is not None:
            _checked_on[key] = day.isoformat()
        return result
    (Path(data_dir) / CHECK_FAILED_FILE).write_text(json.dumps({"db": key, "problem": result}), encoding="utf-8")
    return result
