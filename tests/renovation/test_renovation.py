"""Renovation services (domain.md §4): the nine stages, deadlines, fees through the ledger."""
import datetime as dt

import pytest

from app.core.dates import add_months
from app.core.errors import PermissionDenied, StateError, ValidationError
from app.renovation import api as rv
from tests.helpers.renovation import (
    APPLICATION,
    make_file,
    make_homes,
    make_id,
    make_photo,
    pay_all,
)


@pytest.fixture
def homes(ctx):
    return make_homes(ctx)


def _charge(cid):
    from models.ledger import Charge
    return Charge.get_by_id(cid)


def _at(ctx, y, m, d, h=9):
    ctx.clock.set(dt.datetime(y, m, d, h, 0))


def started(ctx, homes, tmp_path, room="5-101", workers=1):
    """An application approved, paid, tested, fire undertaking signed and permit issued."""
    home = homes[room]
    r = rv.apply(ctx, home.id, APPLICATION, drawings=[make_file(tmp_path)])
    rv.approve(ctx, r.id, "同意，按图施工")
    ws = [rv.register_worker(ctx, r.id, {"name": f"工人{i}", "id_number": make_id(f"1101011990030{7100 + i}"),
                                         "card": "AB"[i % 2], "valid_until": "2027-03-31"}) for i in range(workers)]
    r = rv.get(ctx, r.id)
    pay_all(ctx, home.id, rv.unpaid_charge_ids(r))
    rv.record_tests(ctx, r.id, True, True, "王建国")
    rv.sign_fire_undertaking(ctx, r.id, "王建国")
    ctx.clock.advance(days=ctx.settings.get("renovation.permit_wait_days"))
    rv.issue_permit(ctx, r.id)
    for w in ws:
        rv.issue_pass(ctx, w.id)
    return rv.get(ctx, r.id)


def test_fees_by_house_type_and_area(ctx, homes):
    # 000 item 17: 洋房 3,000, 叠加 5,000, 联排 10,000 元; rubbish 4 元/m²
    assert rv.deposit_for(ctx, "洋房") == 300000
    assert rv.deposit_for(ctx, "叠加") == 500000
    assert rv.deposit_for(ctx, "联排") == 1000000
    assert rv.rubbish_fee_for(ctx, 12345) == 49380        # 123.45 m² × 4.00 = 493.80 元
    assert rv.rubbish_fee_for(ctx, 12301) == 49204        # 123.01 × 4 = 492.04
    ctx.settings.set("renovation.rubbish_rate", 333)      # 123.45 × 3.33 = 411.0885 → 411.09 (half-up once)
    assert rv.rubbish_fee_for(ctx, 12345) == 41109
    with pytest.raises(ValidationError, match="户型"):
        rv.deposit_for(ctx, "别墅")


def test_rubbish_charge_memo_area_two_decimals(ctx, homes, tmp_path):
    """The ledger memo shows the area as the archive does (150.00㎡, not 150㎡)."""
    r = rv.apply(ctx, homes["5-102"].id, APPLICATION, drawings=[make_file(tmp_path)])
    r = rv.approve(ctx, r.id, "同意")
    assert _charge(r.rubbish_charge_id).memo == f"装修垃圾清运费 150.00㎡ {r.number}"


