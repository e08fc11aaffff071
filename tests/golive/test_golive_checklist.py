"""The go-live checklist's service: counts read from the database per step, sign-offs by a manager only
(audited, the latest counts), a step without data signed only with a reason."""
from __future__ import annotations

import pytest

from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.golive import checklist
from app.golive.balances_import import import_balances
from app.golive.owners_import import import_owners
from app.golive.registers_import import import_register
from models.golive_opening import GoLiveSignoff
from models.payhistory import PaymentHistory
from models.property import Home
from models.users import AuditLog
from tests.helpers.golive import office_ledger
from tests.helpers.golive_registers import balances_workbook, meters_workbook


def test_counts_follow_the_imports_and_sign_offs_are_audited(ctx, tmp_path, as_role):
    assert [s.filled for s in checklist.steps(ctx)] == [False] * 8
    import_owners(ctx, office_ledger(tmp_path / "台账.xlsx", homes=40))
    import_balances(ctx, balances_workbook(tmp_path / "期初余额.xlsx", homes=40, bad=False))
    import_register(ctx, "meters", meters_workbook(tmp_path / "水电表.xlsx", homes=40))
    steps = {s.step: s for s in checklist.steps(ctx)}
    assert steps["structure"].counts == "组团 1 个，楼栋 4 栋，房屋 40 户"
    assert steps["owners"].counts == "业主 40 人，有业主的房屋 40 户，待核对 0 项"
    assert steps["balances"].counts == "期初欠费 16 笔 1,554.50 元，预存 4 户 4,800.00 元"
    assert steps["meters"].counts == "抄表读数 80 条，涉及房屋 40 户"
    assert (steps["parking"].counts, steps["parking"].filled) == ("车位 0 个（已关联房屋 0 个），登记车辆 0 辆", False)
    assert (steps["history"].counts, steps["history"].filled) == ("缴费历史 0 条，涉及房屋 0 户", False)
    PaymentHistory.create(home=Home.get(Home.room_code == "1-1-101"), item_code="property_fee", period_from="2026-01",
                          period_to="2026-12", paid_fen=120000, billed_fen=120000)
    assert checklist.steps(ctx)[3].counts == "缴费历史 1 条，涉及房屋 1 户"
    checklist.sign_off(ctx, "balances")
    row = GoLiveSignoff.get()
    assert (row.step, row.signer_name, row.counts) == ("balances", "王经理", steps["balances"].counts)
    with pytest.raises(ValidationError, match="签字说明：“钥匙登记”在数据库中还没有数据"):
        checklist.sign_off(ctx, "keys")
    checklist.sign_off(ctx, "keys", "钥匙已全部交业主")
    with pytest.raises(PermissionDenied):
        checklist.sign_off(as_role("area_manager"), "structure")
    with pytest.raises(NotFound):
        checklist.sign_off(ctx, "party")
    with pytest.raises(ValidationError, match="不能超过200个字"):
        checklist.sign_off(ctx, "structure", "很" * 201)
    assert AuditLog.select().where(AuditLog.action == "golive.signoff").count() == 2
    signed = {s.step: s.signed_by for s in checklist.steps(ctx)}
    assert signed == {"structure": "", "owners": "", "balances": "王经理", "history": "", "keys": "王经理",
                      "meters": "", "residents": "", "parking": ""}
    assert not checklist.all_signed(ctx)
