"""The keyed audit chain (app/core/audit_chain.py): the key is the vault's, not the database's; an old
unkeyed log is sealed once at start and the seal is audited; the audit stores what changed."""
from __future__ import annotations

import json

import pytest

from app.core import audit
from app.core.audit_chain import CHAIN_META, KEYED, LEGACY, legacy_hash, row_mac, ts_text
from app.system.context import open_context
from models.db import close_database
from models.system import Meta, Sequence
from models.users import AuditLog


def _write(ctx, n=5):
    with ctx.db.atomic():
        for i in range(n):
            audit.record(ctx, "test.write", "thing", i, {"v": i}, {"v": i + 1})


def _make_legacy(ctx):
    """The log as the program before the keyed chain wrote it: SHA-256 of the fields, marked legacy."""
    prev = ""
    for row in AuditLog.select().order_by(AuditLog.seq):
        h = legacy_hash(row.seq, ts_text(row.ts), row.username, row.action, row.entity, row.entity_id, row.before,
                        row.after, prev)
        AuditLog.update(prev_hash=prev, hash=h).where(AuditLog.id == row.id).execute()
        prev = h
    last = AuditLog.select().order_by(AuditLog.seq.desc()).first()
    Meta.update(value=f"{last.seq}:{last.hash}").where(Meta.key == "audit.head").execute()
    Meta.update(value=LEGACY).where(Meta.key == CHAIN_META).execute() or Meta.create(key=CHAIN_META, value=LEGACY)


def test_rows_are_sealed_with_the_vaults_key(ctx):
    _write(ctx, 3)
    key = ctx.vault.derive("audit-chain")
    for row in AuditLog.select().order_by(AuditLog.seq):
        assert row.hash == row_mac(key, row.seq, ts_text(row.ts), row.username, row.action, row.entity,
                                   row.entity_id, row.before, row.after, row.prev_hash)
        assert row.hash != legacy_hash(row.seq, ts_text(row.ts), row.username, row.action, row.entity,
                                       row.entity_id, row.before, row.after, row.prev_hash)
    assert audit.verify_chain(ctx) == []


def test_another_sites_key_does_not_verify(ctx):
    from app.core.crypto import Vault
    _write(ctx, 2)
    other = type(ctx)(ctx.db, ctx.settings, ctx.data_dir, Vault.ephemeral(), ctx.user, ctx.clock, ctx.url)
    problems = audit.verify_chain(other)
    assert len(problems) == 2 and all("内容被修改" in p for p in problems)


def test_a_legacy_log_is_sealed_once_at_start_and_audited(ctx, data_dir):
    _write(ctx, 4)
    _make_legacy(ctx)
    assert any("旧格式" in p for p in audit.verify_chain(ctx))
    url, clock, user = ctx.url, ctx.clock, ctx.user
    close_database()
    again = open_context(data_dir, url if not url.startswith("sqlite") else None, clock=clock)
    again.user = user
    assert Meta.get(Meta.key == CHAIN_META).value == KEYED
    seal = AuditLog.select().order_by(AuditLog.seq.desc()).first()
    assert seal.action == "audit.reseal" and seal.seq == 5
    assert json.loads(seal.after) == {"chain": KEYED, "rows": 4, "legacy_head": f"4:{_legacy_head(seal)}"}
    assert audit.verify_chain(again) == []
    assert audit.seal_legacy(again) == 0               # once only
    audit.record(again, "test.after", "thing", 9)      # and the chain goes on
    assert audit.verify_chain(again) == [] and Sequence.get(Sequence.name == "audit_log").last == 6


def _legacy_head(seal) -> str:
    return json.loads(seal.after)["legacy_head"].split(":")[1]


def test_a_legacy_log_that_does_not_verify_is_not_sealed(ctx):
    _write(ctx, 3)
    _make_legacy(ctx)
    AuditLog.update(after='{"v": 99}').where(AuditLog.seq == 2).execute()
    assert audit.seal_legacy(ctx) == 0
    problems = audit.verify_chain(ctx)
    assert any("审计记录 2 内容被修改" in p for p in problems) and any("旧格式" in p for p in problems)
    assert Meta.get(Meta.key == CHAIN_META).value == LEGACY


def test_schema_step_4_marks_an_existing_log_legacy(ctx):
    from models.migrations import STEPS
    step = {version: fn for version, _name, fn in STEPS}[4]   # the step itself, on this database
    _write(ctx, 1)
    step(ctx.db)
    assert Meta.get(Meta.key == CHAIN_META).value == LEGACY
    AuditLog.delete().execute()
    step(ctx.db)
    assert Meta.get(Meta.key == CHAIN_META).value == KEYED


