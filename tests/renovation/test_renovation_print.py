"""Renovation forms: the PDF text carries the fields; phones and identity numbers are masked."""
import datetime as dt

import pytest

from app.core.errors import StateError
from app.renovation import api as rv
from app.renovation import prints as rf
from tests.helpers.pdf import pdf_reader, pdf_text
from tests.helpers.renovation import (
    APPLICATION,
    make_file,
    make_homes,
    make_id,
    make_photo,
    pay_all,
)


@pytest.fixture
def done(ctx, tmp_path):
    """A renovation of 5-101 walked to the deposit refund, with a notice and a deduction."""
    homes = make_homes(ctx)
    home = homes["5-101"]
    r = rv.apply(ctx, home.id, APPLICATION, drawings=[make_file(tmp_path, "平面图.pdf")])
    rv.approve(ctx, r.id, "同意")
    w = rv.register_worker(ctx, r.id, {"name": "张木工", "id_number": make_id(), "card": "A", "trade": "木工",
                                       "valid_until": "2027-03-31"}, photo=make_photo(tmp_path))
    rv.register_worker(ctx, r.id, {"name": "李电工", "id_number": make_id("11010119851111002"), "card": "B"})
    pay_all(ctx, home.id, rv.unpaid_charge_ids(rv.get(ctx, r.id)))
    rv.record_tests(ctx, r.id, True, True, "王建国", note="卫生间闭水48小时无渗漏")
    rv.sign_fire_undertaking(ctx, r.id, "王建国")
    ctx.clock.advance(days=2)
    rv.issue_permit(ctx, r.id)
    rv.record_patrol(ctx, r.id, False, "楼道堆放装修垃圾", workers_present=3)
    n = rv.issue_notice(ctx, r.id, "整改通知单", "楼道堆放装修垃圾", "当日清运完毕")
    return {"reno": rv.get(ctx, r.id), "worker": w, "notice": n, "home": home}


def test_application_form(ctx, done):
    t = pdf_text(rf.form_pdf(ctx, "application", done["reno"].id))
    for s in ("装修申请/审批表", "5-101", "王建国", "华美装饰工程有限公司", "刘师傅", "客厅吊顶", "平面图.pdf",
              "3,000.00", "493.80", "10.00", "50.00", "批准", "天伦庄园", done["reno"].number):
        assert s in t, s
    assert "138****5678" in t and "13812345678" not in t
    assert "139****4321" in t and "13987654321" not in t


def test_tests_fire_permit(ctx, done):
    rid = done["reno"].id
    t = pdf_text(rf.form_pdf(ctx, "tests", rid))
    assert "闭水/打压试验确认单" in t and "合格" in t and "2026-11-23" in t and "2026-11-25" in t and "王建国" in t
    t = pdf_text(rf.form_pdf(ctx, "fire", rid))
    assert "防火安全责任书" in t and "灭火器" in t and "5-101" in t
    pdf = rf.form_pdf(ctx, "permit", rid)
    t = pdf_text(pdf)
    r = done["reno"]
    assert "装修许可证" in t and "5-101" in t and r.permit_number in t and "2026-11-25" in t and "华美装饰" in t
    assert len(pdf_reader(pdf).pages) == 1
    assert "8:00–12:00、14:00–18:00" in t
    ctx.settings.set("renovation.work_hours", "9:00–12:00、14:30–17:30")      # a site's own hours
    assert "14:30–17:30" in pdf_text(rf.form_pdf(ctx, "permit", rid))
    assert "14:30–17:30" in pdf_text(rf.form_pdf(ctx, "application", rid))


def test_pass_cards_card_size_with_photo(ctx, done):
    pdf = rf.form_pdf(ctx, "passes", done["reno"].id)
    pages = pdf_reader(pdf).pages
    assert len(pages) == 2
    w_pt, h_pt = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert abs(w_pt - 85.6 / 25.4 * 72) < 0.5 and abs(h_pt - 54 / 25.4 * 72) < 0.5
    t = pdf_text(pdf)
    assert "张木工" in t and "A证" in t and "B证" in t and "2027-03-31" in t and done["worker"].pass_number in t
    assert make_id() not in t and done["worker"].id_masked in t
    xobjects = pages[0]["/Resources"]["/XObject"]
    assert [x.get_object()["/Subtype"] for x in xobjects.values()] == ["/Image"]   # the worker's photo
    assert "/XObject" not in pages[1]["/Resources"]                                 # no photo attached


def test_patrol_log_and_notice(ctx, done):
    t = pdf_text(rf.form_pdf(ctx, "patrol", done["reno"].id))
    assert "装修巡查日志" in t and "楼道堆放装修垃圾" in t and "王经理" in t and "违规/问题" in t
    n = done["notice"]
    t = pdf_text(rf.notice_pdf(ctx, n.id))
    assert "整改通知单" in t and n.number in t and "2026-11-28" in t and "当日清运完毕" in t


