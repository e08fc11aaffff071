"""Notices for the board: numbering per year, the way from draft to the board and down, the
register's views, templates filled from the form, role checks and audit."""
from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.notices import notices, prints, register, templates
from models.notices import Notice, NoticeTemplate
from models.users import AuditLog
from tests.helpers.notices import draft, make_buildings, posted


@pytest.fixture
def site(ctx):
    return make_buildings()


def test_numbers_run_per_year_and_restart_in_a_new_year(ctx, site):
    a = draft(ctx)
    b = draft(ctx, title="停水通知")
    c = draft(ctx, issue_date="2027-01-02", post_from="2027-01-02", post_to="2027-01-05")
    assert (a.number, b.number, c.number) == ("GG2026-0001", "GG2026-0002", "GG2027-0001")
    assert a.state == "草稿" and a.office == "天伦庄园物业服务中心" and a.scope_text == "5号楼"


def test_bad_input_names_the_field(ctx, site):
    with pytest.raises(ValidationError) as e:
        draft(ctx, post_to="2026-11-01")
    assert e.value.field == "张贴截止日期" and "早于" in str(e.value)
    with pytest.raises(ValidationError) as e:
        draft(ctx, grade="公告")
    assert e.value.field == "等级"
    with pytest.raises(ValidationError) as e:
        draft(ctx, buildings=["99"])
    assert e.value.field == "楼栋" and "99" in str(e.value)
    with pytest.raises(ValidationError) as e:
        draft(ctx, body="因{原因}停水")
    assert e.value.field == "正文" and "{原因}" in str(e.value)
    assert Notice.select().count() == 0


def test_draft_approved_printed_posted_taken_down(ctx, site, as_role):
    n = draft(ctx, buildings=["5", "6"])
    with pytest.raises(StateError, match="审批后才能打印"):
        prints.notice_pdf(ctx, n.id)
    with pytest.raises(PermissionDenied):
        notices.approve(as_role("frontdesk"), n.id)
    notices.approve(ctx, n.id)
    pdf = prints.notice_pdf(as_role("frontdesk"), n.id, "A3")
    n = notices.get_notice(n.id)
    assert n.state == "已打印" and n.print_count == 3 and n.paper == "A3"   # 5号楼 two entrances, 6号楼 one
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type /Page>") >= 1
    with pytest.raises(StateError):
        notices.take_down(ctx, n.id)
    notices.post(as_role("frontdesk"), n.id)
    assert notices.get_notice(n.id).state == "已张贴"
    with pytest.raises(StateError, match="不能修改"):
        notices.update_notice(ctx, n.id, {"title": "改标题"})
    done = notices.take_down(as_role("area_manager"), n.id)
    assert done.state == "已撤下" and done.taken_down_at == ctx.clock.now()
    actions = [a.action for a in AuditLog.select().where(AuditLog.entity == "notice").order_by(AuditLog.id)]
    assert actions == ["notice.create", "notice.approve", "notice.print", "notice.post", "notice.take_down"]


def test_editing_an_approved_notice_needs_approval_again(ctx, site):
    n = draft(ctx)
    notices.approve(ctx, n.id)
    n = notices.update_notice(ctx, n.id, {"title": "电梯维保（改期）", "post_to": "2026-12-01"})
    assert n.state == "草稿" and n.approved_by is None and n.title == "电梯维保（改期）"


def test_the_cashier_only_reads_the_board(ctx, site, as_role):
    with pytest.raises(PermissionDenied, match="权限不足"):
        draft(as_role("cashier"))
    draft(ctx)
    assert len(register.list_notices(as_role("cashier"))) == 1


def test_register_on_board_due_today_and_expired(ctx, site):
    today = ctx.clock.today()
    on = posted(ctx, title="消防检查", post_to=today + dt.timedelta(days=3))
    due = posted(ctx, title="停电通知", grade="重要通告", post_from=today - dt.timedelta(days=3), post_to=today)
    old = posted(ctx, title="春节安全", grade="温馨提示", post_from=today - dt.timedelta(days=20),
                 post_to=today - dt.timedelta(days=5))
    draft(ctx, title="草稿一份")
    board = register.list_notices(ctx, "在栏公告")
    assert [r["number"] for r in board] == [old.number, due.number, on.number]
    assert [r["number"] for r in register.list_notices(ctx, "今日到期")] == [due.number]
    expired = register.list_notices(ctx, "过期未撤")
    assert [r["number"] for r in expired] == [old.number] and expired[0]["flag"] == "过期未撤（5天）"
    assert register.board_counts(ctx)["待审批"] == 1
    assert [r["title"] for r in register.list_notices(ctx, grade="温馨提示")] == ["春节安全"]
    assert [r["title"] for r in register.list_notices(ctx, text="停电")] == ["停电通知"]