def _apply_approve_register(ctx, home, tmp_path):
    """Stages 1-2 and the workers' registration of the end-to-end walk."""
    # 1. application with plan, contractor and drawings
    r = rv.apply(ctx, home.id, APPLICATION, drawings=[make_file(tmp_path)])
    assert r.state == "待审批" and r.number.startswith("ZX2026-")
    assert len(rv.drawings_of(r.id)) == 1
    assert [d.category for d in rv.due_items(ctx)] == ["待审批"]
    # 2. approval posts the fees to the ledger
    r = rv.approve(ctx, r.id, "同意")
    assert r.state == "已批准" and r.decided_by_id == ctx.user.id
    dep, rub = _charge(r.deposit_charge_id), _charge(r.rubbish_charge_id)
    assert ((dep.item_code, dep.amount_fen, dep.source, dep.source_id)
            == ("renovation_deposit", 300000, "renovation", r.id))
    assert (rub.item_code, rub.amount_fen) == ("rubbish_removal", 49380)
    assert (rub.quantity_milli, rub.unit_price_fen) == (123450, 400)      # 123.45 m² × 4.00 元
    # workers: pass fee 10 元 and pass deposit 50 元 each
    w1 = rv.register_worker(ctx, r.id, {"name": "张木工", "id_number": make_id(), "card": "A", "trade": "木工",
                                        "phone": "13700001111"}, photo=make_photo(tmp_path))
    w2 = rv.register_worker(ctx, r.id, {"name": "李电工", "id_number": make_id("11010119851111002"), "card": "B"})
    assert _charge(w1.fee_charge_id).amount_fen == 1000 and _charge(w1.deposit_charge_id).amount_fen == 5000
    assert w1.id_masked.startswith("110") and "*" in w1.id_masked
    assert make_id() not in w1.id_enc and ctx.vault.decrypt(w1.id_enc) == make_id()
    assert w1.valid_until == dt.date(2027, 2, 28)          # the planned end by default
    assert rv.worker_photo(ctx, w1.id).is_file()
    return r, w1, w2


def _tests_fees_permit(ctx, homes, home, r, w1, w2):
    """Stages 3-5: tests, fees paid in the ledger, the permit no earlier than 2 days after the tests."""
    r = rv.get(ctx, r.id)
    assert not rv.fees_paid(r)
    assert "待缴费" in [d.category for d in rv.due_items(ctx)]
    # 4. tests signed on 11-23, the permit is refused before 11-25 (2 days later)
    rv.record_tests(ctx, r.id, True, True, "王建国")
    rv.sign_fire_undertaking(ctx, r.id, "王建国")
    with pytest.raises(StateError, match="未缴清"):
        rv.issue_permit(ctx, r.id)
    # 3. fees paid in the ledger
    pay_all(ctx, home.id, rv.unpaid_charge_ids(r))
    r = rv.get(ctx, r.id)
    assert rv.fees_paid(r) and rv.unpaid_charge_ids(r) == []
    _at(ctx, 2026, 11, 24)
    with pytest.raises(StateError, match="最早可于 2026-11-25"):
        rv.issue_permit(ctx, r.id)
    due = [d for d in rv.due_items(ctx) if d.category == "待领许可证"]
    assert due and due[0].due == dt.date(2026, 11, 25)
    assert rv.get(ctx, r.id).state == "已批准" and rv.get(ctx, r.id).permit_on is None
    # 5. permit on 11-25; home goes to 装修中; passes issued
    _at(ctx, 2026, 11, 25)
    r = rv.issue_permit(ctx, r.id)
    assert r.state == "施工中" and r.permit_on == dt.date(2026, 11, 25) and r.permit_number
    assert homes["5-101"].__class__.get_by_id(home.id).state == "装修中"
    rv.issue_pass(ctx, w1.id)
    rv.issue_pass(ctx, w2.id)
    return r


