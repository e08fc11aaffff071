"""Checkpoints of the audit chain kept outside the database, and ``check`` comparing the chain with them.

A checkpoint is ``seq:MAC`` (the MAC shortened to 16 hex digits, app.core.audit_chain.head_text) of
one audit row. They are kept where someone who edits the database does not reach them at once:
- every backup: the backup file's own newest row, and ``<backup>.head`` written beside it;
- the cashier's daily report (收费日报) prints the head; ``propertydesk check --head SEQ:MAC`` types it
  back from the paper.
Deleting the newest audit rows (which leaves a shorter chain that verifies), or re-sealing an edited
log, shows as a checkpoint the chain no longer holds. A backup made before a restore of an older
copy is superseded by it (the chain went on from the older copy): noted, not a finding.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from app.core.audit_chain import KEYED, compare_checkpoints, head_text, parse_head, scan_chain
from app.system.backup_store import HEAD_SUFFIX, list_backups, parse_name


def head_file(backup: Path) -> Path:
    return Path(backup).with_name(Path(backup).name + HEAD_SUFFIX)


def head_in_file(path: Path) -> tuple[int, str, bool] | None:
    """(seq, MAC, keyed?) of the newest audit row in the database file *path*, None when it has none."""
    try:
        con = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        try:
            chain = con.execute("SELECT value FROM meta WHERE key = 'audit.chain'").fetchone()
        except sqlite3.DatabaseError:
            chain = None
        return (int(row[0]), str(row[1]), bool(chain) and chain[0] == KEYED) if row else None
    except sqlite3.DatabaseError:
        return None
    finally:
        con.close()


def write_head_file(backup: Path) -> str:
    """Write ``<backup>.head`` (the backup's newest audit row as seq:MAC16); returns that text ('' when
    the backup holds no keyed audit row)."""
    found = head_in_file(backup)
    if not found or not found[2]:
        return ""
    text = head_text(found[0], found[1])
    target = head_file(backup)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(f"{text}\n审计链头（序号:校验码），propertydesk check 会与数据库核对\n", encoding="utf-8")
    tmp.replace(target)
    return text


def _folders(ctx) -> list[Path]:
    folders = [Path(ctx.backup_dir)]
    second = str(ctx.settings.get("backup.second_folder") or "").strip()
    if second and Path(second).is_dir() and Path(second).resolve() != folders[0].resolve():
        folders.append(Path(second))
    return folders


def backup_checkpoints(ctx) -> tuple[list[tuple[str, int, str, dt.datetime]], list[str]]:
    """(where in words, seq, MAC, when made) of every backup's head and head file; notes on the rest."""
    points, legacy = [], 0
    for folder in _folders(ctx):
        listed = set()
        for when, _reason, path in list_backups(folder):
            listed.add(path.name.removesuffix(".sealed"))   # a sealed old backup keeps its .head beside it
            found = head_in_file(path)
            if found and found[2]:
                points.append((f"备份 {path.name}", found[0], found[1], when))
            elif found:
                legacy += 1
        for side in folder.glob(f"*.db{HEAD_SUFFIX}"):   # beside a backup, or left when it was deleted
            parsed = parse_name(side.name[:-len(HEAD_SUFFIX)])
            if parsed is None:
                continue
            try:
                seq, mac = parse_head(side.read_text(encoding="utf-8").splitlines()[0])
            except (OSError, IndexError, ValueError):
                points.append((f"链头文件 {side.name}", 1, "无法读取", parsed[0]))
                continue
            gone = "" if side.name[:-len(HEAD_SUFFIX)] in listed else "（备份文件已不在）"
            points.append((f"链头文件 {side.name}{gone}", seq, mac, parsed[0]))
    notes = [f"{legacy} 份旧格式备份未核对"] if legacy else []
    return points, notes


def checkpoint_checks(ctx, heads=()) -> list[tuple[str, list[str], str]]:
    """(name, problems, note) of the audit chain's checks: the chain itself, the backups' heads, and
    heads typed from paper (app.system.checks makes them Checks)."""
    papers = [(f"日报链头 {h}", *parse_head(h)) for h in heads]
    points, notes = backup_checkpoints(ctx)
    scan = scan_chain(ctx, want={p[1] for p in points} | {p[1] for p in papers})
    checks = [("审计日志哈希链", scan.problems, f"共 {scan.rows} 条，使用站点密钥校验")]
    restores = _restores(ctx)
    found, superseded = [], 0
    for where, seq, mac, when in points:
        problem = compare_checkpoints(scan, [(where, seq, mac)])
        if problem and any(ts > when for ts in restores):
            superseded += 1
        else:
            found += problem
    if superseded:
        notes.append(f"{superseded} 个恢复前的链头已被恢复取代")
    checks.append(("审计链头与备份核对", found, "；".join([f"核对 {len(points) - superseded} 个链头", *notes])))
    if papers:
        problems = compare_checkpoints(scan, papers)
        checks.append(("审计链头与日报核对", problems, f"核对 {len(papers)} 个链头"))
    return checks


def _restores(ctx) -> list[dt.datetime]:
    """When the database was restored from a backup (its audit rows)."""
    from models.users import AuditLog
    out = []
    for (ts,) in AuditLog.select(AuditLog.ts).where(AuditLog.action == "backup.restore").tuples():
        out.append(ts if isinstance(ts, dt.datetime) else dt.datetime.fromisoformat(str(ts)))
    return out
