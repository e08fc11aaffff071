"""Service requests, complaints and return visits: every rule of domain.md §9 with its numbers."""
import datetime as dt

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.service import complaints as cp
from app.service import deadlines, handling, kpi, queries, records
from models.service import ServiceEvent, ServiceRequest
from models.users import AuditLog
from tests.helpers.service import at, make_homes, new_request


@pytest.fixture
def homes(ctx):
    return make_homes(6)


def events(r, kind):
    return [e for e in records.history(r.id) if e.kind == kind]


# ----------------------------------------------------------------- intake (首问责任制)
def test_intake_first_receiver_owns_and_stays_owner(ctx, users, as_role, homes):
    fd = as_role("frontdesk")
    r = new_request(fd, homes[0])
    assert r.number == "FW2026-000001" and r.status == "待派工"
    assert r.receiver_id == users["frontdesk"].id and r.read_back
    assert r.received_at == dt.datetime(2026, 11, 23, 9, 0)
    am = as_role("area_manager")
    handling.dispatch(am, r.id, "张师傅")
    handling.arrive(am, r.id)
    handling.complete(am, r.id, result="已修复", owner_signed=True, signer_name="刘女士")
    assert records.get(r.id).receiver_id == users["frontdesk"].id      # still the first receiver
    assert AuditLog.select().where(AuditLog.action == "service.intake").count() == 1


@pytest.mark.parametrize("field,kw", [
    ("复述确认", {"read_back": False}),
    ("报事人", {"caller": " "}),
    ("报事内容", {"content": ""}),
    ("受理方式", {"channel": "微信"}),
    ("类别", {"kind": "表扬"}),
    ("联系电话", {"phone": "123"}),
    ("联系电话", {"phone": ""}),           # a phone call needs the caller's number
])
def test_intake_validation_names_field(ctx, homes, field, kw):
    with pytest.raises(ValidationError, match=field):
        new_request(ctx, homes[0], **kw)
    assert ServiceRequest.select().count() == 0


def test_intake_letter_without_phone_and_unknown_home(ctx, homes):
    r = new_request(ctx, homes[0], channel="信函", phone="")
    assert r.phone == ""
    from app.service.intake import intake
    with pytest.raises(ValidationError, match="房号"):
        intake(ctx, channel="来访", kind="咨询", room_code="99-999", caller="x", content="y", read_back=True)


def test_intake_without_room_says_it_is_missing(ctx, homes):
    from app.service.intake import intake
    with pytest.raises(ValidationError) as e:
        intake(ctx, channel="来访", kind="咨询", room_code="  ", caller="x", content="y", read_back=True)
    assert "不能为空" in str(e.value) and "不存在" not in str(e.value)


def test_intake_complaint_needs_class_and_subject(ctx, homes):
    with pytest.raises(ValidationError, match="投诉类别"):
        new_request(ctx, homes[0], kind="投诉", complaint_class="卫生")
    with pytest.raises(ValidationError, match="投诉主题"):
        new_request(ctx, homes[0], kind="投诉", subject="")


def test_cashier_cannot_take_requests(ctx, homes, as_role):
    with pytest.raises(PermissionDenied, match="权限不足"):
        new_request(as_role("cashier"), homes[0])


# ----------------------------------------------------------------- repairs: 10 / 20 minutes
def test_dispatch_within_10_minutes_and_arrival_within_20(ctx, homes):
    r = new_request(ctx, homes[0])
    assert deadlines.dispatch_due(ctx, r) == dt.datetime(2026, 11, 23, 9, 10)
    at(ctx, 2026, 11, 23, 9, 10)                 # exactly 10 minutes: on time
    r = handling.dispatch(ctx, r.id, "张师傅")
    assert deadlines.dispatched_on_time(ctx, r) is True
    assert deadlines.arrival_due(ctx, r) == dt.datetime(2026, 11, 23, 9, 30)
    at(ctx, 2026, 11, 23, 9, 31)                 # 21 minutes after dispatch: late
    r = handling.arrive(ctx, r.id)
    assert deadlines.arrived_on_time(ctx, r) is False
    assert "超过到场时限" in events(r, "到场")[0].note


def test_dispatch_late_after_11_minutes_and_warnings(ctx, homes):
    r = new_request(ctx, homes[0])
    at(ctx, 2026, 11, 23, 9, 11)
    assert "派工超时" in queries.warnings(ctx, records.get(r.id))
    r = handling.dispatch(ctx, r.id, "张师傅")
    assert deadlines.dispatched_on_time(ctx, r) is False
    at(ctx, 2026, 11, 23, 9, 32)
    assert "到场超时" in queries.warnings(ctx, records.get(r.id))


