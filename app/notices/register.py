"""The board's register (公告登记): every notice with its state, what is on the board now, due to
come down today, expired but never taken down; search, and the register as an Excel file."""
from __future__ import annotations

from peewee import fn

from app.core.audit import record
from app.core.dates import fmt_date, fmt_datetime
from app.core.permissions import require
from app.notices.notices import board_flag, period_text
from models.notices import GRADES, Notice

VIEWS = ("在栏公告", "今日到期", "过期未撤", "待审批", "待打印", "待张贴", "全部")
NAMED = 5            # notices named in a reminder line
COLUMNS = ("编号", "等级", "标题", "张贴范围", "张贴期", "状态", "提醒", "发布单位", "发布日期", "打印份数",
           "张贴时间", "撤下时间")


def _view_where(view: str, today):
    posted = Notice.state == "已张贴"
    return {"在栏公告": posted, "今日到期": posted & (Notice.post_to == today),
            "过期未撤": posted & (Notice.post_to < today), "待审批": Notice.state == "草稿",
            "待打印": Notice.state == "已审批", "待张贴": Notice.state == "已打印"}.get(view)


def notice_row(n: Notice, today) -> dict:
    return {"id": n.id, "number": n.number, "grade": n.grade, "title": n.title, "scope_text": n.scope_text,
            "period": period_text(n), "post_from": n.post_from, "post_to": n.post_to, "state": n.state,
            "flag": board_flag(n, today), "office": n.office, "issue_date": fmt_date(n.issue_date),
            "print_count": n.print_count, "posted_at": fmt_datetime(n.posted_at) if n.posted_at else "",
            "taken_down_at": fmt_datetime(n.taken_down_at) if n.taken_down_at else "", "body": n.body}


def list_notices(ctx, view: str = "全部", grade: str | None = None, text: str = "", limit: int = 1000) -> list[dict]:
    """Notices of a view (VIEWS), a grade and a search text (number, title or body), newest first;
    the board's views in the order they come down."""
    require(ctx, "notices.view")
    today = ctx.clock.today()
    q = Notice.select()
    where = _view_where(view, today)
    if where is not None:
        q = q.where(where)
    if grade:
        q = q.where(Notice.grade == grade)
    text = (text or "").strip()
    if text:
        like = f"%{text}%"
        q = q.where(Notice.number.contains(text) | Notice.title ** like | Notice.body ** like
                    | Notice.scope_text ** like)
    order = (Notice.post_to, Notice.id) if view in ("在栏公告", "今日到期", "过期未撤") else (Notice.id.desc(),)
    return [notice_row(n, today) for n in q.order_by(*order).limit(limit)]


def board_counts(ctx) -> dict:
    """How many notices per view (the tab's summary line and the start-up reminder)."""
    require(ctx, "notices.view")
    today = ctx.clock.today()
    out = {}
    for view in VIEWS[:-1]:
        out[view] = Notice.select(fn.COUNT(Notice.id)).where(_view_where(view, today)).scalar() or 0
    return out


def register_rows(ctx, view: str = "全部", grade: str | None = None, text: str = "") -> list[list]:
    return [[r["number"], r["grade"], r["title"], r["scope_text"], r["period"], r["state"], r["flag"], r["office"],
             r["issue_date"], r["print_count"], r["posted_at"], r["taken_down_at"]]
            for r in list_notices(ctx, view, grade, text, limit=100_000)]


def export_register(ctx, path, view: str = "全部", grade: str | None = None, text: str = "") -> int:
    """The register as an Excel file (no personal data on notices); returns the number of rows."""
    require(ctx, "notices.export")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from app.core.xlsx import append_row, save_workbook
    rows = register_rows(ctx, view, grade, text)
    wb = Workbook()
    ws = wb.active
    ws.title = "公告登记"
    ws.append(COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        append_row(ws, row)
    for col, width in zip("ABCDEFGHIJKL", (13, 9, 30, 24, 24, 8, 14, 24, 12, 9, 17, 17), strict=True):
        ws.column_dimensions[col].width = width
    with ctx.db.atomic():
        save_workbook(wb, path)
        record(ctx, "notice.export", "notice_register", "", None, {"rows": len(rows), "file": str(path)})
    return len(rows)


def check_grade(grade: str | None) -> str | None:
    if grade in (None, ""):
        return None
    from app.core.validation import check_choice
    return check_choice(grade, GRADES, "等级")



def startup_reminders(ctx) -> list[str]:
    """The board's lines of the start-up reminder: notices to take down today or overdue, and the
    drafts waiting for the manager's approval."""
    from app.core.permissions import allowed
    if not allowed(getattr(ctx.user, "role", None), "notices.view"):
        return []
    lines = []
    for view, words in (("过期未撤", "张贴期已过仍未撤下，请撤下"), ("今日到期", "今日张贴期满，请按时撤下")):
        rows = list_notices(ctx, view)
        if rows:
            numbers = "、".join(f"{r['number']}《{r['title']}》" for r in rows[:NAMED])
            numbers += " 等" if len(rows) > NAMED else ""
            lines.append(f"公告栏：{len(rows)} 份公告{words}：{numbers}")
    waiting = board_counts(ctx)["待审批"]
    if waiting and allowed(getattr(ctx.user, "role", None), "notices.approve"):
        lines.append(f"公告栏：{waiting} 份公告草稿待审批")
    return lines

