"""The audit log's keyed hash chain: each row's ``hash`` is an HMAC-SHA256 of its fields and the
previous row's hash, under ``ctx.vault.derive("audit-chain")`` (a key kept outside the database), so
whoever can edit the database but not read the site key cannot rewrite the log and recompute it.

``scan_chain`` verifies it in one pass over a raw cursor (tuples, nothing kept per row: bounded
memory); it also returns the MACs found at the sequence numbers asked for, so the checkpoints kept
outside the database (the head written beside every backup, the head printed on the cashier's daily
report) can be compared. Databases from before the keyed chain (``audit.chain`` = legacy in meta, set
by schema step 4) are sealed once by ``app.core.audit.seal_legacy`` at start: their old SHA-256 chain is verified,
every row re-sealed with the key, and an ``audit.reseal`` row records it.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field

CHAIN_LABEL = "audit-chain"
CHAIN_META = "audit.chain"      # meta key: KEYED, or LEGACY until seal_legacy has run
KEYED = "hmac-sha256"
LEGACY = "sha256"
HEAD_KEY = "audit.head"         # meta key: "seq:hash" of the newest row
SHORT = 16                      # hex digits of a MAC a person copies (64 bits)
RESEAL_ACTION = "audit.reseal"
AUDIT_COUNTER = "audit_log"      # the counter row (app.core.sequences) that numbers the rows
COLUMNS = "seq, ts, username, action, entity, entity_id, before, after, prev_hash, hash"
BATCH = 5000                    # rows per page on PostgreSQL (keyset pages: bounded memory)


def chain_key(ctx) -> bytes:
    return ctx.vault.derive(CHAIN_LABEL)


def _payload(fields) -> bytes:
    return "\x1f".join(str(x) for x in fields).encode("utf-8")


def legacy_hash(*fields) -> str:
    """The old, unkeyed chain hash (SHA-256) of one row's fields: only to verify a legacy log once."""
    return hashlib.sha256(_payload(fields)).hexdigest()


SHA256_BLOCK = 64