def _works_to_refund(ctx, homes, home, r, w1, w2):
    """Stages 6-9: patrols and a notice, completion, inspections, passes back, the deposit refunded."""
    # 6. patrols and a notice with a deadline (3 days by default), overdue then closed
    rv.record_patrol(ctx, r.id, True, "现场整洁", workers_present=2)
    n = rv.issue_notice(ctx, r.id, "整改通知单", "楼道堆放建筑垃圾", "当日清运")
    assert n.deadline == dt.date(2026, 11, 28)
    _at(ctx, 2026, 11, 29)
    assert [d.category for d in rv.due_items(ctx)] == ["通知逾期"]
    rv.close_notice(ctx, n.id, "已清运，复查合格")
    assert rv.due_items(ctx) == []
    # 7. completion; the first inspection is overdue after 7 days
    _at(ctx, 2027, 2, 20)
    r = rv.record_completion(ctx, r.id, "2027-02-10")
    assert rv.first_inspection_due(ctx, r) == dt.date(2027, 2, 17)
    assert "初验逾期" in [d.category for d in rv.due_items(ctx)]
    r = rv.first_inspection(ctx, r.id, True, "验收合格")
    assert r.state == "初验通过" and r.second_due == dt.date(2027, 5, 20)   # 3 months later
    assert homes["5-101"].__class__.get_by_id(home.id).state == "已入住"      # back as before
    # 8. passes returned: deposits 50 元 refunded through the ledger; one pass lost keeps its deposit
    w1 = rv.return_pass(ctx, w1.id)
    assert w1.deposit_refund_fen == 5000 and _charge(w1.deposit_charge_id).refunded_fen == 5000
    w2 = rv.return_pass(ctx, w2.id, lost=True)
    assert w2.deposit_refund_fen == 0 and _charge(w2.deposit_charge_id).refunded_fen == 0
    # 9. second inspection three months later, no earlier
    _at(ctx, 2027, 5, 15)
    assert [d.category for d in rv.due_items(ctx)] == ["本周复验"]
    with pytest.raises(StateError, match="2027-05-20"):
        rv.second_inspection(ctx, r.id, True)
    _at(ctx, 2027, 5, 20)
    rv.second_inspection(ctx, r.id, True, "无质量问题")
    # deductions cannot exceed the deposit
    with pytest.raises(ValidationError, match="超过已缴保证金"):
        rv.refund_deposit(ctx, r.id, [("损坏公共楼道墙面", "2000"), ("违规施工", "1500")])
    r = rv.refund_deposit(ctx, r.id, [("损坏公共楼道墙面", "500")])
    assert r.state == "已结案" and r.refund_fen == 250000
    assert [(d.reason, d.amount_fen) for d in r.deductions] == [("损坏公共楼道墙面", 50000)]
    assert _charge(r.deposit_charge_id).refunded_fen == 250000
    return r


def test_end_to_end_with_refused_premature_permit_and_deduction(ctx, homes, tmp_path):
    home = homes["5-101"]
    r, w1, w2 = _apply_approve_register(ctx, home, tmp_path)
    r = _tests_fees_permit(ctx, homes, home, r, w1, w2)
    r = _works_to_refund(ctx, homes, home, r, w1, w2)
    st = rv.stages(ctx, r)
    assert [s.no for s in st] == list(range(1, 10)) and all(s.done for s in st)
    assert all(s.day for s in st) and st[0].by == "王经理"
    assert st[2].day == dt.date(2026, 11, 23) and "已缴清" in st[2].text      # paid at the cashier on 11-23
    # the paper archive has the renovation papers ticked; every write is audited, chain intact
    from app.core.audit import verify_chain
    from models.archive import ArchiveDocument
    from models.users import AuditLog
    on_file = {d.doc_code for d in ArchiveDocument.select()
               .where((ArchiveDocument.home == home.id) & ArchiveDocument.on_file)}
    assert {"reno_application", "water_pressure_test", "fire_undertaking", "rectification_notice"} <= on_file
    actions = {a.action for a in AuditLog.select(AuditLog.action)}
    assert {"renovation.apply", "renovation.approve", "renovation.tests", "renovation.permit", "renovation.worker",
            "renovation.patrol", "renovation.notice", "renovation.notice_close", "renovation.finish",
            "renovation.first_inspection", "renovation.pass_return", "renovation.second_inspection",
            "renovation.refund", "home.state"} <= actions
    assert verify_chain(ctx) == []


def test_failed_test_then_retest_and_refused_states(ctx, homes, tmp_path):
    r = rv.apply(ctx, homes["5-201"].id, APPLICATION, drawings=[make_file(tmp_path)])
    with pytest.raises(StateError, match="不能登记闭水"):
        rv.record_tests(ctx, r.id, True, True, "王建国")
    rv.approve(ctx, r.id)
    assert rv.get(ctx, r.id).deposit_fen == 1000000          # 联排 10,000 元
    assert rv.get(ctx, r.id).rubbish_fen == 88200           # 220.50 m² × 4 = 882.00 元
    rv.record_tests(ctx, r.id, True, False, "王建国", note="卫生间闭水渗漏")
    pay_all(ctx, homes["5-201"].id, rv.unpaid_charge_ids(rv.get(ctx, r.id)))
    rv.sign_fire_undertaking(ctx, r.id, "王建国")
    ctx.clock.advance(days=5)
    with pytest.raises(StateError, match="试验未通过"):
        rv.issue_permit(ctx, r.id)
    rv.record_tests(ctx, r.id, True, True, "王建国")          # retested today: wait again
    with pytest.raises(StateError, match="最早可于"):
        rv.issue_permit(ctx, r.id)
    with pytest.raises(StateError, match="不能初验"):
        rv.first_inspection(ctx, r.id, True)
    with pytest.raises(StateError, match="已有未结案"):
        rv.apply(ctx, homes["5-201"].id, APPLICATION)


