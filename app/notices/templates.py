"""Notice templates (公告模板): the shipped ones (app/notices/shipped.py) copied into the database
the first time the board is used, then edited by the office; a template's ``{字段}`` placeholders
filled from the notice form and the site settings."""
from __future__ import annotations

import re

from app.core import validation as v
from app.core.audit import model_dict, record, save_changes
from app.core.dates import fmt_date
from app.core.errors import ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.notices.shipped import FIELDS, SHIPPED
from models.notices import GRADES, NoticeTemplate

PLACEHOLDER = re.compile(r"\{([^{}\s]{1,12})\}")
TITLE_MAX = 40
MAX_DAYS = 366


def ensure_shipped(ctx) -> int:
    """Copy the shipped templates the database lacks (by code); returns how many were added.
    Not a user's action: the program's own templates, added once."""
    have = {code for (code,) in NoticeTemplate.select(NoticeTemplate.code).tuples()}
    missing = [t for t in SHIPPED if t[0] not in have]
    if not missing:
        return 0
    now = ctx.clock.now()
    with ctx.db.atomic():
        for order, (code, name, grade, days, title, body) in enumerate(SHIPPED):
            if code in have:
                continue
            NoticeTemplate.insert(code=code, name=name, grade=grade, days=days, title=title, body=body,
                                  sort_order=order, created_at=now, updated_at=now).on_conflict_ignore().execute()
    return len(missing)


def list_templates(ctx, include_inactive: bool = False) -> list[NoticeTemplate]:
    require(ctx, "notices.view")
    ensure_shipped(ctx)
    q = NoticeTemplate.select()
    if not include_inactive:
        q = q.where(NoticeTemplate.active == True)  # noqa: E712
    return list(q.order_by(NoticeTemplate.sort_order, NoticeTemplate.id))


def get_template(key) -> NoticeTemplate:
    if isinstance(key, str) and not key.isdigit():
        return get_or_404(NoticeTemplate, NoticeTemplate.code == key, message=f"公告模板“{key}”不存在")
    return get_or_404(NoticeTemplate, key, "公告模板")


def _fields(data: dict) -> dict:
    out = {"name": v.check_required(data.get("name"), "模板名称"),
           "grade": v.check_choice(data.get("grade"), GRADES, "等级"),
           "title": v.check_required(data.get("title"), "标题"),
           "body": v.check_required(data.get("body"), "正文")}
    if len(out["title"]) > TITLE_MAX:
        raise ValidationError("标题", f"不能超过{TITLE_MAX}个字")
    try:
        days = int(str(data.get("days", 7)).strip())
    except ValueError:
        raise ValidationError("张贴天数", f"“{data.get('days')}”不是整数") from None
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError("张贴天数", f"应在1到{MAX_DAYS}之间")
    out["days"] = days
    unknown = sorted({m for m in PLACEHOLDER.findall(out["title"] + out["body"])} - set(FIELDS))
    if unknown:
        raise ValidationError("正文", f"未知的填充字段：{'、'.join('{' + u + '}' for u in unknown)}"
                                      f"（可用：{'、'.join(FIELDS)}）")
    out["active"] = bool(data.get("active", True))
    return out


def update_template(ctx, template_id, data: dict) -> NoticeTemplate:
    require(ctx, "notices.template")
    t = get_template(template_id)
    merged = {k: getattr(t, k) for k in ("name", "grade", "title", "body", "days", "active")}
    merged.update(data)
    fields = _fields(merged)
    if NoticeTemplate.select().where((NoticeTemplate.name == fields["name"]) & (NoticeTemplate.id != t.id)).exists():
        raise ValidationError("模板名称", f"“{fields['name']}”已有")
    return save_changes(ctx, t, fields, "notice.template_update", "notice_template")


def create_template(ctx, data: dict) -> NoticeTemplate:
    require(ctx, "notices.template")
    fields = _fields(data)
    if NoticeTemplate.select().where(NoticeTemplate.name == fields["name"]).exists():
        raise ValidationError("模板名称", f"“{fields['name']}”已有")
    now = ctx.clock.now()
    with ctx.db.atomic():
        n = NoticeTemplate.select().count() + 1
        t = NoticeTemplate.create(code=f"office_{n}_{now:%Y%m%d%H%M%S}", sort_order=100 + n, created_at=now,
                                  updated_at=now, **fields)
        record(ctx, "notice.template_create", "notice_template", t.id, None, model_dict(t))
    return t


def arrears_homes(ctx) -> int:
    """How many homes owe anything today: a count only, no names or rooms (催缴公示)."""
    from app.ledger.arrears import home_arrears
    return len(home_arrears(ctx))


def fill_values(ctx, form: dict, scope_text: str) -> dict:
    """The placeholder values: the form's dates, times and reason, the chosen buildings, the site's
    settings. A value the form leaves empty keeps its placeholder visible (the clerk sees the gap)."""
    s = ctx.settings
    values = {"小区名称": s.get("site.name"), "楼栋": scope_text,
              "客服电话": s.get("site.service_phone") or "（见公告栏）",
              "办公时间": s.get("office.hours"), "截至日期": fmt_date(ctx.clock.today())}
    for key, name in (("start_date", "开始日期"), ("end_date", "结束日期")):
        if form.get(key):
            values[name] = fmt_date(v.parse_date(form[key], name))
    for key, name in (("start_time", "开始时间"), ("end_time", "结束时间"), ("reason", "原因")):
        if str(form.get(key) or "").strip():
            values[name] = str(form[key]).strip()
    return values


def fill(text: str, values: dict, lazy: dict | None = None) -> str:
    """Replace the known placeholders; *lazy* maps a placeholder to a function called only when the
    text uses it (the arrears count reads the ledger)."""
    def one(m):
        key = m.group(1)
        if key in values:
            return str(values[key])
        if lazy and key in lazy:
            values[key] = lazy[key]()
            return str(values[key])
        return m.group(0)
    return PLACEHOLDER.sub(one, text)


def draft_from_template(ctx, template_key, form: dict, scope_text: str) -> dict:
    """Title, body and grade of a new notice from a template, the form's fields filled in."""
    ensure_shipped(ctx)
    t = get_template(template_key)
    values = fill_values(ctx, form, scope_text)
    lazy = {"欠费户数": lambda: arrears_homes(ctx)}
    return {"template": t.code, "grade": t.grade, "title": fill(t.title, values, lazy),
            "body": fill(t.body, values, lazy), "days": t.days}