def test_dispatch_minutes_is_a_setting(ctx, homes):
    ctx.settings.set("request.dispatch_minutes", 5)
    r = new_request(ctx, homes[0])
    at(ctx, 2026, 11, 23, 9, 6)
    assert deadlines.dispatched_on_time(ctx, handling.dispatch(ctx, r.id, "张师傅")) is False


def test_state_order_enforced(ctx, homes):
    r = new_request(ctx, homes[0])
    with pytest.raises(StateError, match="不能登记到场"):
        handling.arrive(ctx, r.id)
    with pytest.raises(StateError, match="尚未登记维修人员到场"):
        handling.complete(ctx, r.id, result="x", owner_signed=True, signer_name="刘")
    handling.dispatch(ctx, r.id, "张师傅")
    with pytest.raises(StateError, match="不能派工"):
        handling.dispatch(ctx, r.id, "李师傅")


def _to_work(ctx, home):
    r = new_request(ctx, home)
    handling.dispatch(ctx, r.id, "张师傅")
    handling.arrive(ctx, r.id)
    return r


def test_completion_needs_owner_signature(ctx, homes):
    r = _to_work(ctx, homes[0])
    with pytest.raises(ValidationError, match="业主签字"):
        handling.complete(ctx, r.id, result="已修复", owner_signed=False)
    with pytest.raises(ValidationError, match="签字人"):
        handling.complete(ctx, r.id, result="已修复", owner_signed=True, signer_name="")
    assert records.get(r.id).status == "处理中"     # nothing half-saved


def test_paid_service_owner_price_recorded(ctx, homes):
    """000 item 18: clear a drain 30 元 (owner price) — integer fen on the request (and the ledger)."""
    r = _to_work(ctx, homes[0])
    r = handling.complete(ctx, r.id, result="已疏通", owner_signed=True, signer_name="刘女士", service_item="drain")
    assert r.charge_fen == 3000 and isinstance(r.charge_fen, int)
    assert "疏通下水道" in r.charge_memo
    assert handling.paid_service_price(ctx, "tap") == 500
    assert handling.paid_service_price(ctx, "lamp") == 1000


def test_paid_service_posts_to_ledger(ctx, homes):
    """The paid service becomes a charge in the fee ledger, linked both ways (charge_id, source)."""
    from models.ledger import Charge
    r = _to_work(ctx, homes[0])
    r = handling.complete(ctx, r.id, result="已更换", owner_signed=True, signer_name="刘女士", service_item="breaker")
    charge = Charge.get_by_id(r.charge_id)
    assert (charge.home_id, charge.item_code, charge.amount_fen, charge.memo, charge.source, charge.source_id) == \
        (homes[0].id, "service_breaker", 1000, r.charge_memo, "service", r.id)
    assert Charge.select().count() == 1


def test_paid_service_charge_memo_names_the_service(ctx, homes):
    from models.ledger import Charge
    r = _to_work(ctx, homes[0])
    r = handling.complete(ctx, r.id, result="已更换", owner_signed=True, signer_name="刘女士", service_item="tap")
    charge = Charge.get_by_id(r.charge_id)
    assert (charge.home_id, charge.item_code, charge.amount_fen, charge.source, charge.source_id) == \
        (homes[0].id, "service_tap", 500, "service", r.id)
    assert "更换水龙头" in charge.memo


def test_paid_service_refused_before_writing_without_ledger_right(ctx, homes, as_role, monkeypatch):
    from app.core.permissions import ACTIONS
    from models.ledger import Charge
    label, _roles = ACTIONS["ledger.charge"]
    monkeypatch.setitem(ACTIONS, "ledger.charge", (label, ("frontdesk", "cashier", "manager")))
    am = as_role("area_manager")
    r = _to_work(am, homes[0])
    with pytest.raises(PermissionDenied, match="权限不足"):
        handling.complete(am, r.id, result="已更换", owner_signed=True, signer_name="刘女士", service_item="tap")
    assert records.get(r.id).status == "处理中" and Charge.select().count() == 0
    assert handling.complete(am, r.id, result="已修复", owner_signed=True, signer_name="刘女士").status == "已完成"


def test_paid_service_bad_amounts(ctx, homes):
    r = _to_work(ctx, homes[0])
    with pytest.raises(ValidationError, match="收费金额"):
        handling.complete(ctx, r.id, result="x", owner_signed=True, signer_name="刘", service_item="other")
    with pytest.raises(ValidationError, match="收费金额"):
        handling.complete(ctx, r.id, result="x", owner_signed=True, signer_name="刘", service_item="other",
                          charge_fen=1.5)
    with pytest.raises(ValidationError, match="有偿服务项目"):
        handling.complete(ctx, r.id, result="x", owner_signed=True, signer_name="刘", service_item="paint")
    r = handling.complete(ctx, r.id, result="x", owner_signed=True, signer_name="刘", service_item="other",
                    charge_fen=2500, charge_memo="更换门锁芯")
    assert r.charge_fen == 2500 and r.charge_memo == "更换门锁芯"