def test_application_validation_and_rejection(ctx, homes, tmp_path):
    bad = dict(APPLICATION, contractor_phone="123")
    with pytest.raises(ValidationError, match="负责人电话"):
        rv.apply(ctx, homes["5-101"].id, bad)
    with pytest.raises(ValidationError, match="施工单位"):
        rv.apply(ctx, homes["5-101"].id, dict(APPLICATION, contractor_name=" "))
    with pytest.raises(ValidationError, match="计划完工日期"):
        rv.apply(ctx, homes["5-101"].id, dict(APPLICATION, planned_end="2026-11-01"))
    with pytest.raises(StateError, match="尚未交付"):
        rv.apply(ctx, homes["5-301"].id, APPLICATION)
    r = rv.apply(ctx, homes["5-101"].id, APPLICATION)
    with pytest.raises(ValidationError, match="装修图纸"):
        rv.approve(ctx, r.id)
    with pytest.raises(ValidationError, match="驳回理由"):
        rv.reject(ctx, r.id, "")
    r = rv.reject(ctx, r.id, "拆改承重墙，不予批准")
    assert r.state == "已驳回" and r.decision_note == "拆改承重墙，不予批准"
    from models.ledger import Charge
    assert Charge.select().where(Charge.source == "renovation").count() == 0
    # a new application after the rejection
    r2 = rv.apply(ctx, homes["5-101"].id, APPLICATION, drawings=[make_file(tmp_path)])
    assert r2.number != r.number
    from models.users import AuditLog
    assert AuditLog.select().where(AuditLog.action == "renovation.reject").count() == 1


def test_abandoned_after_works_started(ctx, homes, tmp_path):
    # 叠加 5,000 元 deposit; abandoned during the works: deposit refunded less a deduction,
    # rubbish fee not refunded, returned pass deposit refunded, home back to 空置
    r = started(ctx, homes, tmp_path, room="5-102", workers=1)
    assert homes["5-102"].__class__.get_by_id(homes["5-102"].id).state == "装修中"
    w = r.workers[0]
    with pytest.raises(StateError, match="收回出入证"):
        rv.abandon(ctx, r.id, "业主出售房屋")
    rv.return_pass(ctx, w.id, refund=False)
    with pytest.raises(ValidationError, match="放弃原因"):
        rv.abandon(ctx, r.id, "")
    with pytest.raises(ValidationError, match="超过"):
        rv.abandon(ctx, r.id, "业主出售房屋", [("损坏电梯轿厢", "5000.01")])
    r = rv.abandon(ctx, r.id, "业主出售房屋", [("损坏电梯轿厢", "800")])
    assert r.state == "已放弃" and r.refund_fen == 420000
    assert _charge(r.deposit_charge_id).refunded_fen == 420000
    assert _charge(r.rubbish_charge_id).refunded_fen == 0
    assert _charge(rv.get(ctx, r.id).workers[0].deposit_charge_id).refunded_fen == 5000
    assert homes["5-102"].__class__.get_by_id(homes["5-102"].id).state == "空置"
    assert rv.stages(ctx, r)[-1].name == "放弃装修"


