"""Corrections after intake (更正受理信息), the 我受理的 list, and escalation that is written once."""
import datetime as dt

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.service import complaints as cp
from app.service import deadlines, handling, intake, queries, records
from models.service import ServiceEvent, ServiceRequest
from models.users import AuditLog
from tests.helpers.service import at, make_homes, new_request


@pytest.fixture
def homes(ctx):
    return make_homes(6)


def test_receiver_corrects_contact_room_and_description_audited(ctx, users, as_role, homes):
    fd = as_role("frontdesk")
    r = new_request(fd, homes[0], content="厨房水龙头漏水")
    at(ctx, 2026, 11, 23, 9, 3)
    out = intake.edit_request(fd, r.id, read_back=True, caller="刘建华", phone="139 1111 2222",
                          room_code="5-102", content="卫生间水龙头漏水，地面有积水")
    again = records.get(r.id)
    assert (again.caller, again.phone, again.home_id, again.content) == (
        "刘建华", "13911112222", homes[1].id, "卫生间水龙头漏水，地面有积水")
    assert out.id == r.id and again.receiver_id == users["frontdesk"].id and again.status == "待派工"
    ev = [e for e in records.history(r.id) if e.kind == "更正"]
    assert len(ev) == 1
    assert "房号 5-101 → 5-102" in ev[0].note and "联系电话 138****5678 → 139****2222" in ev[0].note
    assert "13911112222" not in ev[0].note and "复述确认" in ev[0].note
    log = AuditLog.get(AuditLog.action == "service.edit")
    assert log.username == "frontdesk"
    assert "5-101" in log.before and "5-102" in log.after and "厨房水龙头漏水" in log.before
    # the caller's phone sealed in the log under the caller's own key (issue 15: personal data at rest)
    assert "13911112222" not in log.after and '"phone": "§p1:service_request:' in log.after
    # the read-back text the receiver reads out follows the correction
    text = intake.request_read_back(again)
    assert "5-102" in text and "卫生间水龙头漏水" in text and "139****2222" in text and "FW2026-000001" in text
    row = queries.list_requests(ctx, "未完成")[0]
    assert row.room_code == "5-102" and row.phone_masked == "139****2222" and row.caller == "刘建华"


def test_unchanged_fields_are_left_alone_and_nothing_changed_is_refused(ctx, homes):
    r = new_request(ctx, homes[0])
    with pytest.raises(ValidationError, match="没有修改"):
        intake.edit_request(ctx, r.id, read_back=True, caller="刘女士", content="厨房水龙头漏水")
    intake.edit_request(ctx, r.id, read_back=True, content="厨房水龙头漏水（夜间加重）")
    again = records.get(r.id)
    assert again.phone == "13812345678" and again.caller == "刘女士" and again.home_id == homes[0].id
    assert AuditLog.select().where(AuditLog.action == "service.edit").count() == 1


@pytest.mark.parametrize("field,kw", [
    ("复述确认", {"read_back": False, "content": "新内容"}),
    ("报事人", {"caller": " "}),
    ("报事内容", {"content": ""}),
    ("联系电话", {"phone": "123"}),
    ("联系电话", {"phone": ""}),           # taken by phone: the number stays required
    ("房号", {"room_code": "99-999"}),
    ("房号", {"room_code": " "}),
    ("类别", {"kind": "表扬"}),
    ("投诉类别", {"complaint_class": "环境"}),  # not a complaint
])
def test_correction_validation_names_field_and_writes_nothing(ctx, homes, field, kw):
    r = new_request(ctx, homes[0])
    kw = {"read_back": True, **kw}
    with pytest.raises(ValidationError, match=field):
        intake.edit_request(ctx, r.id, **kw)
    assert records.get(r.id).content == "厨房水龙头漏水"
    assert not [e for e in records.history(r.id) if e.kind == "更正"]


def test_only_the_receiver_or_a_manager_may_correct(ctx, users, as_role, homes):
    r = new_request(as_role("frontdesk"), homes[0])
    with pytest.raises(PermissionDenied, match="首问责任人或经理"):
        intake.edit_request(as_role("area_manager"), r.id, read_back=True, caller="张三")
    with pytest.raises(PermissionDenied, match="权限不足"):
        intake.edit_request(as_role("cashier"), r.id, read_back=True, caller="张三")
    intake.edit_request(ctx, r.id, read_back=True, caller="张三")          # the manager
    assert records.get(r.id).caller == "张三"
    assert intake.may_edit(as_role("frontdesk"), records.get(r.id))
    assert not intake.may_edit(as_role("area_manager"), records.get(r.id))


