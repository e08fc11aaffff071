"""Is a write waiting for another desk's lock? (ui.common.runner asks it from the GUI thread.)

The worker thread calls :meth:`LockWatch.start` before the write: it notes its own connection (and,
on PostgreSQL, its server process id). The GUI thread then asks :meth:`LockWatch.waiting`:

- SQLite: the worker's connection is not inside its transaction yet (``BEGIN IMMEDIATE`` is waiting
  out busy_timeout, or run_write is pausing between retries) and a probe connection cannot take
  the write lock at once: another process holds it;
- PostgreSQL: the worker's server process waits for a lock (``pg_stat_activity.wait_event_type =
  'Lock'``: a row another desk holds ``FOR UPDATE``, a table it locked, the counter row).
No Qt here.
"""
from __future__ import annotations

import contextlib
import sqlite3


class LockWatch:
    def __init__(self):
        self.connection = None      # the worker's DB-API connection
        self.sqlite_file = None
        self.pg = None              # (peewee database, backend pid)

    def start(self, ctx) -> None:
        """On the worker thread, before the write. Never fails the write."""
        with contextlib.suppress(Exception):
            from models.db import sqlite_path
            db = ctx.db
            self.connection = db.connection()
            path = sqlite_path(getattr(ctx, "url", "") or "")
            if path is not None:
                self.sqlite_file = str(path)
            else:
                pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
                self.pg = (db, pid)

    def waiting(self) -> bool:
        """On the GUI thread: True while the write waits for a lock another desk holds."""
        try:
            if self.sqlite_file is not None:
                return not self.connection.in_transaction and sqlite_write_locked(self.sqlite_file)
            if self.pg is not None:
                return pg_waiting(*self.pg)
        except Exception:  # noqa: BLE001 - a failed look never disturbs the write
            return False
        return False


def sqlite_write_locked(path: str) -> bool:
    """True when another connection holds the SQLite file's write lock right now."""
    con = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    finally:
        con.close()


def pg_waiting(db, pid: int) -> bool:
    """True when the PostgreSQL server process *pid* waits for a lock another session holds."""
    import psycopg2
    con = psycopg2.connect(database=db.database, **db.connect_params)
    try:
        with con.cursor() as cur:
            cur.execute("SELECT wait_event_type, state FROM pg_stat_activity WHERE pid = %s", (pid,))
            row = cur.fetchone()
    finally:
        con.close()
    return bool(row) and row[0] == "Lock"