def test_abandoned_before_permit(ctx, homes, tmp_path):
    home = homes["5-101"]
    r = rv.apply(ctx, home.id, APPLICATION, drawings=[make_file(tmp_path)])
    rv.approve(ctx, r.id)
    r = rv.get(ctx, r.id)
    pay_all(ctx, home.id, [r.deposit_charge_id, r.rubbish_charge_id])
    r = rv.abandon(ctx, r.id, "改期装修")
    assert _charge(r.deposit_charge_id).refunded_fen == 300000
    assert _charge(r.rubbish_charge_id).refunded_fen == 0         # a fee, not a deposit
    assert homes["5-101"].__class__.get_by_id(home.id).state == "已入住"
    # a new application is possible afterwards
    assert rv.apply(ctx, home.id, APPLICATION).state == "待审批"


def test_permissions(ctx, homes, tmp_path, as_role):
    fd, am, ca = as_role("frontdesk"), as_role("area_manager"), as_role("cashier")
    with pytest.raises(PermissionDenied, match="权限不足"):
        rv.apply(ca, homes["5-101"].id, APPLICATION)
    r = rv.apply(fd, homes["5-101"].id, APPLICATION, drawings=[make_file(tmp_path)])
    for c in (fd, am, ca):
        with pytest.raises(PermissionDenied):
            rv.approve(c, r.id)
    rv.approve(ctx, r.id)
    # the front desk registers a worker (posting the charges), the cashier takes the money
    w = rv.register_worker(fd, r.id, {"name": "赵瓦工", "id_number": make_id()})
    pay_all(ca, homes["5-101"].id, rv.unpaid_charge_ids(rv.get(ctx, r.id)))
    assert rv.stages(ctx, rv.get(ctx, r.id))[2].by == "赵出纳"             # who took the money
    # a pass returned by the front desk: the refund needs the cashier
    with pytest.raises(PermissionDenied):
        rv.return_pass(fd, w.id)
    rv.return_pass(fd, w.id, refund=False)
    with pytest.raises(PermissionDenied):
        rv.refund_pass_deposit(fd, w.id)
    assert rv.refund_pass_deposit(ca, w.id).deposit_refund_fen == 5000
    with pytest.raises(PermissionDenied):
        rv.abandon(fd, r.id, "x")
    assert rv.list_renovations(ca)[0].id == r.id      # everyone may view


def test_spot_checks_deterministic_and_prefer_unchecked(ctx, homes, tmp_path):
    from models.property import Home
    rooms = []
    for i in range(5):
        h = Home.create(entrance=homes["5-101"].entrance, building=homes["5-101"].building,
                        cluster=homes["5-101"].cluster, room_code=f"5-40{i}", area_x100=10000, house_type="洋房",
                        state="空置")
        rooms.append(h.room_code)
        homes[h.room_code] = h
    _at(ctx, 2026, 11, 1)
    ids = [started(ctx, homes, tmp_path, room=room, workers=0).id for room in rooms]
    _at(ctx, 2026, 11, 23)
    assert ctx.settings.get("renovation.daily_spot_checks") == 2
    first = [r.id for r in rv.spot_checks(ctx)]
    assert len(first) == 2 and first == [r.id for r in rv.spot_checks(ctx)]
    # yesterday's checks are passed over today
    for rid in first:
        rv.record_patrol(ctx, rid, True, on="2026-11-23")
    _at(ctx, 2026, 11, 24)
    second = [r.id for r in rv.spot_checks(ctx)]
    assert len(second) == 2 and not set(second) & set(first)
    assert set(second) <= set(ids)
    ctx.settings.set("renovation.daily_spot_checks", 1)
    assert len(rv.spot_checks(ctx)) == 1


def test_pass_expiring_and_patrol_rules(ctx, homes, tmp_path):
    r = started(ctx, homes, tmp_path, workers=1)
    w = r.workers[0]
    with pytest.raises(ValidationError, match="巡查情况"):
        rv.record_patrol(ctx, r.id, False, "")
    rv.record_patrol(ctx, r.id, False, "未佩戴出入证施工")
    with pytest.raises(ValidationError, match="有效期至"):
        rv.register_worker(ctx, r.id, {"name": "钱", "id_number": make_id("11010119900101001"),
                                       "valid_until": "2026-01-01"})
    with pytest.raises(ValidationError, match="身份证号"):
        # the same person is already registered
        rv.register_worker(ctx, r.id, {"name": "钱", "id_number": make_id("11010119900307100")})
    _at(ctx, 2027, 3, 26)                                   # valid until 2027-03-31: within 7 days
    items = [d for d in rv.due_items(ctx) if d.category == "出入证到期"]
    assert items and w.name in items[0].what and not items[0].overdue
    assert rv.pass_state(rv.workers_of(ctx, r.id)[0], ctx.clock.today()) == "有效"