def test_shipped_templates_are_the_offices_to_edit(ctx, site):
    names = [t.name for t in templates.list_templates(ctx)]
    assert names == ["停水通知", "停电通知", "电梯维保", "消防检查", "催缴公示", "装修噪音", "春节安全", "天干物燥防火"]
    t = templates.get_template("water_cut")
    templates.update_template(ctx, t.id, {"body": t.body + "\n特此通知。"})
    assert templates.list_templates(ctx)[0].body.endswith("特此通知。")
    assert NoticeTemplate.select().count() == 8          # not copied again
    with pytest.raises(ValidationError) as e:
        templates.update_template(ctx, t.id, {"body": "{房号}停水"})
    assert e.value.field == "正文" and "{房号}" in str(e.value)


def test_template_fields_are_filled_from_the_form(ctx, site):
    ctx.settings.set("site.service_phone", "0371-66668888")
    words = notices.scope_words(["5"], [site["5-2"].id])
    filled = templates.draft_from_template(ctx, "water_cut", {
        "start_date": "2026-11-25", "end_date": "2026-11-25", "start_time": "8:00", "end_time": "18:00",
        "reason": "市政管网维修"}, words)
    assert filled["grade"] == "重要通告" and filled["title"] == "停水通知"
    assert "因市政管网维修，5号楼（2单元）将于2026-11-25 8:00至2026-11-25 18:00暂停供水" in filled["body"]
    assert "0371-66668888" in filled["body"] and "{" not in filled["body"]
    n = notices.create_notice(ctx, {**filled, "buildings": ["5"], "entrances": [site["5-2"].id],
                                    "post_from": "2026-11-23", "post_to": "2026-11-26"})
    assert notices.posting_places(n) == ["5号楼2单元"]


def test_dues_notice_counts_homes_without_personal_data(ctx, users):
    from app.ledger import billing
    from tests.helpers.ledger import make_site
    make_site(ctx, users)
    billing.run_month(ctx, "2026-09")
    filled = templates.draft_from_template(ctx, "dues_notice", {}, "全体业主")
    assert "尚有5户未按时缴纳" in filled["body"]
    assert "5-101" not in filled["body"] and "业主1" not in filled["body"]


def test_attachments_are_kept_and_listed_on_the_notice(ctx, site, tmp_path):
    n = draft(ctx)
    f = tmp_path / "停水函.pdf"
    f.write_bytes(b"%PDF-1.4 letter")
    notices.add_attachment(ctx, n.id, f)
    assert notices.attachment_names(n.id) == ["停水函.pdf"]
    assert prints.notice_data(ctx, n.id).attachments == ("停水函.pdf",)


def test_register_exported_to_excel(ctx, site, tmp_path, as_role):
    from openpyxl import load_workbook
    posted(ctx)
    draft(ctx, title="停水通知")
    path = tmp_path / "公告登记.xlsx"
    assert register.export_register(ctx, path) == 2
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]][:3] == ["编号", "等级", "标题"]
    assert {ws.cell(2, 3).value, ws.cell(3, 3).value} == {"电梯维护保养通知", "停水通知"}
    with pytest.raises(PermissionDenied):
        register.export_register(as_role("frontdesk"), tmp_path / "x.xlsx")


def test_start_up_reminder_names_what_to_take_down(ctx, site, as_role):
    from app.office.reminders import startup_reminders
    today = ctx.clock.today()
    old = posted(ctx, title="春节安全", post_from=today - dt.timedelta(days=9), post_to=today - dt.timedelta(days=2))
    due = posted(ctx, title="停电通知", post_from=today - dt.timedelta(days=2), post_to=today)
    draft(ctx, title="草稿")
    lines = [x for x in startup_reminders(ctx) if x.startswith("公告栏")]
    assert lines == [f"公告栏：1 份公告张贴期已过仍未撤下，请撤下：{old.number}《春节安全》",
                     f"公告栏：1 份公告今日张贴期满，请按时撤下：{due.number}《停电通知》",
                     "公告栏：1 份公告草稿待审批"]
    front = [x for x in startup_reminders(as_role("frontdesk")) if x.startswith("公告栏")]
    assert front == lines[:2]                       # approval is the manager's