# ----------------------------------------------------------------- escalation ladder
LADDER = [
    # (moment after intake at 2026-11-23 09:00, level, who)
    (dt.datetime(2026, 11, 23, 23, 59), 0, "首问责任人"),
    (dt.datetime(2026, 11, 24, 0, 0), 1, "部门主管"),        # not finished the same day
    (dt.datetime(2026, 11, 25, 8, 59), 1, "部门主管"),
    (dt.datetime(2026, 11, 25, 9, 0), 2, "客服主管"),        # 48 h
    (dt.datetime(2026, 11, 26, 9, 0), 3, "项目经理"),        # 72 h
    (dt.datetime(2026, 11, 30, 8, 59), 3, "项目经理"),
    (dt.datetime(2026, 11, 30, 9, 0), 4, "区域经理"),        # 7 days
    (dt.datetime(2026, 12, 8, 9, 0), 5, "品质中心"),         # 15 days
    (dt.datetime(2027, 3, 1, 9, 0), 5, "品质中心"),
]


@pytest.mark.parametrize("when,level,who", LADDER)
def test_escalation_level_at(ctx, homes, when, level, who):
    r = new_request(ctx, homes[0])
    holding = {h.request_id: h for h in deadlines.escalation_status(ctx, when)}[r.id]
    assert holding.level == level and holding.level_name == who
    assert who in holding.holder


def test_escalation_recorded_step_by_step_with_clock(ctx, homes):
    ctx.settings.set("request.holder.cs", "陈主管")
    r = new_request(ctx, homes[0])
    done = new_request(ctx, homes[1], kind="咨询")
    handling.complete(ctx, done.id, result="已解答")
    assert deadlines.run_escalations(ctx) == []
    ctx.clock.advance(hours=15)                          # 2026-11-24 00:00
    moved = deadlines.run_escalations(ctx)
    assert [(h.request_id, h.level) for h in moved] == [(r.id, 1)]
    assert deadlines.run_escalations(ctx) == []                 # idempotent
    ctx.clock.advance(hours=33)                          # 48 h
    assert deadlines.run_escalations(ctx)[0].holder == "客服主管（陈主管）"
    ctx.clock.advance(days=20)                           # straight past 72 h, 7 and 15 days
    assert deadlines.run_escalations(ctx)[0].level == 5
    ups = events(r, "升级")
    assert [e.level for e in ups] == [1, 2, 3, 4, 5]
    assert [e.ts for e in ups] == [dt.datetime(2026, 11, 24), dt.datetime(2026, 11, 25, 9),
                                   dt.datetime(2026, 11, 26, 9),
                                   dt.datetime(2026, 11, 30, 9), dt.datetime(2026, 12, 8, 9)]
    assert records.get(r.id).escalation_level == 5
    assert records.get(done.id).escalation_level == 0         # finished requests never escalate
    assert AuditLog.select().where(AuditLog.action == "service.escalate").count() == 3


def test_escalation_stops_when_finished(ctx, homes):
    r = _to_work(ctx, homes[0])
    handling.complete(ctx, r.id, result="已修复", owner_signed=True, signer_name="刘")
    assert deadlines.escalation_status(ctx, dt.datetime(2026, 12, 31)) == []


def test_holder_is_handler_after_dispatch(ctx, homes):
    r = new_request(ctx, homes[0])
    assert deadlines.escalation_status(ctx)[0].holder == "首问责任人（王经理）"
    handling.dispatch(ctx, r.id, "张师傅")
    assert "张师傅" in deadlines.escalation_status(ctx)[0].holder


def test_escalation_hours_are_settings(ctx, homes):
    ctx.settings.set("request.escalate_supervisor_hours", 24)
    r = new_request(ctx, homes[0])
    assert deadlines.level_at(ctx, r, dt.datetime(2026, 11, 24, 9, 0)) == 2


