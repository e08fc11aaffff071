"""Audit log: every write records who, when, what changed (before and after of the changed fields);
rows are chained with a keyed MAC (app/core/audit_chain.py)."""
from __future__ import annotations

import datetime as dt
import json
from itertools import islice

from peewee import fn

from app.core.audit_chain import (  # noqa: F401 - verify_chain and the checkpoints are the audit's API
    AUDIT_COUNTER,
    BATCH,
    CHAIN_META,
    HEAD_KEY,
    KEYED,
    LEGACY,
    RESEAL_ACTION,
    chain_key,
    compare_checkpoints,
    current_head,
    head_text,
    is_legacy,
    legacy_hash,
    row_mac,
    scan_chain,
    set_meta,
    stream_rows,
    ts_text,
    verify_chain,
)
from app.core.audit_personal import seal_personal
from app.core.permissions import require
from app.core.sequences import set_counter, take_counter
from models.users import AuditLog


def _json(value) -> str:
    if value is None or value == "":
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


HASHED_FIELDS = ("seq", "ts", "username", "action", "entity", "entity_id", "before", "after", "prev_hash")
# kept in a row's before/after even when unchanged: what names the record in the log (audit_words)
NAME_KEYS = frozenset({"id", "number", "room_code", "home", "name", "code", "username", "period", "item_code",
                       "kind", "title", "owner", "plate"})
_MISSING = object()


def changed_only(before, after):
    """Of an edit's whole rows (two dicts), only the fields that changed, and the keys that name the
    record (NAME_KEYS); anything else (a new row, a removed one, plain values) is kept as it is."""
    if not isinstance(before, dict) or not isinstance(after, dict) or not before or not after:
        return before, after
    changed = {k for k in before.keys() | after.keys()
               if before.get(k, _MISSING) != after.get(k, _MISSING)}
    if not changed:
        return before, after
    keep = changed | NAME_KEYS
    return ({k: v for k, v in before.items() if k in keep}, {k: v for k, v in after.items() if k in keep})


def row_hash(*fields) -> str:
    """The old, unkeyed chain hash (SHA-256) of a row's HASHED_FIELDS: legacy logs only (see seal_legacy)."""
    if len(fields) != len(HASHED_FIELDS):
        raise TypeError(f"row_hash takes {len(HASHED_FIELDS)} fields, got {len(fields)}")
    return legacy_hash(*fields)


def record(ctx, action: str, entity: str = "", entity_id="", before=None, after=None) -> AuditLog:
    """Append one audit row (call inside the write's transaction): what changed (changed_only), chained
    with an HMAC under the audit-chain key (app.core.audit_chain) over the texts as stored."""
    user = getattr(ctx, "user", None)
    seq, last = next_seq()
    prev = last.hash if last else ""
    ts = ctx.clock.now() if getattr(ctx, "clock", None) else dt.datetime.now().replace(microsecond=0)
    before, after = changed_only(before, after)
    before, after = seal_personal(ctx, entity, entity_id, before, after)   # per-owner keys (audit_personal)
    b, a = _json(before), _json(after)
    username = getattr(user, "username", "") or ""
    h = row_mac(chain_key(ctx), seq, ts_text(ts), username, action, entity, str(entity_id), b, a, prev)
    row = AuditLog.create(ts=ts, user=getattr(user, "id", None), username=username, action=action,
                          entity=entity, entity_id=str(entity_id), before=b, after=a,
                          prev_hash=prev, hash=h, seq=seq)
    set_meta(HEAD_KEY, f"{seq}:{h}")
    return row


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


def seal_legacy(ctx) -> int:
    """Re-seal a log from before the keyed chain (meta audit.chain = legacy, set by schema step 4) with
    the key, once, audited by an audit.reseal row. Returns the rows sealed (0 when keyed already). A
    legacy log that does not verify is left as it is (sealing would hide the damage): check reports it."""
    if not is_legacy():
        return 0
    with ctx.db.atomic():
        take_counter(AUDIT_COUNTER, 0)   # the counter row's lock: no desk appends meanwhile
        if not is_legacy():
            return 0
        old = scan_chain(ctx, legacy=True)
        if any("旧格式" not in p for p in old.problems):
            return 0
        key, p = chain_key(ctx), ctx.db.param
        sql = f"UPDATE audit_log SET before = {p}, after = {p}, prev_hash = {p}, hash = {p} WHERE seq = {p}"
        prev, last, count = "", 0, 0
        while True:   # keyset pages of BATCH rows, each updated before the next is read (bounded memory)
            page = list(islice(stream_rows(ctx.db, last), BATCH))
            updates = []
            for seq, ts, username, action, entity, entity_id, old_before, old_after, _p, _h in page:
                before, after = _seal_legacy_texts(ctx, entity, entity_id, old_before, old_after)
                h = row_mac(key, seq, ts_text(ts), username, action, entity, entity_id, before, after, prev)
                updates.append((before, after, prev, h, seq))
                prev = h
            if updates:
                ctx.db.cursor().executemany(sql, updates)
                count, last = count + len(updates), page[-1][0]
            if len(page) < BATCH:
                break
        set_meta(CHAIN_META, KEYED)
        set_counter(AUDIT_COUNTER, old.last_seq)
        if old.last_seq:
            set_meta(HEAD_KEY, f"{old.last_seq}:{prev}")
        record(ctx, RESEAL_ACTION, "audit_log", "", {"chain": LEGACY},
               {"chain": KEYED, "rows": count, "legacy_head": head_text(old.last_seq, old.last_mac)})
    return count


def _seal_legacy_texts(ctx, entity, entity_id, before: str, after: str) -> tuple[str, str]:
    """A legacy row's before/after with their personal fields sealed as ``record`` seals them now (a log
    from before the per-person keys held names and phones in clear)."""
    def load(text):
        try:
            return json.loads(text) if text else text
        except ValueError:
            return text
    b, a = load(before), load(after)
    if not isinstance(b, (dict, list)) and not isinstance(a, (dict, list)):
        return before, after
    b, a = seal_personal(ctx, entity, entity_id, b, a)
    return (_json(b) if isinstance(b, (dict, list)) else before), (_json(a) if isinstance(a, (dict, list)) else after)


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