def test_completion_and_refund_slip(ctx, done):
    r = done["reno"]
    with pytest.raises(StateError, match="尚未退还"):
        rf.form_pdf(ctx, "refund", r.id)
    rv.close_notice(ctx, done["notice"].id, "已清运")
    ctx.clock.set(dt.datetime(2027, 2, 20, 9))
    rv.record_completion(ctx, r.id, "2027-02-15")
    rv.first_inspection(ctx, r.id, True, "合格")
    for w in rv.workers_of(ctx, r.id):
        rv.return_pass(ctx, w.id)
    t = pdf_text(rf.form_pdf(ctx, "completion", r.id))
    for s in ("装修竣工验收表", "2027-02-15", "2027-02-22", "合格", "2027-05-20", "张木工", "已退还"):
        assert s in t, s
    ctx.clock.set(dt.datetime(2027, 5, 20, 9))
    rv.second_inspection(ctx, r.id, True)
    rv.refund_deposit(ctx, r.id, [("损坏电梯轿厢", "300.50")])
    t = pdf_text(rf.form_pdf(ctx, "refund", r.id))
    for s in ("装修保证金退还单", "3,000.00", "损坏电梯轿厢", "-300.50", "2,699.50", "贰仟陆佰玖拾玖元伍角",
              "复验合格"):
        assert s in t, s


def test_premature_forms_refused(ctx, tmp_path):
    homes = make_homes(ctx)
    r = rv.apply(ctx, homes["5-102"].id, APPLICATION, drawings=[make_file(tmp_path)])
    with pytest.raises(StateError, match="尚未发放"):
        rf.form_pdf(ctx, "permit", r.id)
    with pytest.raises(StateError, match="闭水"):
        rf.form_pdf(ctx, "tests", r.id)
    assert "待审批" in pdf_text(rf.form_pdf(ctx, "application", r.id))


def test_pass_cards_on_a4_with_cut_lines(ctx, done):
    pdf = rf.form_pdf(ctx, "passes_a4", done["reno"].id)
    pages = pdf_reader(pdf).pages
    assert len(pages) == 1 and abs(float(pages[0].mediabox.width) - 595.27) < 1
    t = pdf_text(pdf)
    assert "沿虚线裁切" in t and "张木工" in t and "李电工" in t and "A证" in t and "B证" in t


def test_daily_spot_sheet(ctx, done):
    ctx.clock.advance(days=1)          # the patrol of 11-25 is the last one seen on 11-26
    t = pdf_text(rf.spot_sheet_pdf(ctx))
    for s in ("装修日常抽查单", "抽查日期 2026-11-26", "施工中 1 户", "今日抽查 1 户", "5-101", "华美装饰",
              "139****4321", "2026-11-25"):
        assert s in t, s
    assert "13987654321" not in t
    rv.record_completion(ctx, done["reno"].id)
    with pytest.raises(StateError, match="没有施工中的装修户"):
        rf.spot_sheet_pdf(ctx)


def test_office_wording_and_stamp_blank(ctx, done):
    """The owner's copy names no source document; the office stamp blank is not broken over two lines."""
    rid = done["reno"].id
    t = pdf_text(rf.form_pdf(ctx, "application", rid))
    assert "应缴费用" in t and "000" not in t.replace("3,000.00", "").replace(done["reno"].number, "")
    t = pdf_text(rf.form_pdf(ctx, "fire", rid))
    assert "物业服务中心（盖章）：" + "_" * 16 in t


def test_spot_sheet_headings_fit_their_columns(ctx, done):
    """Column headings of the spot-check sheet are not broken into one or two characters a line."""
    ctx.clock.advance(days=1)
    t = pdf_text(rf.spot_sheet_pdf(ctx))
    for heading in ("上次巡查", "未结通知", "到场时间", "施工方签字"):
        assert heading in t, heading


def test_patrol_log_headings_fit(ctx, done):
    t = pdf_text(rf.form_pdf(ctx, "patrol", done["reno"].id))
    assert "在场人数" in t


def test_permit_hours_remark_not_broken(ctx, done):
    """On the door permit the bracketed remark of the working hours stays whole on its own line."""
    t = pdf_text(rf.form_pdf(ctx, "permit", done["reno"].id))
    assert "8:00–12:00、14:00–18:00\n（节假日禁止噪音施工）" in t


@pytest.mark.parametrize(("role", "full"), [("frontdesk", True), ("area_manager", True), ("manager", True),
                                            ("cashier", False)])
def test_permit_shows_contractor_phone_to_issuing_roles_audited(ctx, done, as_role, role, full):
    """The door permit carries the contractor's phone in full for roles that issue permits
    (renovation.edit), each print audited; a cashier prints it masked. The application form, an owner
    print, and the spot-check list stay masked."""
    import json

    from models.users import AuditLog
    rid = done["reno"].id
    before = AuditLog.select().where(AuditLog.action == "pii.print_full").count()
    t = pdf_text(rf.form_pdf(as_role(role), "permit", rid))
    assert ("13987654321" in t) is full and ("139****4321" in t) is not full
    rows = list(AuditLog.select().where(AuditLog.action == "pii.print_full").order_by(AuditLog.id))
    assert len(rows) == before + int(full)
    if full:
        assert rows[-1].entity == "renovation" and json.loads(rows[-1].after)["form"] == "装修许可证"
    t = pdf_text(rf.form_pdf(as_role(role), "application", rid))
    assert "139****4321" in t and "13987654321" not in t
    t = pdf_text(rf.spot_sheet_pdf(as_role(role)))
    assert "13987654321" not in t