# ----------------------------------------------------------------- complaints
def test_complaint_contact_within_30_minutes(ctx, homes):
    r = new_request(ctx, homes[0], kind="投诉")
    assert cp.contact_due(ctx, r) == dt.datetime(2026, 11, 23, 9, 30)
    at(ctx, 2026, 11, 23, 9, 30)
    assert cp.contacted_on_time(ctx, cp.record_contact(ctx, r.id)) is True
    r2 = new_request(ctx, homes[1], kind="投诉")
    at(ctx, 2026, 11, 23, 10, 1)
    assert "联系超时" in queries.warnings(ctx, records.get(r2.id))
    assert cp.contacted_on_time(ctx, cp.record_contact(ctx, r2.id)) is False
    with pytest.raises(StateError, match="已于"):
        cp.record_contact(ctx, r2.id)


def test_spoken_complaint_reply_same_day(ctx, homes):
    r = new_request(ctx, homes[0], kind="投诉", channel="来访")   # Monday 2026-11-23
    assert cp.reply_due(ctx, r) == dt.datetime(2026, 11, 23, 23, 59, 59)
    at(ctx, 2026, 11, 24, 8, 0)
    assert "回复超时" in queries.warnings(ctx, records.get(r.id))
    assert cp.replied_on_time(ctx, cp.record_reply(ctx, r.id, "已安排保洁清运")) is False


@pytest.mark.parametrize("received,due", [
    (dt.datetime(2026, 11, 23, 9, 0), dt.date(2026, 11, 25)),    # Monday → Wednesday
    (dt.datetime(2026, 11, 26, 16, 0), dt.date(2026, 11, 30)),   # Thursday → Monday
    (dt.datetime(2026, 11, 27, 16, 0), dt.date(2026, 12, 1)),    # Friday → Tuesday
    (dt.datetime(2026, 11, 28, 10, 0), dt.date(2026, 12, 1)),    # Saturday → Tuesday
])
def test_written_complaint_reply_two_working_days(ctx, homes, received, due):
    ctx.clock.set(received)
    r = new_request(ctx, homes[0], kind="投诉", channel="信函", phone="")
    assert cp.reply_due(ctx, r) == dt.datetime.combine(due, dt.time(23, 59, 59))


def test_holidays_are_not_working_days(ctx, homes):
    ctx.settings.set("request.holidays", "2026-11-24")
    r = new_request(ctx, homes[0], kind="投诉", channel="信函", phone="")
    assert cp.reply_due(ctx, r).date() == dt.date(2026, 11, 26)


def test_report_after_five_working_days_unresolved(ctx, homes):
    r = new_request(ctx, homes[0], kind="投诉")                   # Monday 2026-11-23
    assert cp.report_due(ctx, r) == dt.datetime(2026, 11, 30, 23, 59, 59)   # next Monday
    at(ctx, 2026, 11, 30, 23, 0)
    assert cp.to_report(ctx) == []
    at(ctx, 2026, 12, 1, 8, 0)
    assert [x.id for x in cp.to_report(ctx)] == [r.id]
    assert "须上报" in queries.warnings(ctx, records.get(r.id))
    with pytest.raises(ValidationError, match="上报说明"):
        cp.report(ctx, r.id, "")
    cp.report(ctx, r.id, "五个工作日未解决，上报公司品质部")
    assert cp.to_report(ctx) == []


def test_resolved_complaint_needs_no_report(ctx, homes):
    r = new_request(ctx, homes[0], kind="投诉")
    with pytest.raises(StateError, match="尚未答复"):
        handling.complete(ctx, r.id, result="已清运")
    cp.record_reply(ctx, r.id, "今日安排清运")
    assert records.get(r.id).status == "处理中"
    handling.complete(ctx, r.id, result="已清运")
    at(ctx, 2026, 12, 10, 9, 0)
    assert cp.to_report(ctx) == []


def test_invalid_complaint_needs_explanation(ctx, homes, as_role):
    r = new_request(ctx, homes[0], kind="投诉")
    with pytest.raises(PermissionDenied):
        cp.classify(as_role("frontdesk"), r.id, True)
    with pytest.raises(ValidationError, match="解释说明"):
        cp.classify(ctx, r.id, False, "")
    r = cp.classify(ctx, r.id, False, "属市政管网问题，已向业主解释并报市政")
    assert r.valid is False and "市政" in r.validity_note
    assert cp.classify(ctx, r.id, True).valid is True


# ----------------------------------------------------------------- grades
def test_grade_general_by_default(ctx, homes):
    r = new_request(ctx, homes[0], kind="投诉")
    assert r.grade == "一般"


@pytest.mark.parametrize("kw,reason", [({"lawsuit": True}, "诉讼"), ({"media": True}, "媒体")])
def test_grade_major_for_lawsuit_and_media(ctx, homes, kw, reason):
    r = new_request(ctx, homes[0], kind="投诉", **kw)
    assert r.grade == "重大" and reason in r.grade_reason


