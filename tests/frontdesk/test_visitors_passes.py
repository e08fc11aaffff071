"""Visitor register (来访登记) and goods-out passes (物品放行条 with its stub): identity numbers
stored encrypted and shown masked, who is still inside, the day's list; passes numbered from the
counter rows, with the owner's consent, printed with the stub, used once at the gate."""
import datetime as dt

import pytest

from app.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from app.core.validation import id_check_char
from app.frontdesk import passes, prints, visitors
from models.frontdesk import GoodsPass
from models.users import AuditLog
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.pdf import pdf_text

T0 = dt.datetime(2026, 11, 23, 9, 0)
ID17 = "14010519800101123"
GOOD_ID = ID17 + id_check_char(ID17)


@pytest.fixture
def homes(ctx):
    return make_homes(DEFAULT_HOMES)


def _visit(ctx, **extra):
    data = {"name": "陈明", "id_type": "身份证", "id_number": GOOD_ID, "phone": "13912345678", "room_code": "5-201",
            "host": "刘女士", "reason": "探亲访友", "companions": 1, "plate": "晋A·12345"}
    data.update(extra)
    return visitors.register_visit(ctx, data)


def test_visitor_comes_in_masked_and_is_inside_until_signed_out(ctx, homes):
    vs = _visit(ctx)
    assert vs.id_enc and vs.id_enc != GOOD_ID and vs.id_masked == GOOD_ID[:3] + "*" * 11 + GOOD_ID[-4:]
    assert vs.plate == "晋A12345"
    ctx.clock.set(T0 + dt.timedelta(minutes=45))
    [row] = visitors.inside(ctx)
    assert row["id_text"] == f"身份证 {vs.id_masked}" and row["phone"] == "139****5678" and row["stay"] == "45分钟"
    assert GOOD_ID not in str(row)
    visitors.sign_out(ctx, vs.id)
    assert visitors.inside(ctx) == []
    [day] = visitors.day_visitors(ctx)
    assert day["left_at"] == "2026-11-23 09:45" and not day["inside"]
    with pytest.raises(StateError, match="已于2026-11-23 09:45离开"):
        visitors.sign_out(ctx, vs.id)
    acts = [a.action for a in AuditLog.select().where(AuditLog.entity == "visitor").order_by(AuditLog.id)]
    assert acts == ["visitors.enter", "visitors.leave"]
    assert GOOD_ID not in "".join(a.after or "" for a in AuditLog.select())


def test_visitor_input_is_checked_field_by_field(ctx, homes):
    with pytest.raises(ValidationError, match="访客姓名"):
        _visit(ctx, name="")
    with pytest.raises(ValidationError, match="证件号码"):
        _visit(ctx, id_number="140105198001011239")     # a wrong check digit
    with pytest.raises(ValidationError, match="来访房号"):
        _visit(ctx, room_code="", host="")
    with pytest.raises(ValidationError, match="来访事由"):
        _visit(ctx, reason="")
    with pytest.raises(ValidationError, match="同行人数"):
        _visit(ctx, companions="两个")
    with pytest.raises(PermissionDenied):
        visitors.register_visit(_role(ctx, "cashier"), {"name": "陈明", "host": "物业", "reason": "公务"})
    delivery = _visit(ctx, room_code="", host="物业办公室", reason="送货", id_number="", plate="")
    assert delivery.home_id is None and delivery.id_masked == ""


def test_day_list_keeps_yesterdays_visitors_still_inside_and_searches(ctx, homes):
    ctx.clock.set(T0 - dt.timedelta(days=1))
    stayed = _visit(ctx, name="周工", reason="装修")
    visitors.sign_out(ctx, _visit(ctx, name="昨天走的").id)
    ctx.clock.set(T0)
    _visit(ctx, name="快递员", room_code="5-202", host="", reason="送货")
    names = [r["name"] for r in visitors.day_visitors(ctx)]
    assert names == ["周工", "快递员"]
    assert [r["id"] for r in visitors.inside(ctx, "装修")] == [stayed.id]
    assert [r["name"] for r in visitors.search_visitors(ctx, "5-202")] == ["快递员"]
    text = pdf_text(prints.visitors_day_pdf(ctx)).replace("\n", "")
    for word in ("来访人员登记表", "周工", "未离开", "访客签字", GOOD_ID[:3] + "*" * 11):
        assert word in text
    assert GOOD_ID not in text


