"""Notices for the board (公告栏, domain.md §10): drafted (numbered per year, GG2026-0001),
approved by the manager, printed (one copy per entrance of the chosen buildings), posted and taken
down. Writes here are one transaction each, audited; prints are in app/notices/prints.py."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from app.core import validation as v
from app.core.attachments import attach, attachments_for
from app.core.audit import model_dict, record
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.core.sequences import format_number, next_number
from models.notices import GRADES, Notice
from models.property import Building, Entrance

TITLE_MAX = 40
BODY_MAX = 5000
MAX_PERIOD_DAYS = 366
EDITABLE = ("草稿", "已审批")


def office_name(ctx) -> str:
    return ctx.settings.get("notice.office") or f"{ctx.settings.get('site.name')}物业服务中心"


def get_notice(key) -> Notice:
    if isinstance(key, str) and not key.isdigit():
        return get_or_404(Notice, Notice.number == key.strip(), message=f"公告“{key}”不存在")
    return get_or_404(Notice, key, "公告")


# scope: buildings and entrances ----------------------------------------------------------------

def building_label(b) -> str:
    return b.name or f"{b.code}号楼"


def scope_choices() -> list[dict]:
    """Every building with its entrances, for the form: {code, label, entrances: [(id, label)]}."""
    ents: dict[int, list] = {}
    for e in Entrance.select().order_by(Entrance.building, Entrance.code):
        ents.setdefault(e.building_id, []).append((e.id, f"{e.code}单元"))
    return [{"code": b.code, "label": building_label(b), "entrances": ents.get(b.id, [])}
            for b in Building.select().order_by(Building.sort_order, Building.id)]


def _scope(buildings, entrances) -> tuple[str, str, str]:
    """(building codes, entrance ids, words) of a chosen scope; nothing chosen: the whole site."""
    codes = [str(c).strip() for c in (buildings or []) if str(c).strip()]
    known = {b.code: b for b in Building.select().where(Building.code.in_(codes))} if codes else {}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError("楼栋", f"没有楼栋“{'、'.join(unknown)}”")
    ids = sorted({int(i) for i in (entrances or [])})
    ents = list(Entrance.select(Entrance, Building).join(Building).where(Entrance.id.in_(ids))) if ids else []
    if len(ents) != len(ids):
        raise ValidationError("单元", "所选单元不存在")
    for e in ents:
        if e.building.code not in known:
            raise ValidationError("单元", f"{building_label(e.building)}{e.code}单元不在所选楼栋中")
    if not codes:
        return "", "", "全体业主"
    parts = []
    for c in codes:
        mine = [f"{e.code}单元" for e in ents if e.building.code == c]
        parts.append(building_label(known[c]) + ("（" + "、".join(mine) + "）" if mine else ""))
    return ",".join(codes), ",".join(str(i) for i in ids), "、".join(parts)


def scope_words(buildings, entrances=()) -> str:
    return _scope(buildings, entrances)[2]


def posting_places(notice: Notice) -> list[str]:
    """Where a copy goes: each chosen entrance, else every entrance of the chosen buildings, else of
    the whole site (the site's board when it has no entrances)."""
    codes = [c for c in notice.buildings.split(",") if c]
    ids = [int(i) for i in notice.entrances.split(",") if i]
    q = Entrance.select(Entrance, Building).join(Building)
    if codes:
        q = q.where(Building.code.in_(codes))
    chosen = {int(i) for i in ids}
    by_building: dict[str, list] = {}
    for e in q.order_by(Building.sort_order, Building.id, Entrance.code):
        by_building.setdefault(e.building.code, []).append(e)
    places = []
    for ents in by_building.values():
        picked = [e for e in ents if e.id in chosen] or ents
        places.extend(f"{building_label(e.building)}{e.code}单元" for e in picked)
    return places or ["小区公告栏"]


# writes ----------------------------------------------------------------------------------------

def _fields(ctx, data: dict) -> dict:
    out = {"grade": v.check_choice(data.get("grade"), GRADES, "等级"),
           "title": v.check_required(data.get("title"), "标题"),
           "body": v.check_required(data.get("body"), "正文")}
    if len(out["title"]) > TITLE_MAX:
        raise ValidationError("标题", f"不能超过{TITLE_MAX}个字")
    if len(out["body"]) > BODY_MAX:
        raise ValidationError("正文", f"不能超过{BODY_MAX}个字")
    if "{" in out["title"] + out["body"]:
        from app.notices.templates import PLACEHOLDER
        left = PLACEHOLDER.findall(out["title"] + out["body"])
        if left:
            raise ValidationError("正文", f"还有未填写的字段：{'、'.join('{' + x + '}' for x in left)}")
    out["post_from"] = v.parse_date(data.get("post_from"), "张贴起始日期")
    out["post_to"] = v.parse_date(data.get("post_to"), "张贴截止日期")
    if out["post_to"] < out["post_from"]:
        raise ValidationError("张贴截止日期", "不能早于张贴起始日期")
    if (out["post_to"] - out["post_from"]).days > MAX_PERIOD_DAYS:
        raise ValidationError("张贴截止日期", f"张贴期不能超过{MAX_PERIOD_DAYS}天")
    out["issue_date"] = v.parse_date(data.get("issue_date") or ctx.clock.today(), "发布日期")
    out["office"] = str(data.get("office") or "").strip() or office_name(ctx)
    out["buildings"], out["entrances"], out["scope_text"] = _scope(data.get("buildings"), data.get("entrances"))
    out["template"] = str(data.get("template") or "")
    out["notes"] = str(data.get("notes") or "").strip()
    return out


def create_notice(ctx, data: dict) -> Notice:
    """Draft a notice. ``data``: grade, title, body, buildings (codes), entrances (ids), post_from,
    post_to, issue_date, office, template, notes. Numbered GG<year>-NNNN in the same transaction."""
    require(ctx, "notices.draft")
    fields = _fields(ctx, data)
    now = ctx.clock.now()
    year = fields["issue_date"].year
    with ctx.db.atomic():
        number = format_number("GG", year, next_number("notice", year), 4)
        n = Notice.create(number=number, year=year, state="草稿", created_by=getattr(ctx.user, "id", None),
                          created_at=now, updated_at=now, **fields)
        record(ctx, "notice.create", "notice", n.id, None, model_dict(n))
    return n


def update_notice(ctx, notice_id, data: dict) -> Notice:
    """Change a draft (or an approved notice not yet printed: it goes back to 草稿 for approval)."""
    require(ctx, "notices.draft")
    n = get_notice(notice_id)
    if n.state not in EDITABLE:
        raise StateError(f"公告 {n.number} {n.state}，不能修改")
    merged = {"grade": n.grade, "title": n.title, "body": n.body, "buildings": [c for c in n.buildings.split(",") if c],
              "entrances": [int(i) for i in n.entrances.split(",") if i], "post_from": n.post_from,
              "post_to": n.post_to, "issue_date": n.issue_date, "office": n.office, "template": n.template,
              "notes": n.notes}
    merged.update(data)
    fields = _fields(ctx, merged)
    before = model_dict(n)
    with ctx.db.atomic():
        for k, val in fields.items():
            setattr(n, k, val)
        n.state, n.approved_by, n.approved_at = "草稿", None, None
        n.updated_at = ctx.clock.now()
        n.save()
        record(ctx, "notice.update", "notice", n.id, before, model_dict(n))
    return n


@contextmanager
def _locked(ctx, notice_id, allowed_from: tuple, words: str):
    """One state step's transaction: the notice locked and its state checked again inside it; yields
    the row and its values before the step."""
    from models.db import for_update
    with ctx.db.atomic():
        n = for_update(Notice.select().where(Notice.id == get_notice(notice_id).id)).get()
        if n.state not in allowed_from:
            raise StateError(f"公告 {n.number} {n.state}，不能{words}")
        yield n, model_dict(n)


def _saved(ctx, n: Notice) -> dict:
    n.updated_at = ctx.clock.now()
    n.save()
    return model_dict(n)


def approve(ctx, notice_id) -> Notice:
    require(ctx, "notices.approve")
    with _locked(ctx, notice_id, ("草稿",), "审批") as (n, before):
        n.state, n.approved_by, n.approved_at = "已审批", getattr(ctx.user, "id", None), ctx.clock.now()
        record(ctx, "notice.approve", "notice", n.id, before, _saved(ctx, n))
    return n


def record_print(ctx, notice_id, copies: int, paper: str) -> Notice:
    """A print job of an approved notice: 已审批 → 已打印; a reprint adds to the count."""
    require(ctx, "notices.post")
    with _locked(ctx, notice_id, ("已审批", "已打印", "已张贴"), "打印") as (n, before):
        if n.state == "已审批":
            n.state = "已打印"
        n.printed_at, n.print_count, n.paper = ctx.clock.now(), n.print_count + copies, paper
        record(ctx, "notice.print", "notice", n.id, before, _saved(ctx, n))
    return n


def post(ctx, notice_id) -> Notice:
    require(ctx, "notices.post")
    with _locked(ctx, notice_id, ("已打印",), "张贴") as (n, before):
        n.state, n.posted_at, n.posted_by = "已张贴", ctx.clock.now(), getattr(ctx.user, "id", None)
        record(ctx, "notice.post", "notice", n.id, before, _saved(ctx, n))
    return n


def take_down(ctx, notice_id) -> Notice:
    require(ctx, "notices.post")
    with _locked(ctx, notice_id, ("已张贴",), "撤下") as (n, before):
        n.state, n.taken_down_at, n.taken_down_by = "已撤下", ctx.clock.now(), getattr(ctx.user, "id", None)
        record(ctx, "notice.take_down", "notice", n.id, before, _saved(ctx, n))
    return n


def add_attachment(ctx, notice_id, path) -> int:
    """Attach a file (a drawing, the utility's letter) to a notice; returns the attachment's id."""
    require(ctx, "notices.draft")
    n = get_notice(notice_id)
    with ctx.db.atomic():
        att = attach(ctx, "notice", n.id, path)
        record(ctx, "notice.attach", "notice", n.id, None, {"attachment": att.original_name, "size": att.size})
    return att.id


def attachment_names(notice_id: int) -> list[str]:
    return [a.original_name for a in attachments_for("notice", notice_id)]


def period_text(n: Notice) -> str:
    return f"{n.post_from:%Y-%m-%d} 至 {n.post_to:%Y-%m-%d}"


def board_flag(n: Notice, today: dt.date) -> str:
    """今日到期 / 过期未撤（N天） for a notice on the board; "" otherwise."""
    if n.state != "已张贴":
        return ""
    if n.post_to == today:
        return "今日到期"
    if n.post_to < today:
        return f"过期未撤（{(today - n.post_to).days}天）"
    return ""