def test_grade_major_same_home_three_times(ctx, homes):
    a = new_request(ctx, homes[0], kind="投诉", subject="电梯 故障", complaint_class="工程")
    ctx.clock.advance(days=10)
    b = new_request(ctx, homes[0], kind="投诉", subject="电梯故障", complaint_class="工程")
    other = new_request(ctx, homes[0], kind="投诉", subject="电梯故障", complaint_class="综合服务")
    assert records.get(b.id).grade == "一般" and other.grade == "一般"
    ctx.clock.advance(days=40)
    c = new_request(ctx, homes[0], kind="投诉", subject="电梯故障", complaint_class="工程")
    assert c.grade == "重大" and "3次" in c.grade_reason
    assert {records.get(x.id).grade for x in (a, b)} == {"重大"}     # the earlier ones are raised too
    assert records.get(other.id).grade == "一般"                      # another class is another complaint


def test_repeats_outside_window_do_not_count(ctx, homes):
    ctx.settings.set("request.major_repeat_days", 30)
    new_request(ctx, homes[0], kind="投诉")
    ctx.clock.advance(days=40)
    new_request(ctx, homes[0], kind="投诉")
    ctx.clock.advance(days=1)
    assert new_request(ctx, homes[0], kind="投诉").grade == "一般"


def test_grade_hot_three_homes_in_a_month(ctx, homes):
    a = new_request(ctx, homes[0], kind="投诉", subject="夜间噪音")
    b = new_request(ctx, homes[1], kind="投诉", subject="夜间噪音")
    b2 = new_request(ctx, homes[1], kind="投诉", subject="夜间噪音")     # same home twice: still 2 homes
    assert records.get(b2.id).grade == "一般"
    at(ctx, 2026, 12, 1, 9, 0)
    d = new_request(ctx, homes[3], kind="投诉", subject="夜间噪音")      # next month: no
    assert d.grade == "一般"
    at(ctx, 2026, 11, 30, 9, 0)
    c = new_request(ctx, homes[2], kind="投诉", subject="夜间噪音")
    assert c.grade == "热点" and "3户" in c.grade_reason
    assert {records.get(x.id).grade for x in (a, b, b2)} == {"热点"}
    assert records.get(d.id).grade == "一般"
    assert events(records.get(a.id), "定级")


def test_grade_hot_group_of_three(ctx, homes):
    assert new_request(ctx, homes[0], kind="投诉", group_size=2).grade == "一般"
    r = new_request(ctx, homes[1], kind="投诉", subject="停车收费", group_size=3)
    assert r.grade == "热点" and "群体" in r.grade_reason


def test_major_outranks_hot(ctx, homes):
    for h in homes[:3]:
        new_request(ctx, h, kind="投诉", subject="水压低")
    r = new_request(ctx, homes[0], kind="投诉", subject="水压低", media=True)
    assert r.grade == "重大"


# ----------------------------------------------------------------- return visits
@pytest.mark.parametrize("proposed,slot", [
    (dt.datetime(2026, 11, 24, 8, 0), dt.datetime(2026, 11, 24, 10, 0)),    # before 10:00
    (dt.datetime(2026, 11, 24, 10, 0), dt.datetime(2026, 11, 24, 10, 0)),
    (dt.datetime(2026, 11, 24, 11, 59), dt.datetime(2026, 11, 24, 11, 59)),
    (dt.datetime(2026, 11, 24, 12, 0), dt.datetime(2026, 11, 24, 14, 0)),    # lunch
    (dt.datetime(2026, 11, 24, 13, 30), dt.datetime(2026, 11, 24, 14, 0)),
    (dt.datetime(2026, 11, 24, 20, 59), dt.datetime(2026, 11, 24, 20, 59)),
    (dt.datetime(2026, 11, 24, 21, 0), dt.datetime(2026, 11, 25, 10, 0)),    # after 21:00
    (dt.datetime(2026, 11, 24, 23, 30), dt.datetime(2026, 11, 25, 10, 0)),
])
def test_visit_slot(ctx, proposed, slot):
    assert deadlines.next_visit_slot(ctx, proposed) == slot
    assert deadlines.visit_allowed(ctx, slot)


def test_visit_refusal_names_the_site_quiet_hours(ctx, homes):
    """An office that changed the visit hours sees its own hours in the refusal."""
    r = _to_work(ctx, homes[0])
    at(ctx, 2026, 11, 23, 11, 0)
    r = handling.complete(ctx, r.id, result="已修复", owner_signed=True, signer_name="刘女士")
    ctx.settings.set("request.visit_not_before", "09:30")
    ctx.settings.set("request.visit_not_after", "20:00")
    at(ctx, 2026, 11, 23, 20, 30)
    with pytest.raises(StateError) as e:
        handling.record_visit(ctx, r.id, 5)
    assert "09:30前" in str(e.value) and "20:00后" in str(e.value) and "21:00" not in str(e.value)


