"""Tamper evidence against someone who read the code and can edit the database (issue 15).

Each tampering is done as such an attacker would: audit rows edited, deleted or truncated and the
chain recomputed with the old unkeyed formula or with any key found in the database; a payment
lowered together with its charge and receipt; the newest receipt deleted and its counter rolled
back; and two of our own (forcing a re-seal of an edited log; lowering a waive with its charge).
Every one must be caught by ``check`` (the services, the command line in a real process) and by
安全 → 检查数据库 in the GUI, naming the check that failed in Chinese: nine tamperings, each a
parametrized case of the service test and of the GUI test."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.audit_chain import legacy_hash, ts_text
from app.ledger.billing import post_charge
from app.ledger.payments import pay, void_receipt, waive
from app.office.checks import run_checks
from models.db import is_sqlite
from models.ledger import Charge, Payment, Receipt
from models.system import Meta, Sequence
from models.users import AuditLog
from tests.helpers.ledger import make_site

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Tamper-test-1"


# ------------------------------------------------------------------ a site with a day of work
def busy_site(ctx):
    """Charges, payments (one part-paid), a void and a waive; a backup on SQLite; the daily report's
    head as the cashier prints it. Returns (homes, receipts, paper head)."""
    from app.ledger.reports import daily_report
    homes = make_site(ctx)
    receipts = []
    for room in ("5-101", "5-102", "6-101"):
        c1 = post_charge(ctx, homes[room].id, "rubbish_removal", 12000)
        c2 = post_charge(ctx, homes[room].id, "pass_fee", 1000)
        receipts.append(pay(ctx, homes[room].id, [c1.id, c2.id], "现金", "业主"))
    void_receipt(ctx, receipts[1].id, "收错了")
    c3 = post_charge(ctx, homes["6-102"].id, "rubbish_removal", 3000)
    pay(ctx, homes["6-102"].id, [c3.id], "现金", "业主", amounts={c3.id: 1000})
    waive(ctx, c3.id, "经理批准减免")
    if is_sqlite(ctx.db):
        from app.system.backup import backup_now
        backup_now(ctx, "manual")
    late = post_charge(ctx, homes["5-102"].id, "rubbish_removal", 5000)
    last = pay(ctx, homes["5-102"].id, [late.id], "现金", "业主")
    receipts.append(last)
    head = daily_report(ctx, ctx.clock.now().date()).audit_head
    return homes, receipts, head


def failed(ctx, heads=()) -> dict[str, list[str]]:
    return {c.name: c.problems for c in run_checks(ctx, heads) if not c.ok}


# ------------------------------------------------------------------ the attacker's tools
def rewrite_chain(ctx, mac) -> None:
    """Recompute every row's prev_hash and hash with *mac* (fields → hex) and the meta head, as the
    code's own loop does: what someone who read app/core/audit.py would run after an edit."""
    prev, seq = "", 0
    rows = ctx.db.execute_sql("SELECT seq, ts, username, action, entity, entity_id, before, after "
                              "FROM audit_log ORDER BY seq").fetchall()
    p = ctx.db.param
    for seq, ts, username, action, entity, entity_id, before, after in rows:
        h = mac(seq, ts_text(ts), username, action, entity, entity_id, before, after, prev)
        ctx.db.execute_sql(f"UPDATE audit_log SET prev_hash = {p}, hash = {p} WHERE seq = {p}", (prev, h, seq))
        prev = h
    Meta.update(value=f"{seq}:{prev}").where(Meta.key == "audit.head").execute()
    Sequence.update(last=seq).where(Sequence.name == "audit_log").execute()


def keys_in_database(ctx) -> list[bytes]:
    """Every value in the database that could be the chain's key: meta values, password hashes, the
    site id, and nothing (an empty key)."""
    from models.users import User
    values = [v for (v,) in Meta.select(Meta.value).tuples()] + [h for (h,) in User.select(User.password_hash).tuples()]
    return [b""] + [str(v).encode("utf-8") for v in values if v]


def hmac_with(key: bytes):
    return lambda *f: hmac.new(key, "\x1f".join(str(x) for x in f).encode("utf-8"), hashlib.sha256).hexdigest()


def edit_pay_row(ctx) -> None:
    """Lower the total of the first payment's audit row (to match a lowered receipt later)."""
    row = AuditLog.select().where(AuditLog.action == "ledger.pay").order_by(AuditLog.seq).first()
    after = json.loads(row.after)
    after["total_fen"] = 100
    AuditLog.update(after=json.dumps(after, ensure_ascii=False, sort_keys=True)).where(AuditLog.id == row.id).execute()


def renumber(ctx) -> None:
    """Close the gap a deleted row leaves: seq 1, 2, 3 … again."""
    seqs = [s for (s,) in AuditLog.select(AuditLog.seq).order_by(AuditLog.seq).tuples()]
    for new, old in enumerate(seqs, start=1):
        if new != old:
            AuditLog.update(seq=new).where(AuditLog.seq == old).execute()