def test_second_inspection_month_end(ctx):
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 23), 3) == dt.date(2027, 2, 23)


def test_startup_reminders(ctx, homes, tmp_path):
    assert rv.startup_reminders(ctx) == []
    started(ctx, homes, tmp_path, workers=0)
    rv.apply(ctx, homes["5-102"].id, APPLICATION)
    lines = rv.startup_reminders(ctx)
    assert lines[0] == "装修管理：待审批 1 项" and lines[1] == "今日装修抽查：5-101"


def test_demo_populate(ctx, tmp_path):
    """The demo generator on a small site: renovations at every stage, consistent with the ledger."""
    import random

    from app.demo import renovation as demo_renovation
    from models.property import Home
    from models.renovation import Renovation
    homes = make_homes(ctx)
    for i in range(6):
        Home.create(entrance=homes["5-101"].entrance, building=homes["5-101"].building, cluster=homes["5-101"].cluster,
                    room_code=f"5-50{i}", area_x100=11000 + i, house_type="洋房",
                    state=["装修中", "空置", "已入住"][i % 3],
                    move_in_date=dt.date(2025, 1, 1) if i % 3 == 2 else None)
    demo_renovation.populate(ctx, random.Random(3))
    states = {r.state for r in Renovation.select()}
    assert {"施工中", "待审批", "已批准", "初验通过", "已结案", "已放弃"} <= states
    for r in Renovation.select().where(Renovation.state == "施工中"):
        assert r.home.state == "装修中" and rv.fees_paid(r)
    closed = Renovation.get(Renovation.state == "已结案")
    assert closed.refund_fen == rv.deposit_for(ctx, closed.home.house_type) - 35000
    assert rv.due_items(ctx)
    before = Renovation.select().count()
    demo_renovation.populate(ctx, random.Random(3))     # idempotent: nothing added twice
    assert Renovation.select().count() == before


def test_abandoned_unpaid_shows_open_charges(ctx, homes, tmp_path):
    r = rv.apply(ctx, homes["5-201"].id, APPLICATION, drawings=[make_file(tmp_path)])
    rv.approve(ctx, r.id)
    r = rv.abandon(ctx, r.id, "业主改变主意")        # nothing paid: nothing refunded
    assert r.state == "已放弃" and r.refund_fen == 0 and r.refunded_on is None
    last = rv.stages(ctx, r)[-1]
    assert "未收取的押金 10,000.00 元" in last.text             # the deposit was never taken
    assert rv.stages(ctx, r)[0].text.endswith("图纸 1 份")
    # the rubbish fee (220.50 m² × 4 = 882.00) is waived in the ledger, not deleted, not owed
    from models.ledger import Charge, Payment
    rubbish = Charge.get_by_id(r.rubbish_charge_id)
    assert rubbish.paid_fen == rubbish.amount_fen == 88200
    line = Payment.get(Payment.charge == rubbish.id)
    assert line.kind == "waive" and line.receipt_id is None and "业主改变主意" in line.reason
    from app.ledger.arrears import home_arrears
    ctx.clock.advance(days=60)
    assert home_arrears(ctx) == []
    from app.ledger.checks import run as ledger_check
    assert ledger_check(ctx) == []


def test_nothing_half_saved(ctx, homes, tmp_path):
    """A failure inside the write (the photo cannot be attached after the charges were posted)
    rolls back the worker and both ledger charges."""
    from models.ledger import Charge
    from models.renovation import RenovationWorker
    r = rv.apply(ctx, homes["5-101"].id, APPLICATION, drawings=[make_file(tmp_path)])
    rv.approve(ctx, r.id)
    before = Charge.select().count()
    with pytest.raises(ValidationError, match="附件"):
        rv.register_worker(ctx, r.id, {"name": "张木工", "id_number": make_id()}, photo=tmp_path / "无此文件.png")
    assert RenovationWorker.select().count() == 0 and Charge.select().count() == before
    with pytest.raises(ValidationError, match="附件"):
        rv.apply(ctx, homes["5-102"].id, APPLICATION, drawings=[tmp_path / "无此图纸.pdf"])
    assert rv.list_renovations(ctx, "all")[0].room_code == "5-101" and len(rv.list_renovations(ctx, "all")) == 1