class Sealer:
    """HMAC-SHA256 under one key with its two padded key blocks hashed once (RFC 2104): a row costs
    two copies of a SHA-256 state instead of a new HMAC, about 2.5 times faster over a big log."""

    def __init__(self, key: bytes):
        block = (hashlib.sha256(key).digest() if len(key) > SHA256_BLOCK else key).ljust(SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def states(self):
        """The padded key's inner and outer SHA-256 states (copy them; never update them)."""
        return self._inner, self._outer

    def mac(self, seq, ts, username, action, entity, entity_id, before, after, prev) -> str:  # noqa: PLR0913,PLR0917 - the row's fields
        inner = self._inner.copy()
        inner.update(f"{seq}\x1f{ts}\x1f{username}\x1f{action}\x1f{entity}\x1f{entity_id}\x1f{before}\x1f{after}"
                     f"\x1f{prev}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


@functools.lru_cache(maxsize=4)
def sealer(key: bytes) -> Sealer:
    return Sealer(key)


def row_mac(key: bytes, *fields) -> str:
    """The keyed chain hash of one row: seq, ts, username, action, entity, entity_id, before, after
    (the stored texts) and the previous row's hash, in that order (HMAC-SHA256 of them joined by \\x1f)."""
    return sealer(key).mac(*fields)


def ts_text(value) -> str:
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)


def head_text(seq: int, mac: str) -> str:
    """A checkpoint as a person copies it: ``seq:first 16 hex digits``."""
    return f"{seq}:{mac[:SHORT]}"


HEAD_RE = re.compile(r"^\s*(\d+)\s*[:：]\s*([0-9a-fA-F]{8,64})\s*$")


def parse_head(text: str) -> tuple[int, str]:
    """``SEQ:MAC`` (the head printed on a daily report) → (seq, mac in lower case)."""
    from app.core.errors import ValidationError
    m = HEAD_RE.match(str(text or ""))
    if not m:
        raise ValidationError("审计链头", f"应为“序号:校验码”（如 1234:0123456789abcdef），收到“{text}”")
    return int(m.group(1)), m.group(2).lower()


def _meta(key: str) -> str | None:
    from models.system import Meta
    row = Meta.get_or_none(Meta.key == key)
    return row.value if row else None


def set_meta(key: str, value: str) -> None:
    from models.system import Meta
    if not Meta.update(value=value).where(Meta.key == key).execute():
        Meta.create(key=key, value=value)


def is_legacy() -> bool:
    return _meta(CHAIN_META) == LEGACY


def stream_rows(db, after_seq: int = 0):
    """The audit rows as tuples (COLUMNS) in seq order, from a raw cursor: SQLite steps one cursor,
    PostgreSQL reads keyset pages of BATCH rows (its client cursor would hold the whole result)."""
    from models.db import is_sqlite
    if is_sqlite(db):
        yield from db.execute_sql(f"SELECT {COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq", (after_seq,))
        return
    last = after_seq
    while True:
        rows = db.execute_sql(f"SELECT {COLUMNS} FROM audit_log WHERE seq > %s ORDER BY seq LIMIT {BATCH}",
                              (last,)).fetchall()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


@dataclass
class ChainScan:
    problems: list[str] = field(default_factory=list)
    rows: int = 0
    last_seq: int = 0
    last_mac: str = ""
    at: dict[int, str] = field(default_factory=dict)   # seq → MAC for the seqs asked for
    reseals: list[int] = field(default_factory=list)   # seqs of audit.reseal rows

    @property
    def head(self) -> str:
        return head_text(self.last_seq, self.last_mac) if self.last_seq else "0:"


def _mac_fn(key: bytes | None):
    return legacy_hash if key is None else sealer(key).mac


def scan_chain(ctx, want=(), legacy: bool | None = None) -> ChainScan:
    """Verify the chain in one pass; *want*: seqs whose MAC to return (checkpoints). A row's ts is
    hashed as str(ts): the stored text on SQLite, the datetime's ISO text on PostgreSQL (the same)."""
    legacy = is_legacy() if legacy is None else legacy
    mac = _mac_fn(None if legacy else chain_key(ctx))
    head = _meta(HEAD_KEY) or ""
    head_seq = int(head.split(":", 1)[0]) if head.split(":", 1)[0].isdigit() else 0
    want = {*want, head_seq}
    scan = ChainScan()
    problems, at, reseals = scan.problems, scan.at, scan.reseals
    prev, expected, count = "", 1, 0
    inner0, outer0 = (None, None) if legacy else sealer(chain_key(ctx)).states()
    for seq, ts, username, action, entity, entity_id, before, after, prev_hash, h in stream_rows(ctx.db):
        if inner0 is not None:   # Sealer.mac inlined: the hot loop of a big log
            inner = inner0.copy()
            inner.update(f"{seq}\x1f{ts}\x1f{username}\x1f{action}\x1f{entity}\x1f{entity_id}\x1f{before}\x1f{after}"
                         f"\x1f{prev_hash}".encode())
            outer = outer0.copy()
            outer.update(inner.digest())
            ok = outer.hexdigest() == h
        else:
            ok = mac(seq, ts, username, action, entity, entity_id, before, after, prev_hash) == h
        if not ok or seq != expected or prev_hash != prev:
            problems += _row_problems(seq, expected, prev_hash, prev, h, mac(
                seq, ts, username, action, entity, entity_id, before, after, prev_hash))
        if seq in want:
            at[seq] = h
        if action == RESEAL_ACTION:
            reseals.append(seq)
        prev, expected, count = h, seq + 1, count + 1
    scan.rows, scan.last_seq, scan.last_mac = count, expected - 1, prev
    if head_seq > scan.last_seq:
        problems.append(f"审计记录 {scan.last_seq + 1} 至 {head_seq} 缺失（最新记录被删除）")
    elif head_seq and head != f"{head_seq}:{at.get(head_seq, '')}":
        problems.append(f"审计日志记录的链头 {head_text(head_seq, head.split(':', 1)[1])} 与第 {head_seq} 条记录不符")
    if legacy:
        problems.append("审计日志仍是未加密钥的旧格式（重新打开程序时自动封存）")
    if len(reseals) > 1:
        problems.append("审计日志被重新封存了 {} 次（第 {} 条）：只应在升级时封存一次".format(
            len(reseals), "、".join(str(s) for s in reseals)))
    return scan


def _row_problems(seq, expected, prev_hash, prev, h, computed) -> list[str]:  # noqa: PLR0913 - one row's facts
    out = []
    if seq != expected:
        out.append(f"审计记录 {expected} 至 {seq - 1} 缺失（被删除）")
    if prev_hash != prev:
        out.append(f"审计记录 {seq} 的前序哈希不符（前一条被修改或删除）")
    if computed != h:
        out.append(f"审计记录 {seq} 内容被修改（校验码不符：被改动，或被不知道密钥的人重新计算）")
    return out


def verify_chain(ctx) -> list[str]:
    """Problems found in the chain (edited, deleted, reordered or recomputed rows); empty when intact."""
    return scan_chain(ctx).problems


def compare_checkpoints(scan: ChainScan, checkpoints) -> list[str]:
    """Each checkpoint (where in words, seq, MAC or its first digits) against the scanned chain."""
    problems = []
    for where, seq, raw in checkpoints:
        mac = str(raw).lower()
        if seq > scan.last_seq:
            problems.append(f"{where}：链头 {head_text(seq, mac)} 晚于数据库中最新的审计记录 {scan.last_seq}"
                            "（最新的审计记录被删除，或数据库被换成了旧副本）")
        elif seq > 0 and not scan.at.get(seq, "").startswith(mac[:SHORT]):
            found = scan.at.get(seq, "")
            problems.append(f"{where}：第 {seq} 条审计记录的校验码应为 {mac[:SHORT]}，数据库中为 "
                            f"{found[:SHORT] or '（无此记录）'}（审计日志被改写）")
    return problems


def current_head(db=None) -> str:
    """``seq:MAC16`` of the newest audit row ('' when the log is empty), as the daily report prints it."""
    from models.users import AuditLog
    row = AuditLog.select(AuditLog.seq, AuditLog.hash).order_by(AuditLog.seq.desc()).first()
    return head_text(row.seq, row.hash) if row else ""