def test_visit_scheduled_and_refused_at_forbidden_times(ctx, homes):
    r = _to_work(ctx, homes[0])
    at(ctx, 2026, 11, 23, 11, 0)
    r = handling.complete(ctx, r.id, result="已修复", owner_signed=True, signer_name="刘女士")
    assert deadlines.visit_due(ctx, r) == dt.datetime(2026, 11, 24, 11, 0)          # 24 h
    v = handling.schedule_visit(ctx, r.id, dt.datetime(2026, 11, 23, 12, 30))
    assert v.scheduled_at == dt.datetime(2026, 11, 23, 14, 0)
    for h, m in ((9, 59), (12, 0), (13, 59), (21, 0)):
        at(ctx, 2026, 11, 23, h, m)
        with pytest.raises(StateError, match="不宜回访"):
            handling.record_visit(ctx, r.id, 5)
    at(ctx, 2026, 11, 23, 14, 0)
    with pytest.raises(ValidationError, match="回访评分"):
        handling.record_visit(ctx, r.id, 6)
    with pytest.raises(ValidationError, match="回访评分"):
        handling.record_visit(ctx, r.id, 0)
    v = handling.record_visit(ctx, r.id, 4, "师傅很专业")
    assert v.score == 4 and records.get(r.id).status == "已关闭"
    assert "超过" not in events(r, "回访")[0].note


def test_visit_late_after_24_hours_warned(ctx, homes):
    r = _to_work(ctx, homes[0])
    handling.complete(ctx, r.id, result="已修复", owner_signed=True, signer_name="刘")
    at(ctx, 2026, 11, 24, 10, 0)
    assert "回访超时" in queries.warnings(ctx, records.get(r.id))
    handling.record_visit(ctx, r.id, 3)
    assert "超过回访时限" in events(r, "回访")[0].note


def test_visit_only_after_completion(ctx, homes):
    r = new_request(ctx, homes[0])
    at(ctx, 2026, 11, 23, 15, 0)
    with pytest.raises(StateError):
        handling.record_visit(ctx, r.id, 5)
    with pytest.raises(StateError):
        handling.schedule_visit(ctx, r.id)


# ----------------------------------------------------------------- KPIs on known data
def _repair(ctx, home, dispatch_min, arrive_min, score=None, visit=True):
    start = ctx.clock.now()
    r = new_request(ctx, home)
    ctx.clock.set(start + dt.timedelta(minutes=dispatch_min))
    handling.dispatch(ctx, r.id, "张师傅")
    ctx.clock.set(start + dt.timedelta(minutes=dispatch_min + arrive_min))
    handling.arrive(ctx, r.id)
    handling.complete(ctx, r.id, result="已修复", owner_signed=True, signer_name="刘")
    if visit:
        ctx.clock.set(dt.datetime.combine(start.date(), dt.time(15, 0)))
        handling.record_visit(ctx, r.id, score)
    ctx.clock.set(start + dt.timedelta(days=1))
    return r