def test_pass_extension(ctx, homes, tmp_path):
    r = started(ctx, homes, tmp_path, workers=1)
    w = r.workers[0]
    _at(ctx, 2027, 3, 26)
    assert [d.category for d in rv.due_items(ctx)] == ["出入证到期"]
    with pytest.raises(ValidationError, match="应晚于原有效期 2027-03-31"):
        rv.extend_pass(ctx, w.id, "2027-03-01")
    rv.extend_pass(ctx, w.id, "2027-05-31")
    assert rv.due_items(ctx) == []
    rv.return_pass(ctx, w.id)
    with pytest.raises(StateError, match="已退还"):
        rv.extend_pass(ctx, w.id, "2027-06-30")
    assert rv.drawing_files(ctx, r.id)[0][0] == "图纸.pdf"


def test_first_inspection_needs_notices_closed_and_failed_inspection_stays(ctx, homes, tmp_path):
    r = started(ctx, homes, tmp_path, workers=0)
    n = rv.issue_notice(ctx, r.id, "违规通知单", "私自改动燃气管道位置", deadline="2026-11-26")
    with pytest.raises(ValidationError, match="整改期限"):
        rv.issue_notice(ctx, r.id, "违规通知单", "x", deadline="2026-11-01")
    rv.record_completion(ctx, r.id)
    with pytest.raises(StateError, match="未关闭"):
        rv.first_inspection(ctx, r.id, True)
    with pytest.raises(ValidationError, match="验收意见"):
        rv.first_inspection(ctx, r.id, False, "")
    r = rv.first_inspection(ctx, r.id, False, "燃气管道未恢复")
    assert r.state == "已完工" and r.first_inspection_ok is False
    assert homes["5-101"].__class__.get_by_id(r.home_id).state == "装修中"   # still under works
    rv.close_notice(ctx, n.id, "已恢复原位")
    assert rv.first_inspection(ctx, r.id, True, "复查合格").state == "初验通过"


def test_worker_photo_must_be_an_image(ctx, homes, tmp_path):
    """A file that is not a JPG/PNG picture is refused (it would break the pass print); nothing saved."""
    from models.renovation import RenovationWorker
    r = rv.apply(ctx, homes["5-101"].id, APPLICATION, drawings=[make_file(tmp_path)])
    rv.approve(ctx, r.id, "同意")
    fake = tmp_path / "photo.jpg"
    fake.write_text("not a picture")
    with pytest.raises(ValidationError, match="照片"):
        rv.register_worker(ctx, r.id, {"name": "张木工", "id_number": make_id()}, photo=fake)
    assert RenovationWorker.select().count() == 0
    w = rv.register_worker(ctx, r.id, {"name": "张木工", "id_number": make_id()}, photo=make_photo(tmp_path))
    with pytest.raises(ValidationError, match="照片"):
        rv.attach_worker_photo(ctx, w.id, fake)


def test_pass_card_prints_with_unreadable_stored_photo(ctx, homes, tmp_path):
    """A photo stored before the check (or damaged since) prints the blank photo box instead of failing."""
    from app.core.attachments import attach
    from app.renovation import prints as rf
    r = rv.apply(ctx, homes["5-101"].id, APPLICATION, drawings=[make_file(tmp_path)])
    rv.approve(ctx, r.id, "同意")
    w = rv.register_worker(ctx, r.id, {"name": "张木工", "id_number": make_id()})
    fake = tmp_path / "photo.jpg"
    fake.write_text("not a picture")
    attach(ctx, "renovation_worker", w.id, fake, notes="施工人员照片")
    assert rf.form_pdf(ctx, "passes", r.id)[:4] == b"%PDF"