def test_finished_or_closed_requests_are_refused(ctx, homes):
    r = new_request(ctx, homes[0])
    handling.dispatch(ctx, r.id, "张师傅")
    handling.arrive(ctx, r.id)
    intake.edit_request(ctx, r.id, read_back=True, content="厨房水龙头漏水，已关总阀")   # still open: allowed
    handling.complete(ctx, r.id, result="已更换", owner_signed=True, signer_name="刘女士")
    with pytest.raises(StateError, match="已办结的记录不能再更正"):
        intake.edit_request(ctx, r.id, read_back=True, caller="张三")
    at(ctx, 2026, 11, 23, 15, 0)
    handling.record_visit(ctx, r.id, 5)
    with pytest.raises(StateError, match="已关闭"):
        intake.edit_request(ctx, r.id, read_back=True, caller="张三")
    assert records.get(r.id).caller == "刘女士"


def test_category_changes_only_before_work_starts(ctx, homes):
    r = new_request(ctx, homes[0], kind="咨询", content="电梯又坏了")
    with pytest.raises(ValidationError, match="投诉类别"):
        intake.edit_request(ctx, r.id, read_back=True, kind="投诉")
    intake.edit_request(ctx, r.id, read_back=True, kind="投诉", complaint_class="工程", subject="电梯 故障")
    c = records.get(r.id)
    assert (c.kind, c.complaint_class, c.subject, c.grade) == ("投诉", "工程", "电梯故障", "一般")
    assert "类别 咨询 → 投诉" in [e for e in records.history(r.id) if e.kind == "更正"][0].note
    cp.record_contact(ctx, c.id)                                            # work started
    with pytest.raises(StateError, match="不能再更改类别"):
        intake.edit_request(ctx, r.id, read_back=True, kind="报修")
    intake.edit_request(ctx, r.id, read_back=True, complaint_class="安全")    # the class still can
    assert records.get(r.id).complaint_class == "安全"
    q = new_request(ctx, homes[1], kind="投诉")
    intake.edit_request(ctx, q.id, read_back=True, kind="建议")
    s = records.get(q.id)
    assert (s.kind, s.complaint_class, s.subject, s.grade) == ("建议", "", "", "")


def test_correcting_the_topic_regrades_the_complaint(ctx, homes):
    for h in homes[:2]:
        new_request(ctx, h, kind="投诉", complaint_class="工程", subject="电梯故障")
    third = new_request(ctx, homes[2], kind="投诉", complaint_class="环境", subject="垃圾清运不及时")
    assert records.get(third.id).grade == "一般"
    intake.edit_request(ctx, third.id, read_back=True, complaint_class="工程", subject="电梯故障")
    assert [c.grade for c in ServiceRequest.select().order_by(ServiceRequest.id)] == ["热点", "热点", "热点"]
    # a wrong topic must not keep the grade it caused
    intake.edit_request(ctx, third.id, read_back=True, complaint_class="环境", subject="垃圾清运不及时")
    assert records.get(third.id).grade == "一般"
    assert "更正后重新定为一般投诉" in [e.note for e in records.history(third.id) if e.kind == "定级"][-1]
    intake.edit_request(ctx, third.id, read_back=True, media=True)
    assert records.get(third.id).grade == "重大"


def test_my_requests_filter_lists_what_the_receiver_follows(ctx, as_role, homes):
    fd, am = as_role("frontdesk"), as_role("area_manager")
    mine = new_request(fd, homes[0])
    new_request(am, homes[1])
    assert [r.id for r in queries.list_requests(fd, "我受理的")] == [mine.id]
    assert "我受理的" in queries.FILTERS


# ----------------------------------------------------------------- escalation written once
def _stale_view(rows):
    """A query standing in for the open requests as another desk read them a moment ago."""
    class StaleQuery:
        def namedtuples(self):
            return iter(rows)

    return StaleQuery


def test_escalation_compare_and_set_between_two_desks(ctx, homes, monkeypatch):
    r = new_request(ctx, homes[0])
    ctx.clock.advance(days=3)
    # another desk escalated it a moment ago: this desk's stale view must not write it again
    rows = list(records.open_requests().namedtuples())
    assert deadlines.run_escalations(ctx)[0].level == 3
    with monkeypatch.context() as mp:
        mp.setattr(deadlines, "open_requests", _stale_view(rows))
        assert deadlines.run_escalations(ctx) == []
    ups = ServiceEvent.select().where((ServiceEvent.request == r.id) & (ServiceEvent.kind == "升级")).count()
    assert ups == 3 and records.get(r.id).escalation_level == 3
    assert AuditLog.select().where(AuditLog.action == "service.escalate").count() == 1