def test_kpis_on_known_data(ctx, homes):
    at(ctx, 2026, 10, 5, 9, 0)
    # 5 repairs: 4 on time (one dispatched in 12 min), visits on 4 of 5, scores 5, 4, 3, 5 → 3/4
    _repair(ctx, homes[0], 5, 15, 5)
    _repair(ctx, homes[1], 10, 20, 4)
    _repair(ctx, homes[2], 12, 5, 3)
    _repair(ctx, homes[3], 2, 10, 5)
    _repair(ctx, homes[4], 2, 10, visit=False)
    # 2 complaints: one contacted in 20 min and answered the same day, one contacted after 40 min
    at(ctx, 2026, 10, 12, 9, 0)
    c1 = new_request(ctx, homes[0], kind="投诉")
    at(ctx, 2026, 10, 12, 9, 20)
    cp.record_contact(ctx, c1.id)
    cp.record_reply(ctx, c1.id, "已处理")
    handling.complete(ctx, c1.id, result="已清运")
    at(ctx, 2026, 10, 12, 15, 0)
    handling.record_visit(ctx, c1.id, 5)
    cp.classify(ctx, c1.id, True)
    c2 = new_request(ctx, homes[1], kind="投诉", subject="绿化养护")
    at(ctx, 2026, 10, 12, 15, 40)
    cp.record_contact(ctx, c2.id)
    cp.classify(ctx, c2.id, True)
    # a September complaint counts in the year's valid-complaint rate, not in October's cohort
    at(ctx, 2026, 9, 1, 10, 0)
    cp.classify(ctx, new_request(ctx, homes[5], kind="投诉").id, True)
    at(ctx, 2026, 11, 23, 9, 0)
    k = {x.code: x for x in kpi.month_kpis(ctx, "2026-10")}
    assert (k["request_ontime"].num, k["request_ontime"].den) == (4, 5)
    assert k["request_ontime"].pct == 80 and k["request_ontime"].met is False      # target ≥ 98 %
    assert (k["request_visit"].num, k["request_visit"].den) == (4, 5) and k["request_visit"].met is True  # ≥ 80 %
    assert (k["request_satisfaction"].num, k["request_satisfaction"].den) == (3, 4)
    assert k["request_satisfaction"].met is False                                  # 75 % < 90 %
    assert (k["complaint_ontime"].num, k["complaint_ontime"].den) == (1, 2) and k["complaint_ontime"].met is False
    assert (k["complaint_visit"].num, k["complaint_visit"].den) == (1, 1) and k["complaint_visit"].met is True
    assert (k["complaint_satisfaction"].num, k["complaint_satisfaction"].den) == (1, 1)
    # valid-complaint rate: 3 valid complaints this year / 6 homes = 50 % > 1 %
    assert (k["valid_complaint_rate"].num, k["valid_complaint_rate"].den) == (3, 6)
    assert k["valid_complaint_rate"].met is False and k["valid_complaint_rate"].target_text == "≤1%"
    rep = kpi.month_report(ctx, "2026-10")
    assert rep.total == 7 and rep.by_kind["报修"] == 5 and rep.by_kind["投诉"] == 2
    assert rep.by_class["环境"] == 2 and rep.by_class["安全"] == 0 and rep.by_grade["一般"] == 2
    assert [row[0] for row in rep.open_rows] == [c2.number]


def test_valid_complaint_rate_one_percent_of_homes(ctx):
    homes = make_homes(100)
    at(ctx, 2026, 3, 2, 9, 0)
    cp.classify(ctx, new_request(ctx, homes[0], kind="投诉").id, True)
    k = {x.code: x for x in kpi.month_kpis(ctx, "2026-03")}["valid_complaint_rate"]
    assert (k.num, k.den, k.pct, k.met) == (1, 100, 1, True)              # exactly 1 % is within target
    cp.classify(ctx, new_request(ctx, homes[1], kind="投诉").id, True)
    k = {x.code: x for x in kpi.month_kpis(ctx, "2026-03")}["valid_complaint_rate"]
    assert k.met is False


def test_kpi_no_data_and_bad_month(ctx):
    assert all(k.met is None or k.code == "valid_complaint_rate" for k in kpi.month_kpis(ctx, "2026-11"))
    with pytest.raises(ValidationError, match="月份"):
        kpi.month_kpis(ctx, "2026/13")


def test_pending_deadlines_not_counted_yet(ctx, homes):
    new_request(ctx, homes[0])
    k = {x.code: x for x in kpi.month_kpis(ctx, "2026-11")}
    assert k["request_ontime"].den == 0                                  # dispatch not yet due
    ctx.clock.advance(minutes=11)
    k = {x.code: x for x in kpi.month_kpis(ctx, "2026-11")}
    assert (k["request_ontime"].num, k["request_ontime"].den) == (0, 1)


def test_reveal_phone_only_for_permitted_roles_and_audited(ctx, homes, as_role):
    r = new_request(ctx, homes[0])
    assert handling.reveal_phone(as_role("frontdesk"), r.id) == "138****5678"
    assert handling.reveal_phone(as_role("area_manager"), r.id) == "13812345678"
    assert AuditLog.select().where(AuditLog.action == "pii.reveal_phone").count() == 1


def test_list_to_report_filter(ctx, homes):
    c = new_request(ctx, homes[0], kind="投诉")
    new_request(ctx, homes[1], kind="投诉", subject="绿化养护")
    assert queries.list_requests(ctx, "须上报") == []
    at(ctx, 2026, 12, 1, 8, 0)
    cp.report(ctx, c.id, "已上报公司")
    assert [r.room_code for r in queries.list_requests(ctx, "须上报")] == ["5-102"]


