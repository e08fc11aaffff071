"""The written reply to a complaint (复函): draft, print (text checked with pypdf), record its sending,
which the written-reply deadline (2 working days) counts; the command line prints it."""
import datetime as dt
import subprocess
import sys

import pytest

from app.core.errors import StateError, ValidationError
from app.service import complaints as cp
from app.service import handling, kpi, queries, records
from app.service.forms import build_complaint_reply, complaint_reply_pdf
from models.users import AuditLog
from tests.helpers.pdf import pdf_text
from tests.helpers.service import at, make_homes, new_request


@pytest.fixture
def letter_complaint(ctx):
    homes = make_homes(3)
    at(ctx, 2026, 11, 20, 10, 0)                 # Friday: the reply is due by Tuesday 24th
    return new_request(ctx, homes[0], kind="投诉", channel="信函", complaint_class="环境",
                       subject="垃圾清运不及时", content="楼下垃圾桶连续三天满溢，气味很大")


def draft(ctx, r, **kw):
    data = dict(investigation="经查，11月17日至19日清运车辆故障，垃圾未能每日清运。",
                outcome="已于11月21日调派备用车辆完成清运，并对垃圾桶清洗消毒。",
                measures="对给您带来的不便深表歉意。今后将每日检查清运情况，车辆故障时当日启用备用车辆。",
                contact_name="陈主管", contact_phone="0571-88886666")
    data.update(kw)
    return cp.save_reply_letter(ctx, r.id, **data)


def test_letter_drafted_printed_and_sent_counts_as_reply(ctx, letter_complaint, users):
    r = letter_complaint
    assert cp.reply_due(ctx, r) == dt.datetime(2026, 11, 24, 23, 59, 59)
    at(ctx, 2026, 11, 23, 9, 0)
    letter = draft(ctx, r)
    assert letter.number == "FH2026-000001" and letter.sent_on is None
    assert records.get(r.id).replied_at is None                      # a draft is not a reply
    text = pdf_text(complaint_reply_pdf(ctx, r.id))
    for expected in ("投诉处理回复函", "FH2026-000001", "FW2026-000001", "天伦庄园", "刘女士", "5-101",
                     "138****5678", "2026年11月20日", "来信", "垃圾清运不及时", "楼下垃圾桶连续三天满溢",
                     "调查情况", "清运车辆故障", "处理结果", "调派备用车辆", "致歉及整改措施", "深表歉意",
                     "陈主管", "0571-88886666", "天伦庄园客户服务中心（盖章）", "2026年11月23日", "回", "收件人签字"):
        assert expected in text, expected
    assert "13812345678" not in text                           # the complainant's phone masked on paper
    at(ctx, 2026, 11, 24, 16, 30)
    sent = cp.send_reply_letter(ctx, r.id, method="邮寄")
    assert sent.sent_on == dt.date(2026, 11, 24) and sent.sent_by_id == users["manager"].id
    c = records.get(r.id)
    assert c.replied_at == dt.datetime(2026, 11, 24, 16, 30) and cp.replied_on_time(ctx, c)
    assert c.contacted_at == c.replied_at and c.status == "处理中" and "FH2026-000001" in c.reply
    note = [e.note for e in records.history(r.id) if e.kind == "回复"][0]
    assert "已邮寄" in note and "王经理" in note and "超过" not in note
    assert "回复超时" not in queries.warnings(ctx, c, dt.datetime(2026, 11, 25, 9, 0))
    assert AuditLog.select().where(AuditLog.action == "service.reply_letter_sent").count() == 1
    # once sent, the letter is what went out: no more changes, no second sending
    with pytest.raises(StateError, match="已于 2026-11-24 寄出"):
        draft(ctx, r, outcome="改")
    with pytest.raises(StateError, match="王经理登记寄出"):
        cp.send_reply_letter(ctx, r.id)
    assert "2026年11月24日" in pdf_text(complaint_reply_pdf(ctx, r.id))     # dated the day it went out
    # the complaint can now be finished
    handling.complete(ctx, r.id, result="已清运")
    assert records.get(r.id).status == "已完成"


def test_letter_sent_after_two_working_days_is_late(ctx, letter_complaint):
    r = letter_complaint
    at(ctx, 2026, 11, 25, 10, 0)                                 # Wednesday: one day late
    assert "回复超时" in queries.warnings(ctx, records.get(r.id))
    draft(ctx, r)
    cp.send_reply_letter(ctx, r.id, method="快递")
    c = records.get(r.id)
    assert cp.replied_on_time(ctx, c) is False
    assert "超过答复时限" in [e.note for e in records.history(r.id) if e.kind == "回复"][0]
    rep = kpi.month_report(ctx, "2026-11", dt.datetime(2026, 11, 30, 12, 0))
    ontime = next(k for k in rep.kpis if k.code == "complaint_ontime")
    assert (ontime.num, ontime.den) == (0, 1)


def test_sending_entered_afterwards_counts_its_date(ctx, letter_complaint):
    r = letter_complaint
    at(ctx, 2026, 11, 23, 9, 0)
    draft(ctx, r)
    at(ctx, 2026, 11, 26, 9, 0)                                 # entered on Thursday, posted on Monday
    cp.send_reply_letter(ctx, r.id, sent_on=dt.date(2026, 11, 23), method="当面递交")
    c = records.get(r.id)
    assert c.replied_at == dt.datetime(2026, 11, 23, 23, 59, 59) and cp.replied_on_time(ctx, c)
    letter = cp.reply_letter(r.id)
    assert letter.sent_at == dt.datetime(2026, 11, 26, 9, 0) and letter.send_method == "当面递交"