def test_escalation_keeps_a_concurrent_dispatch(ctx, homes, monkeypatch):
    """The escalation writes only the level: a dispatch saved meanwhile by another desk stays."""
    r = new_request(ctx, homes[0])
    ctx.clock.advance(hours=30)
    rows = list(records.open_requests().namedtuples())
    handling.dispatch(ctx, r.id, "张师傅")
    with monkeypatch.context() as mp:
        mp.setattr(deadlines, "open_requests", _stale_view(rows))
        assert [h.level for h in deadlines.run_escalations(ctx)] == [1]
    again = records.get(r.id)
    assert again.status == "已派工" and again.handler == "张师傅" and again.escalation_level == 1
    assert dt.datetime(2026, 11, 24, 0, 0) in [e.ts for e in records.history(r.id) if e.kind == "升级"]


# ----------------------------------------------------------------- the month's register in Excel
def test_register_export_masks_phones_and_is_audited(ctx, homes, tmp_path, as_role):
    from openpyxl import load_workbook
    r = new_request(ctx, homes[0], content="卫生间下水道堵塞")
    at(ctx, 2026, 11, 23, 9, 5)
    handling.dispatch(ctx, r.id, "维修部 张师傅")
    handling.arrive(ctx, r.id)
    handling.complete(ctx, r.id, result="已疏通", owner_signed=True, signer_name="刘女士", service_item="drain")
    c = new_request(ctx, homes[1], kind="投诉", channel="信函", phone="")
    at(ctx, 2026, 12, 1, 9, 0)
    new_request(ctx, homes[2])                                   # next month: not in November's register
    out = tmp_path / "登记表.xlsx"
    assert queries.export_register(ctx, "2026-11", out) == 2
    ws = load_workbook(out).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == queries.REGISTER_COLUMNS
    head = dict(zip(rows[0], rows[1], strict=True))
    assert head["编号"] == "FW2026-000001" and head["联系电话"] == "138****5678" and head["处理人"] == "维修部 张师傅"
    assert head["有偿服务（元）"] == 30 and head["状态"] == "已完成" and head["派工时间"] == "2026-11-23 09:05"
    assert "回访超时" in head["提醒"]
    comp = dict(zip(rows[0], rows[2], strict=True))
    assert comp["编号"] == c.number and comp["投诉类别"] == "环境" and comp["状态"] == "待处理"
    assert comp["升级"] == "区域经理" and "须上报" in comp["提醒"]          # 7 days open
    assert all("13812345678" not in str(v) for row in rows for v in row)
    assert AuditLog.select().where(AuditLog.action == "service.export").count() == 1
    with pytest.raises(PermissionDenied):
        queries.export_register(as_role("frontdesk"), "2026-11", out)
    with pytest.raises(ValidationError, match="月份"):
        queries.export_register(ctx, "2026-13x", out)


def test_register_export_command(ctx, homes, data_dir, tmp_path):
    import subprocess
    import sys
    new_request(ctx, homes[0])
    ctx.db.close()
    out = tmp_path / "reg.xlsx"
    res = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "export",
                          "service-register", "--month", "2026-11", "--out", str(out)],
                         capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert "报事投诉登记表 1 条" in res.stdout and out.is_file()


def test_room_typed_full_width_or_spaced_is_found_at_intake_and_correction(ctx, homes):
    """The room code as typed at the desk (full-width digits from a Chinese input method, spaces,
    other dashes) names the same home, as app.archives.homes accepts it elsewhere."""
    r = intake.intake(ctx, channel="电话", kind="报修", caller="刘女士", phone="13812345678", content="漏水",
                  read_back=True, room_code="５－１０１")
    assert r.home_id == homes[0].id
    intake.edit_request(ctx, r.id, read_back=True, room_code=" 5 — 102 ")
    assert records.get(r.id).home_id == homes[1].id
    with pytest.raises(ValidationError, match="“５－９９９”不存在"):
        intake.edit_request(ctx, r.id, read_back=True, room_code="５－９９９")


def test_register_export_keeps_text_starting_with_equals_as_text(ctx, homes, tmp_path):
    """What the desk typed is text in the register, never an Excel formula (=… would be evaluated,
    or shown as #NAME? instead of the caller's words)."""
    from openpyxl import load_workbook
    new_request(ctx, homes[0], caller="=刘女士", content='=HYPERLINK("http://example.com","点击")')
    out = tmp_path / "reg.xlsx"
    assert queries.export_register(ctx, "2026-11", out) == 1
    ws = load_workbook(out).active
    head = {c.value: i for i, c in enumerate(ws[1])}
    row = ws[2]
    assert row[head["报事人"]].value == "=刘女士" and row[head["报事人"]].data_type == "s"
    assert row[head["报事内容"]].data_type == "s" and row[head["报事内容"]].value.startswith("=HYPERLINK")
