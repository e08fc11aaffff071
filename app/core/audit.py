"""Audit log: every write records who, when, what, before and after; rows are hash-chained."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from peewee import fn

from app.core.permissions import require
from app.core.sequences import set_counter, take_counter
from models.users import AuditLog


def _json(value) -> str:
    if value is None or value == "":
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


HASHED_FIELDS = ("seq", "ts", "username", "action", "entity", "entity_id", "before", "after", "prev_hash")


def row_hash(*fields) -> str:
    """The chain hash of one row: its HASHED_FIELDS in order (seq, ts, …, prev_hash), joined."""
    if len(fields) != len(HASHED_FIELDS):
        raise TypeError(f"row_hash takes {len(HASHED_FIELDS)} fields, got {len(fields)}")
    payload = "\x1f".join(str(x) for x in fields)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(ctx, action: str, entity: str = "", entity_id="", before=None, after=None) -> AuditLog:
    """Append one audit row (call inside the write's transaction)."""
    user = getattr(ctx, "user", None)
    seq, last = next_seq()
    prev = last.hash if last else ""
    ts = ctx.clock.now() if getattr(ctx, "clock", None) else dt.datetime.now().replace(microsecond=0)
    b, a = _json(before), _json(after)
    username = getattr(user, "username", "") or ""
    h = row_hash(seq, ts.isoformat(sep=" "), username, action, entity, str(entity_id), b, a, prev)
    row = AuditLog.create(ts=ts, user=getattr(user, "id", None), username=username, action=action,
                          entity=entity, entity_id=str(entity_id), before=b, after=a,
                          prev_hash=prev, hash=h, seq=seq)
    _set_head(f"{seq}:{h}")
    return row


AUDIT_COUNTER = "audit_log"


def next_seq():
    """The next audit seq from the database's counter row, and the newest row so far (or None).
    Taking the counter locks it until the transaction ends, so desks append one after another and
    the newest row read after it is the one this row chains to. A counter behind the log (a row
    written without it) is moved past the newest row."""
    start = AuditLog.select(fn.COALESCE(fn.MAX(AuditLog.seq), 0)).scalar() or 0
    seq = take_counter(AUDIT_COUNTER, start)
    last = AuditLog.select(AuditLog.seq, AuditLog.hash).order_by(AuditLog.seq.desc()).first()
    if last is not None and last.seq >= seq:
        seq = last.seq + 1
        set_counter(AUDIT_COUNTER, seq)
    return seq, last


HEAD_KEY = "audit.head"


def _set_head(value: str):
    """The last row's seq and hash, kept beside the log so that deleting the newest rows shows."""
    from models.system import Meta
    if not Meta.update(value=value).where(Meta.key == HEAD_KEY).execute():
        Meta.create(key=HEAD_KEY, value=value)


def verify_chain() -> list[str]:
    """Problems found in the chain (edited, deleted or reordered rows); empty when intact."""
    problems = []
    prev = ""
    expected_seq = 1
    for row in AuditLog.select().order_by(AuditLog.seq):
        if row.seq != expected_seq:
            problems.append(f"审计记录 {expected_seq} 至 {row.seq - 1} 缺失（被删除）")
        ts = row.ts.isoformat(sep=" ") if isinstance(row.ts, dt.datetime) else str(row.ts)
        h = row_hash(row.seq, ts, row.username, row.action, row.entity, row.entity_id, row.before, row.after,
                     row.prev_hash)
        if row.prev_hash != prev:
            problems.append(f"审计记录 {row.seq} 的前序哈希不符（前一条被修改或删除）")
        if h != row.hash:
            problems.append(f"审计记录 {row.seq} 内容被修改")
        prev = row.hash
        expected_seq = row.seq + 1
    from models.system import Meta
    head = Meta.get_or_none(Meta.key == HEAD_KEY)
    if head is not None and head.value != f"{expected_seq - 1}:{prev}":
        last_seq = head.value.split(":", 1)[0]
        if expected_seq - 1 < int(last_seq or 0):
            problems.append(f"审计记录 {expected_seq} 至 {last_seq} 缺失（最新记录被删除）")
        else:
            problems.append("审计日志末尾与记录的链头不符（记录被修改或删除）")
    return problems


def model_dict(instance, exclude=("id_enc", "password_hash")) -> dict:
    """Field values of a model instance for the audit log (secret columns left out; FKs as ids)."""
    return {name: instance.__data__.get(name) for name in instance._meta.fields if name not in exclude}


def save_changes(ctx, row, fields: dict, action: str, entity: str):
    """Write *fields* onto *row* (stamping ``updated_at``) and audit before → after, in one
    transaction: the common tail of an edit that was validated already."""
    before = model_dict(row)
    with ctx.db.atomic():
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = ctx.clock.now()
        row.save()
        record(ctx, action, entity, row.id, before, model_dict(row))
    return row


def list_entries(ctx, text: str = "", limit: int = 500) -> list[AuditLog]:
    """The newest audit rows (manager only), optionally filtered by user, action or entity."""
    require(ctx, "audit.view")
    q = AuditLog.select().order_by(AuditLog.seq.desc()).limit(limit)
    text = (text or "").strip()
    if text:
        like = f"%{text}%"
        q = q.where(AuditLog.username ** like | AuditLog.action ** like | AuditLog.entity ** like
                    | (AuditLog.entity_id == text))
    return list(q)


def find_entries(ctx, text: str = "", limit: int = 500) -> list[AuditLog]:
    """Like list_entries, and the filter also takes the Chinese of an action or an object (收款, 业主)."""
    from app.core.audit_words import codes_matching
    require(ctx, "audit.view")
    q = AuditLog.select().order_by(AuditLog.seq.desc()).limit(limit)
    text = (text or "").strip()
    if text:
        like = f"%{text}%"
        actions, entities = codes_matching(text)
        cond = (AuditLog.username ** like | AuditLog.action ** like | AuditLog.entity ** like
                | (AuditLog.entity_id == text))
        if actions:
            cond |= AuditLog.action.in_(actions)
        if entities:
            cond |= AuditLog.entity.in_(entities)
        from models.users import User
        names = [u for (u,) in User.select(User.username).where(User.display_name ** like).tuples()]
        if names:
            cond |= AuditLog.username.in_(names)
        q = q.where(cond)
    return list(q)


def entry_rows(ctx, text: str = "", limit: int = 500) -> list[dict]:
    """The audit log in words (manager only): per row seq, when, who (the user's name), 操作 in Chinese,
    对象 (its kind in Chinese, its number and room code where the row or one query names it) and the
    changed fields as 字段：修改前 → 修改后 lines."""
    from app.core import audit_words as words
    from models.property import Home
    from models.users import User
    rows = find_entries(ctx, text, limit)
    names = dict(User.select(User.username, User.display_name)
                 .where(User.username.in_({r.username for r in rows if r.username})).tuples()) if rows else {}
    home_ids = {int(r.entity_id) for r in rows if r.entity == "home" and str(r.entity_id).isdigit()}
    rooms = dict(Home.select(Home.id, Home.room_code).where(Home.id.in_(list(home_ids))).tuples()) if home_ids else {}
    out = []
    for r in rows:
        room = (rooms.get(int(r.entity_id), "") if r.entity == "home" and str(r.entity_id).isdigit()
                else words.room_of(r.before, r.after))
        what = words.entity_label(r.entity) + (f" {r.entity_id}" if r.entity_id and r.entity != "home" else "")
        if room:
            what += f"（{room}）" if r.entity != "home" else f" {room}"
        elif r.entity == "home" and r.entity_id:
            what += f" {r.entity_id}"
        ts = f"{r.ts:%Y-%m-%d %H:%M:%S}" if hasattr(r.ts, "strftime") else str(r.ts)
        who = names.get(r.username, "") or r.username or "系统"
        out.append({"seq": r.seq, "ts": ts, "who": who, "username": r.username, "action": r.action,
                    "action_text": words.action_label(r.action), "entity": what,
                    "changes": words.change_lines(r.before, r.after)})
    return out