def test_an_edit_stores_only_what_changed_and_reads_in_words(ctx):
    from app.core.audit_words import change_lines
    before = {"id": 7, "room_code": "5-101", "floor": 1, "house_type": "洋房", "notes": "", "area_x100": 10000}
    after = dict(before, notes="南向", area_x100=12000)
    with ctx.db.atomic():
        row = audit.record(ctx, "home.update", "home", 7, before, after)
    assert json.loads(row.before) == {"id": 7, "room_code": "5-101", "notes": "", "area_x100": 10000}
    assert json.loads(row.after) == {"id": 7, "room_code": "5-101", "notes": "南向", "area_x100": 12000}
    lines = change_lines(row.before, row.after)
    assert len(lines) == 2 and any("南向" in line for line in lines) and not any("洋房" in line for line in lines)
    rows = audit.entry_rows(ctx, "", 10)
    assert rows[0]["action_text"] == "修改房屋资料" and rows[0]["changes"] == lines
    created = audit.record(ctx, "home.create", "home", 8, None, before)   # a new row keeps every field
    assert json.loads(created.after) == before


def test_a_head_from_paper_is_checked(ctx):
    from app.core.audit_chain import compare_checkpoints, current_head, parse_head, scan_chain
    _write(ctx, 3)
    head = current_head()
    seq, mac = parse_head(head.replace(":", "：").upper())   # a full-width colon and capitals, as typed
    assert seq == 3 and len(mac) == 16
    scan = scan_chain(ctx, want={seq})
    assert compare_checkpoints(scan, [("日报", seq, mac)]) == []
    wrong = compare_checkpoints(scan, [("日报", seq, "0" * 16)])
    assert wrong and "第 3 条审计记录的校验码应为 0000000000000000" in wrong[0]


@pytest.mark.parametrize("text", ["", "12", "abc:0123456789abcdef", "3:xyz"])
def test_a_head_typed_wrong_names_the_field(text):
    from app.core.audit_chain import parse_head
    from app.core.errors import ValidationError
    with pytest.raises(ValidationError, match="审计链头"):
        parse_head(text)


def test_the_daily_report_prints_the_chain_head(ctx):
    import datetime as dt

    from app.core.audit_chain import current_head
    from app.ledger.reports import report_pdf
    from tests.helpers.pdf import pdf_text
    _write(ctx, 3)
    text = pdf_text(report_pdf(ctx, "daily", day=dt.date(2026, 11, 23))).replace(" ", "")
    head = current_head()
    assert head.startswith("3:") and f"审计链头：{head}" in text and f"--head{head}" in text


def test_backups_from_before_a_restore_of_an_older_copy_are_superseded_not_findings(ctx):
    """Restoring an older backup is a managed step: the chain goes on from the older copy, so the
    heads of backups made before the restore no longer match; they are noted, and later backups count."""
    from app.office.checks import run_checks
    from app.system import backup
    from models.db import is_sqlite
    if not is_sqlite(ctx.db):
        pytest.skip("SQLite backups")
    _write(ctx, 2)
    older = backup.backup_now(ctx, "manual").path
    ctx.clock.advance(hours=1)
    _write(ctx, 3)
    backup.backup_now(ctx, "manual")
    ctx.clock.advance(hours=1)
    backup.restore(ctx, older)
    _write(ctx, 4)                      # the same seqs as the newer backup's, other rows
    check = next(c for c in run_checks(ctx) if c.name == "审计链头与备份核对")
    assert check.ok and "恢复前的链头已被恢复取代" in check.note, check.lines()
    ctx.clock.advance(hours=1)
    backup.backup_now(ctx, "manual")
    top = AuditLog.select(AuditLog.seq).order_by(AuditLog.seq.desc()).scalar()   # a backup after the
    AuditLog.delete().where(AuditLog.seq >= top - 2).execute()                      # restore still counts
    last = AuditLog.select().order_by(AuditLog.seq.desc()).first()
    Meta.update(value=f"{last.seq}:{last.hash}").where(Meta.key == "audit.head").execute()
    assert {c.name for c in run_checks(ctx) if not c.ok} == {"审计链头与备份核对"}


def test_sealing_a_legacy_log_seals_the_personal_fields_its_rows_held_in_clear(ctx):
    from app.core.audit_personal import unseal_tree
    with ctx.db.atomic():
        audit.record(ctx, "test.write", "thing", 1, {"v": 1}, {"v": 2})
    # a row as the program before per-person keys wrote it: an owner's name and phone in clear
    legacy = AuditLog.create(ts=ctx.clock.now(), user=None, username="clerk", action="owner.update", entity="owner",
                             entity_id="7", before=json.dumps({"name": "张三", "phone": "13912345678", "home": 3}),
                             after=json.dumps({"name": "张三丰", "phone": "13987654321", "home": 3}),
                             seq=2, prev_hash="", hash="")
    _make_legacy(ctx)
    assert audit.seal_legacy(ctx) == 2
    row = AuditLog.get_by_id(legacy.id)
    for clear in ("张三", "13912345678", "13987654321"):
        assert clear not in row.before + row.after
    assert unseal_tree(json.loads(row.after)) == {"name": "张三丰", "phone": "13987654321", "home": 3}
    assert json.loads(AuditLog.get_by_id(legacy.id - 1).after) == {"v": 2}   # nothing personal: as it was
    assert audit.verify_chain(ctx) == []