def test_list_masks_phones_and_filters(ctx, homes):
    new_request(ctx, homes[0])
    c = new_request(ctx, homes[1], kind="投诉")
    rows = queries.list_requests(ctx, "全部")
    assert {r.phone_masked for r in rows} == {"138****5678"}
    assert [r.id for r in queries.list_requests(ctx, "投诉")] == [c.id]
    assert [r.room_code for r in queries.list_requests(ctx, "全部", text="5-101")] == ["5-101"]
    assert [r.id for r in queries.list_requests(ctx, "全部", home_id=homes[1].id)] == [c.id]
    assert len(queries.list_requests(ctx, "全部", month="2026-11")) == 2
    assert queries.list_requests(ctx, "全部", month="2026-10") == []
    assert queries.list_requests(ctx, "已升级") == []
    ctx.clock.advance(days=1)
    assert len(queries.list_requests(ctx, "已升级")) == 2
    assert ServiceEvent.select().count() == 2


# ----------------------------------------------------------------- transactions, audit, settings
def test_ledger_failure_leaves_nothing_half_saved(ctx, homes, monkeypatch):
    from app.ledger import billing

    def ledger_down(*a, **kw):
        raise ValidationError("收费项目", "台账暂不可用")

    monkeypatch.setattr(billing, "post_charge", ledger_down)
    r = _to_work(ctx, homes[0])
    n_events = ServiceEvent.select().count()
    with pytest.raises(ValidationError, match="台账暂不可用"):
        handling.complete(ctx, r.id, result="已疏通", owner_signed=True, signer_name="刘", service_item="drain")
    r = records.get(r.id)
    assert r.status == "处理中" and r.charge_fen == 0 and r.completed_at is None
    assert ServiceEvent.select().count() == n_events
    assert not AuditLog.select().where(AuditLog.action == "service.complete").exists()


def test_attach_letter_scan(ctx, homes, tmp_path):
    r = new_request(ctx, homes[0], kind="投诉", channel="信函", phone="")
    scan = tmp_path / "来信.pdf"
    scan.write_bytes(b"%PDF-1.4 letter")
    att = handling.attach_file(ctx, r.id, scan, "业主来信")
    assert [a.original_name for a in handling.attachments(r.id)] == ["来信.pdf"]
    assert (ctx.data_dir / att.stored_path).read_bytes() == b"%PDF-1.4 letter"
    assert "来信.pdf" in events(r, "附件")[0].note
    with pytest.raises(ValidationError, match="附件"):
        handling.attach_file(ctx, r.id, tmp_path / "missing.jpg")


def test_every_write_is_audited(ctx, homes):
    r = _to_work(ctx, homes[0])
    handling.complete(ctx, r.id, result="已修复", owner_signed=True, signer_name="刘")
    at(ctx, 2026, 11, 23, 10, 30)
    handling.schedule_visit(ctx, r.id)
    handling.record_visit(ctx, r.id, 5)
    c = new_request(ctx, homes[1], kind="投诉")
    cp.record_contact(ctx, c.id)
    cp.record_reply(ctx, c.id, "已答复")
    cp.classify(ctx, c.id, True)
    cp.report(ctx, c.id, "上报")
    actions = {a.action for a in AuditLog.select()}
    assert {"service.intake", "service.dispatch", "service.arrive", "service.complete", "service.schedule_visit",
            "service.visit", "service.contact", "service.reply", "service.classify", "service.report"} <= actions
    from app.core.audit import verify_chain
    assert verify_chain(ctx) == []


def test_deadline_settings_are_used(ctx, homes):
    ctx.settings.update({"request.written_reply_workdays": 3, "request.report_after_workdays": 1,
                         "request.complaint_contact_minutes": 15, "request.return_visit_hours": 48,
                         "request.lunch_from": "11:30", "request.lunch_to": "13:30",
                         "request.visit_not_before": "09:00", "request.visit_not_after": "20:00",
                         "request.workdays": "1,2,3,4,5,6"})
    r = new_request(ctx, homes[0], kind="投诉", channel="信函", phone="")        # Monday
    assert cp.reply_due(ctx, r).date() == dt.date(2026, 11, 26)                 # 3 working days
    assert cp.report_due(ctx, r).date() == dt.date(2026, 11, 24)
    assert cp.contact_due(ctx, r) == dt.datetime(2026, 11, 23, 9, 15)
    assert deadlines.next_visit_slot(ctx, dt.datetime(2026, 11, 23, 11, 45)) == dt.datetime(2026, 11, 23, 13, 30)
    assert deadlines.next_visit_slot(ctx, dt.datetime(2026, 11, 23, 20, 0)) == dt.datetime(2026, 11, 24, 9, 0)
    assert deadlines.add_workdays(ctx, dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 28)  # Saturday works now
    q = _to_work(ctx, homes[1])
    q = handling.complete(ctx, q.id, result="ok", owner_signed=True, signer_name="刘")
    assert deadlines.visit_due(ctx, q) == q.completed_at + dt.timedelta(hours=48)