# ------------------------------------------------------------------ the tamperings
def t_edit_recompute_unkeyed(ctx, homes, receipts):
    edit_pay_row(ctx)
    rewrite_chain(ctx, legacy_hash)
    return "审计日志哈希链"


def t_edit_recompute_keys_found(ctx, homes, receipts):
    """Every key found in the database tried; the last one left in place (each was checked)."""
    edit_pay_row(ctx)
    for key in keys_in_database(ctx):
        rewrite_chain(ctx, hmac_with(key))
        assert "审计日志哈希链" in failed(ctx), key
    return "审计日志哈希链"


def t_delete_middle_recompute(ctx, homes, receipts):
    victim = AuditLog.select().where(AuditLog.action == "ledger.void").first()
    AuditLog.delete().where(AuditLog.id == victim.id).execute()
    renumber(ctx)
    rewrite_chain(ctx, legacy_hash)
    return "审计日志哈希链"


def t_truncate_newest(ctx, homes, receipts):
    """The newest rows deleted (among them rows the backup holds) and the meta head moved back: what is
    left is a chain that verifies; the backup's head and the daily report's head do not agree."""
    top = AuditLog.select(AuditLog.seq).order_by(AuditLog.seq.desc()).scalar()
    AuditLog.delete().where(AuditLog.seq > top - 6).execute()
    last = AuditLog.select().order_by(AuditLog.seq.desc()).first()
    Meta.update(value=f"{last.seq}:{last.hash}").where(Meta.key == "audit.head").execute()
    Sequence.update(last=last.seq).where(Sequence.name == "audit_log").execute()
    return "审计链头与备份核对" if is_sqlite(ctx.db) else "审计链头与日报核对"


def t_lower_payment_charge_receipt(ctx, homes, receipts):
    r = receipts[0]
    line = Payment.select().where((Payment.receipt == r.id) & (Payment.kind == "pay")).order_by(Payment.id).first()
    Payment.update(amount_fen=line.amount_fen - 10000).where(Payment.id == line.id).execute()
    Charge.update(paid_fen=Charge.paid_fen - 10000, amount_fen=Charge.amount_fen - 10000).where(
        Charge.id == line.charge_id).execute()
    Receipt.update(total_fen=Receipt.total_fen - 10000).where(Receipt.id == r.id).execute()
    return "收费与审计日志核对"


def t_delete_newest_receipt_roll_counter(ctx, homes, receipts):
    r = receipts[-1]
    for line in Payment.select().where(Payment.receipt == r.id):
        Charge.update(paid_fen=Charge.paid_fen - line.amount_fen).where(Charge.id == line.charge_id).execute()
    ctx.db.execute_sql(f"DELETE FROM payment WHERE receipt_id = {ctx.db.param}", (r.id,))
    ctx.db.execute_sql(f"DELETE FROM receipt WHERE id = {ctx.db.param}", (r.id,))
    Sequence.update(last=Sequence.last - 1).where((Sequence.name == "receipt") & (Sequence.year == r.year)).execute()
    return "收费与审计日志核对"


def t_delete_receipt_and_its_audit_rows(ctx, homes, receipts):
    """As above, and its audit rows too, the rest renumbered and recomputed without the key."""
    t_delete_newest_receipt_roll_counter(ctx, homes, receipts)
    AuditLog.delete().where((AuditLog.entity == "receipt") & (AuditLog.entity_id == str(receipts[-1].id))).execute()
    renumber(ctx)
    rewrite_chain(ctx, legacy_hash)
    return "审计日志哈希链"


def t_force_reseal(ctx, homes, receipts):
    """Ours: edit, recompute without the key and mark the log legacy, so that the program itself seals
    the edited log at the next start. The seal verifies; the checkpoints do not."""
    from app.core.audit import seal_legacy
    edit_pay_row(ctx)
    rewrite_chain(ctx, legacy_hash)
    Meta.update(value="sha256").where(Meta.key == "audit.chain").execute() or Meta.create(
        key="audit.chain", value="sha256")
    assert seal_legacy(ctx) > 0
    return "审计链头与备份核对" if is_sqlite(ctx.db) else "审计链头与日报核对"


def t_lower_waive(ctx, homes, receipts):
    """Ours: a waive halved together with its charge (the ledger's own sums still agree)."""
    line = Payment.get(Payment.kind == "waive")
    half = line.amount_fen // 2
    Payment.update(amount_fen=line.amount_fen - half).where(Payment.id == line.id).execute()
    Charge.update(paid_fen=Charge.paid_fen - half, amount_fen=Charge.amount_fen - half).where(
        Charge.id == line.charge_id).execute()
    return "收费与审计日志核对"


TAMPERINGS = [t_edit_recompute_unkeyed, t_edit_recompute_keys_found, t_delete_middle_recompute, t_truncate_newest,
              t_lower_payment_charge_receipt, t_delete_newest_receipt_roll_counter,
              t_delete_receipt_and_its_audit_rows, t_force_reseal, t_lower_waive]