def _role(ctx, role):
    from models.users import User
    u = User.create(username=f"{role}2", display_name="某人", role=role, password_hash="x")
    return ctx.with_user(u)


def _pass(ctx, **extra):
    data = {"room_code": "5-201", "consent": "电话确认", "consent_by": "刘女士", "consent_phone": "13812345678",
            "items": "旧沙发×1\n纸箱 × 5 个\n电视机", "carrier": "张师傅", "plate": "晋A 88888"}
    data.update(extra)
    return passes.issue_pass(ctx, data)


def test_pass_is_numbered_with_the_owners_consent_and_its_items(ctx, homes):
    gp = _pass(ctx)
    assert gp.number == "FX2026-000001" and gp.items == "旧沙发×1件\n纸箱×5个\n电视机×1件"
    assert gp.valid_date == T0.date() and gp.plate == "晋A88888" and gp.status == "已开具"
    assert _pass(ctx, consent="业主本人到场", consent_phone="").number == "FX2026-000002"
    [row, _] = passes.open_passes(ctx)
    assert row["consent"] == "电话确认（138****5678）" and "13812345678" not in str(row)
    with pytest.raises(ValidationError, match="业主电话"):
        _pass(ctx, consent_phone="")
    with pytest.raises(ValidationError, match="业主同意方式"):
        _pass(ctx, consent="门卫说可以")
    with pytest.raises(ValidationError, match="物品"):
        _pass(ctx, items="")
    with pytest.raises(ValidationError, match="第2项“桌子”的数量"):
        _pass(ctx, items="椅子×2\n桌子×0")
    with pytest.raises(ValidationError, match="有效日期"):
        _pass(ctx, valid_date=T0.date() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="有效日期"):
        _pass(ctx, valid_date=T0.date() + dt.timedelta(days=30))
    assert GoodsPass.select().count() == 2


def test_gate_uses_a_pass_once_and_refuses_expired_or_cancelled_ones(ctx, homes):
    gp = _pass(ctx, valid_date=T0.date() + dt.timedelta(days=1))
    assert passes.find_by_number("fx2026-000001").id == gp.id
    with pytest.raises(NotFound, match="FX2026-000099"):
        passes.find_by_number("FX2026-000099")
    used = passes.use_pass(ctx, gp.id, "门岗老李")
    assert used.status == "已放行" and used.checked_by == "门岗老李"
    with pytest.raises(StateError, match="不能重复使用"):
        passes.use_pass(ctx, gp.id)
    late = _pass(ctx)
    cancelled = _pass(ctx)
    passes.cancel_pass(ctx, cancelled.id, "业主改期")
    with pytest.raises(StateError, match="已作废"):
        passes.use_pass(ctx, cancelled.id)
    ctx.clock.set(T0 + dt.timedelta(days=1))
    with pytest.raises(StateError, match="已过期"):
        passes.use_pass(ctx, late.id)
    statuses = {r["number"]: r["status"] for r in passes.pass_register(ctx)}
    assert statuses == {"FX2026-000001": "已放行", "FX2026-000002": "已过期", "FX2026-000003": "已作废"}
    assert passes.open_passes(ctx) == []
    acts = sorted(a.action for a in AuditLog.select().where(AuditLog.entity == "goods_pass"))
    assert acts == ["passes.cancel", "passes.issue", "passes.issue", "passes.issue", "passes.use"]


def test_pass_prints_with_its_stub_and_the_register(ctx, homes, tmp_path):
    gp = _pass(ctx)
    text = pdf_text(prints.goods_pass_pdf(ctx, gp.id)).replace("\n", "")
    assert text.count("FX2026-000001") >= 2 and "物品放行条 存根" in text and "沿此线剪开" in text
    for word in ("旧沙发", "纸箱", "张师傅", "晋A88888", "门岗查验签字", "138****5678"):
        assert word in text
    assert "13812345678" not in text
    reg = pdf_text(prints.passes_register_pdf(ctx)).replace("\n", "")
    assert "物品放行登记表" in reg and "FX2026-000001" in reg
    from openpyxl import load_workbook
    assert passes.export_passes(ctx, passes.pass_register(ctx), tmp_path / "p.xlsx") == 1
    assert load_workbook(tmp_path / "p.xlsx").active["A2"].value == "FX2026-000001"
    assert visitors.export_visitors(ctx, [], tmp_path / "v.xlsx") == 0