@pytest.mark.parametrize("field,kw", [
    ("调查情况", {"investigation": " "}),
    ("处理结果", {"outcome": ""}),
    ("联系电话", {"contact_phone": "12"}),
])
def test_letter_validation(ctx, letter_complaint, field, kw):
    with pytest.raises(ValidationError, match=field):
        draft(ctx, letter_complaint, **kw)
    assert cp.reply_letter(letter_complaint.id) is None


def test_sending_checks(ctx, letter_complaint):
    r = letter_complaint
    with pytest.raises(StateError, match="尚未起草复函"):
        cp.send_reply_letter(ctx, r.id)
    at(ctx, 2026, 11, 23, 9, 0)
    draft(ctx, r)
    with pytest.raises(ValidationError, match="寄出日期"):
        cp.send_reply_letter(ctx, r.id, sent_on=dt.date(2026, 11, 24))       # tomorrow
    with pytest.raises(ValidationError, match="不能早于投诉受理日期"):
        cp.send_reply_letter(ctx, r.id, sent_on=dt.date(2026, 11, 19))
    with pytest.raises(ValidationError, match="寄送方式"):
        cp.send_reply_letter(ctx, r.id, method="微信")
    assert cp.reply_letter(r.id).sent_on is None and records.get(r.id).replied_at is None


def test_draft_defaults_and_corrections_keep_the_number(ctx, letter_complaint):
    ctx.settings.set("site.service_phone", "0571-81234567")
    r = letter_complaint
    first = cp.save_reply_letter(ctx, r.id, investigation="经查属实", outcome="已处理")
    assert (first.contact_name, first.contact_phone) == ("王经理", "0571-81234567")
    again = cp.save_reply_letter(ctx, r.id, investigation="经查属实", outcome="已处理并回访")
    assert again.id == first.id and again.number == first.number and again.outcome == "已处理并回访"
    assert [e.kind for e in records.history(r.id)].count("复函") == 1
    logs = list(AuditLog.select().where(AuditLog.action == "service.reply_letter").order_by(AuditLog.seq))
    assert len(logs) == 2 and logs[0].before == "" and "已处理" in logs[1].before


def test_only_complaints_have_letters_and_a_repair_is_refused(ctx):
    r = new_request(ctx, make_homes(1)[0])
    with pytest.raises(StateError, match="不是投诉"):
        cp.save_reply_letter(ctx, r.id, investigation="x", outcome="y")
    with pytest.raises(StateError, match="尚未起草复函"):
        build_complaint_reply(ctx, new_request(ctx, make_homes(1)[0], kind="投诉").id)


def test_front_desk_drafts_cashier_cannot(ctx, letter_complaint, as_role):
    from app.core.errors import PermissionDenied
    draft(as_role("frontdesk"), letter_complaint)
    with pytest.raises(PermissionDenied):
        cp.send_reply_letter(as_role("cashier"), letter_complaint.id)


def test_print_complaint_reply_command(ctx, letter_complaint, data_dir, tmp_path):
    draft(ctx, letter_complaint)
    ctx.db.close()
    out = tmp_path / "复函.pdf"
    res = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "print", "complaint-reply",
                          "--id", "fw2026-000001", "--out", str(out)],
                         capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert "已生成投诉处理回复函" in res.stdout and "FH2026-000001" in pdf_text(out.read_bytes())
    res = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "print", "complaint-reply",
                          "--id", "999", "--out", str(out)], capture_output=True, text=True, encoding="utf-8",
                         timeout=120, check=False)
    assert res.returncode == 2 and "不存在" in res.stderr


def test_sending_cannot_be_dated_before_the_letter_was_drafted(ctx, letter_complaint):
    """A letter first drafted on Thursday cannot have gone out on Monday: a back-dated sending
    would count as an on-time reply (2 working days) for a reply that was late."""
    r = letter_complaint                                          # received Friday 20th, due Tuesday 24th
    at(ctx, 2026, 11, 26, 9, 0)                                   # Thursday: already late
    draft(ctx, r)
    at(ctx, 2026, 11, 26, 15, 0)
    draft(ctx, r, outcome="已调派备用车辆完成清运。")              # corrected the same day: still Thursday
    with pytest.raises(ValidationError, match="寄出日期.*2026-11-26"):
        cp.send_reply_letter(ctx, r.id, sent_on=dt.date(2026, 11, 23))
    assert cp.reply_letter(r.id).sent_on is None and records.get(r.id).replied_at is None
    cp.send_reply_letter(ctx, r.id, sent_on=dt.date(2026, 11, 26))
    assert cp.replied_on_time(ctx, records.get(r.id)) is False


def test_sending_dated_the_first_draft_day_after_later_corrections(ctx, letter_complaint):
    r = letter_complaint
    at(ctx, 2026, 11, 23, 9, 0)
    draft(ctx, r)                                                 # drafted and posted on Monday
    at(ctx, 2026, 11, 25, 9, 0)
    draft(ctx, r, measures="")                                    # the office copy touched up on Wednesday
    cp.send_reply_letter(ctx, r.id, sent_on=dt.date(2026, 11, 23), method="邮寄")
    assert cp.replied_on_time(ctx, records.get(r.id))