def test_a_busy_site_passes_every_check(ctx):
    _homes, _receipts, head = busy_site(ctx)
    assert failed(ctx, [head]) == {}
    names = [c.name for c in run_checks(ctx, [head])]
    assert {"审计日志哈希链", "审计链头与日报核对", "收费与审计日志核对", "收费台账"} <= set(names)
    if is_sqlite(ctx.db):
        backup_check = next(c for c in run_checks(ctx) if c.name == "审计链头与备份核对")
        assert backup_check.ok and "核对 2 个链头" in backup_check.note   # the backup file and its .head


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda f: f.__name__[2:])
def test_tampering_is_caught_by_check(ctx, tamper):
    homes, receipts, head = busy_site(ctx)
    assert failed(ctx, [head]) == {}
    expected = tamper(ctx, homes, receipts)
    found = failed(ctx, [head])
    assert expected in found, found


def test_truncation_after_the_last_backup_is_caught_by_the_paper_head(ctx):
    """Rows written after the last backup, deleted: only the daily report's head knows them."""
    busy_site(ctx)
    from app.ledger.reports import daily_report
    pay(ctx, 1, [post_charge(ctx, 1, "rubbish_removal", 700).id], "现金", "业主")
    head = daily_report(ctx, ctx.clock.now().date()).audit_head
    top = int(head.split(":")[0])
    AuditLog.delete().where(AuditLog.seq == top).execute()
    last = AuditLog.select().order_by(AuditLog.seq.desc()).first()
    Meta.update(value=f"{last.seq}:{last.hash}").where(Meta.key == "audit.head").execute()
    assert "审计日志哈希链" not in failed(ctx)                     # what is left verifies
    problems = failed(ctx, [head])["审计链头与日报核对"]
    assert f"链头 {head} 晚于数据库中最新的审计记录 {top - 1}" in problems[0]


def test_a_head_typed_wrong_is_refused_with_the_field_named(ctx):
    from app.core.errors import ValidationError
    with pytest.raises(ValidationError) as exc:
        run_checks(ctx, ["12x34"])
    assert "审计链头" in str(exc.value) and "序号:校验码" in str(exc.value)


def _cli(data_dir, *args):
    """The command line in its own process, signed in as the manager with a password, on the test's
    database (the folder's SQLite file, or PROPERTYDESK_DATABASE: the PostgreSQL one)."""
    env = dict(os.environ, PROPERTYDESK_PASSWORD=PASSWORD, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "--user", "manager",
                           *args], capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120,
                          check=False)


def test_check_command_in_a_real_process_names_the_failed_checks(ctx, data_dir):
    """The command line, as the office runs it: clean with the paper head, then after the newest
    receipt is deleted with its counter rolled back and the chain truncated, exit 1 and the checks
    that failed named in Chinese."""
    from app.system.accounts import hash_password
    _homes, receipts, head = busy_site(ctx)
    ctx.user.password_hash = hash_password(PASSWORD)
    ctx.user.save()
    ctx.db.close()
    ok = _cli(data_dir, "check", "--head", head)
    assert ok.returncode == 0 and "检查完成：全部通过" in ok.stdout, ok.stdout + ok.stderr
    ctx.db.connect()
    t_delete_newest_receipt_roll_counter(ctx, _homes, receipts)
    t_truncate_newest(ctx, _homes, receipts)
    ctx.db.close()
    bad = _cli(data_dir, "check", "--head", head)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    names = ["审计链头与日报核对", "收费与审计日志核对"] + (["审计链头与备份核对"] if is_sqlite(ctx.db) else [])
    for name in names:
        assert f"[发现问题] {name}" in bad.stdout, bad.stdout
    assert "晚于数据库中最新的审计记录" in bad.stdout and f"检查完成：{len(names)} 项发现问题" in bad.stdout
    ctx.db.connect()


@pytest.mark.gui
@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda f: f.__name__[2:])
def test_tampering_is_caught_by_the_gui_check(qtbot, ctx, boxes, tamper):
    """安全 → 检查数据库, clicked as the manager would: the box names the failed check."""
    from PySide6.QtWidgets import QMainWindow

    from ui.system.security_menu import install_menus
    homes, receipts, _head = busy_site(ctx)
    expected = tamper(ctx, homes, receipts)
    if expected == "审计链头与日报核对":
        pytest.skip("PostgreSQL keeps no backups of its own: the daily report's head is typed at the command line")
    window = QMainWindow()
    window.ctx = ctx
    qtbot.addWidget(window)
    install_menus(window)
    window.security_actions["检查数据库"].trigger()
    qtbot.waitUntil(lambda: any(b.title == "数据库检查" for b in boxes.shown), timeout=20000)
    text = next(b.text for b in boxes.shown if b.title == "数据库检查")
    assert f"[发现问题] {expected}" in text, text
