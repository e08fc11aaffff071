"""The personal keys kept in memory (app/core/audit_personal.py): a key whose row was rolled back is
never used again, and a key of another site's vault or database is never found by this one."""
from __future__ import annotations

from app.core import audit_personal
from models.people import PersonalKey


def _seal(ctx, subject_id: int, phone: str):
    return audit_personal.seal_personal(ctx, "owner", subject_id, None, {"name": "张三", "phone": phone})[1]


def test_a_key_rolled_back_with_its_write_is_made_again(ctx):
    with ctx.db.atomic() as tx:
        _seal(ctx, 990, "13800000001")
        assert PersonalKey.select().where(PersonalKey.subject == "owner:990").count() == 1
        tx.rollback()                                     # the write is refused: its key row goes with it
    assert PersonalKey.select().where(PersonalKey.subject == "owner:990").count() == 0
    with ctx.db.atomic():
        sealed = _seal(ctx, 990, "13800000002")           # the id comes again (SQLite reuses a rolled-back id)
    assert PersonalKey.select().where(PersonalKey.subject == "owner:990").count() == 1
    assert audit_personal.unseal_tree(sealed) == {"name": "张三", "phone": "13800000002"}


def test_keys_read_outside_a_transaction_are_kept_for_this_vault_and_database_only(ctx):
    with ctx.db.atomic():
        sealed = _seal(ctx, 991, "13800000003")
    assert audit_personal.unseal_tree(sealed)["phone"] == "13800000003"      # read, now kept in memory
    assert "owner:991" in audit_personal._KEYS
    audit_personal._KEYS_OF[0] = object()                 # another vault (another site opened)
    PersonalKey.delete().where(PersonalKey.subject == "owner:991").execute()
    assert audit_personal.unseal_tree(sealed)["phone"] == audit_personal.GONE   # not the other vault's key
