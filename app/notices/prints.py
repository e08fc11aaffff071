"""What the board prints: a notice, one copy per entrance of its buildings in one job (A4 or A3).
A real print job needs the manager's approval and moves the notice to 已打印 (audited); a preview
of a draft carries the 草稿 watermark and changes nothing. The UI and the command line print
through these functions."""
from __future__ import annotations

from app.core.dates import cn_date
from app.core.errors import StateError, ValidationError
from app.core.permissions import require
from app.notices.notices import attachment_names, get_notice, period_text, posting_places, record_print
from app.printing.notice import NoticePrint, render_notice
from app.printing.notice_body import parse_body
from models.notices import PAPERS

PRINTABLE = ("已审批", "已打印", "已张贴")


def notice_data(ctx, notice_id, paper: str = "A4", draft: bool = False, one_copy: bool = False) -> NoticePrint:
    require(ctx, "notices.view")
    if paper not in PAPERS:
        raise ValidationError("纸张", f"“{paper}”无效，应为：{'、'.join(PAPERS)}")
    n = get_notice(notice_id)
    places = posting_places(n)
    s = ctx.settings
    return NoticePrint(number=n.number, grade=n.grade, title=n.title, blocks=parse_body(n.body),
                       scope_text=n.scope_text, period=period_text(n), office=n.office,
                       issue_date=cn_date(n.issue_date), office_hours=s.get("office.hours"),
                       service_phone=s.get("site.service_phone"), places=tuple(places[:1] if one_copy else places),
                       paper=paper, draft=draft, attachments=tuple(attachment_names(n.id)))


def notice_preview_pdf(ctx, notice_id, paper: str = "A4") -> bytes:
    """One copy to look at; a notice not yet approved carries the 草稿 watermark. Changes nothing."""
    n = get_notice(notice_id)
    return render_notice(ctx.settings, notice_data(ctx, n.id, paper, draft=n.state not in PRINTABLE, one_copy=True))


def notice_pdf(ctx, notice_id, paper: str = "A4") -> bytes:
    """The print job: one page per posting place. Only an approved notice prints; the job is
    recorded (state 已打印, copies counted, audited) when its PDF is made."""
    require(ctx, "notices.post")
    n = get_notice(notice_id)
    if n.state not in PRINTABLE:
        raise StateError(f"公告 {n.number} {n.state}，经理审批后才能打印")
    data = notice_data(ctx, n.id, paper)
    pdf = render_notice(ctx.settings, data)
    record_print(ctx, n.id, len(data.places), paper)
    return pdf
