"""Service requests (报事): intake, dispatch, arrival, completion, escalation, return visits.

首问责任制: the user who receives a request (``receiver``) stays its responsible owner until it is
closed; the escalation ladder adds who *holds* it now (domain.md §9, 003 005-4.2):

    level 0  首问责任人 / 维修人员      from intake
    level 1  部门主管                  not finished on the day received (from 00:00 next day)
    level 2  客服主管                  48 h after intake
    level 3  项目经理                  72 h
    level 4  区域经理                  7 days
    level 5  品质中心                  15 days

Every time limit is a site setting (request.*). Times come from ctx.clock.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from app.core import audit
from app.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from app.core.permissions import require
from app.core.sequences import format_number, next_number
from app.core.validation import check_choice, check_phone, check_required, normalize_room_code
from models.property import Home
from models.service import CHANNELS, COMPLAINT_CLASSES, KINDS, OPEN_STATUSES, ReturnVisit, ServiceEvent, ServiceRequest
from models.users import User

LEVELS = ["首问责任人", "部门主管", "客服主管", "项目经理", "区域经理", "品质中心"]
HOLDER_SETTINGS = [None, "request.holder.dept", "request.holder.cs", "request.holder.project",
                   "request.holder.area", "request.holder.quality"]
PAID_SERVICES = {"lamp": "安装灯具", "drain": "疏通下水道", "breaker": "更换空气开关",
                 "basin_drain": "更换面盆下水", "tap": "更换水龙头"}
END_OF_DAY = dt.time(23, 59, 59)


# --------------------------------------------------------------------------- time rules
def _hm(ctx, key) -> dt.time:
    hh, mm = str(ctx.settings.get(key)).split(":")
    return dt.time(int(hh), int(mm))


def workdays(ctx) -> set[int]:
    raw = str(ctx.settings.get("request.workdays") or "")
    days = {int(x) for x in raw.replace("，", ",").split(",") if x.strip().isdigit() and 1 <= int(x) <= 7}
    return days or {1, 2, 3, 4, 5}


def holidays(ctx) -> set[dt.date]:
    out = set()
    for part in str(ctx.settings.get("request.holidays") or "").replace("，", ",").split(","):
        part = part.strip()
        if part:
            try:
                out.add(dt.date.fromisoformat(part))
            except ValueError:
                pass
    return out


def is_workday(ctx, day: dt.date) -> bool:
    return day.isoweekday() in workdays(ctx) and day not in holidays(ctx)


def add_workdays(ctx, day: dt.date, n: int) -> dt.date:
    """The n-th working day after *day* (Monday–Friday by default, holidays skipped)."""
    d = day
    count = 0
    while count < n:
        d += dt.timedelta(days=1)
        if is_workday(ctx, d):
            count += 1
    return d


def visit_allowed(ctx, when: dt.datetime) -> bool:
    """Return visits: not before 10:00, not at lunch (12:00–14:00), not from 21:00 on."""
    t = when.time()
    start, lunch_from = _hm(ctx, "request.visit_not_before"), _hm(ctx, "request.lunch_from")
    lunch_to, end = _hm(ctx, "request.lunch_to"), _hm(ctx, "request.visit_not_after")
    return start <= t < end and not (lunch_from <= t < lunch_to)


def visit_rule_text(ctx) -> str:
    """The site's quiet hours for return visits, e.g. 10:00前、午休（12:00–14:00）及21:00后不回访."""
    start, lunch_from = _hm(ctx, "request.visit_not_before"), _hm(ctx, "request.lunch_from")
    lunch_to, end = _hm(ctx, "request.lunch_to"), _hm(ctx, "request.visit_not_after")
    return f"{start:%H:%M}前、午休（{lunch_from:%H:%M}–{lunch_to:%H:%M}）及{end:%H:%M}后不回访"


def next_visit_slot(ctx, proposed: dt.datetime) -> dt.datetime:
    """Move a proposed visit time to the next allowed moment (unchanged when already allowed)."""
    start, lunch_from = _hm(ctx, "request.visit_not_before"), _hm(ctx, "request.lunch_from")
    lunch_to, end = _hm(ctx, "request.lunch_to"), _hm(ctx, "request.visit_not_after")
    t, d = proposed.time(), proposed.date()
    if t < start:
        return dt.datetime.combine(d, start)
    if lunch_from <= t < lunch_to:
        return dt.datetime.combine(d, lunch_to)
    if t >= end:
        return dt.datetime.combine(d + dt.timedelta(days=1), start)
    return proposed


# --------------------------------------------------------------------------- deadlines
def dispatch_due(ctx, r) -> dt.datetime:
    return r.received_at + dt.timedelta(minutes=ctx.settings.get("request.dispatch_minutes"))


def arrival_due(ctx, r) -> dt.datetime | None:
    if r.dispatched_at is None:
        return None
    return r.dispatched_at + dt.timedelta(minutes=ctx.settings.get("request.arrival_minutes"))


def visit_due(ctx, r) -> dt.datetime | None:
    if r.completed_at is None:
        return None
    return r.completed_at + dt.timedelta(hours=ctx.settings.get("request.return_visit_hours"))


def dispatched_on_time(ctx, r) -> bool | None:
    if r.dispatched_at is None:
        return None
    return r.dispatched_at <= dispatch_due(ctx, r)


def arrived_on_time(ctx, r) -> bool | None:
    if r.arrived_at is None:
        return None
    return r.arrived_at <= arrival_due(ctx, r)


def level_thresholds(ctx, received: dt.datetime) -> list[dt.datetime]:
    """The moments at which levels 1 … 5 are reached for a request received at *received*."""
    s = ctx.settings
    return [
        dt.datetime.combine(received.date() + dt.timedelta(days=1), dt.time(0, 0)),
        received + dt.timedelta(hours=s.get("request.escalate_supervisor_hours")),
        received + dt.timedelta(hours=s.get("request.escalate_project_hours")),
        received + dt.timedelta(days=s.get("request.escalate_area_days")),
        received + dt.timedelta(days=s.get("request.escalate_quality_days")),
    ]


def level_at(ctx, r, when: dt.datetime | None = None) -> int:
    """The escalation level of request *r* at *when* (0 once it is finished or not yet late)."""
    when = when or ctx.clock.now()
    if r.status not in OPEN_STATUSES:
        return r.escalation_level
    level = 0
    for i, moment in enumerate(level_thresholds(ctx, r.received_at), start=1):
        if when >= moment:
            level = max(level, i)
    return level


def holder_name(ctx, r, level: int) -> str:
    """Who holds the request at *level*: 'title（name）'."""
    if level <= 0:
        if r.handler and r.status in ("已派工", "处理中"):
            return f"处理人（{r.handler}）"
        name = getattr(r, "receiver_name", None) or r.receiver.display_name
        return f"首问责任人（{name}）"
    name = ctx.settings.get(HOLDER_SETTINGS[level]) or ""
    return f"{LEVELS[level]}（{name}）" if name else LEVELS[level]


def warnings(ctx, r, when: dt.datetime | None = None, visited: bool | None = None) -> list[str]:
    """Deadlines missed or due now, in Chinese, for the list's 提醒 column."""
    from app.service import complaints
    when = when or ctx.clock.now()
    out = []
    if r.kind == "报修" and r.status == "待派工" and when > dispatch_due(ctx, r):
        out.append("派工超时")
    if r.kind == "报修" and r.status == "已派工" and when > arrival_due(ctx, r):
        out.append("到场超时")
    if r.kind == "投诉":
        out.extend(complaints.warnings(ctx, r, when))
    if r.status == "已完成" and when > visit_due(ctx, r) and not (_has_visit(r) if visited is None else visited):
        out.append("回访超时")
    lvl = level_at(ctx, r, when)
    if lvl:
        out.append(f"已升级至{LEVELS[lvl]}")
    return out


def _has_visit(r) -> bool:
    return ReturnVisit.select().where((ReturnVisit.request == r.id) & ReturnVisit.visited_at.is_null(False)).exists()


# --------------------------------------------------------------------------- helpers
def status_label(kind: str, status: str) -> str:
    """The status as shown: a complaint, suggestion or enquiry is 待处理 rather than 待派工."""
    return "待处理" if status == "待派工" and kind != "报修" else status


def get(request_id: int) -> ServiceRequest:
    from app.core.lookup import get_or_404
    return get_or_404(ServiceRequest, request_id, message=f"报事记录 {request_id} 不存在")


def find(ref) -> ServiceRequest:
    """A request by its id (\"12\") or its number (\"FW2026-000012\")."""
    text = str(ref or "").strip().upper()
    if text.isdigit():
        return get(int(text))
    r = ServiceRequest.get_or_none(ServiceRequest.number == text)
    if r is None:
        raise NotFound(f"报事记录 {ref} 不存在")
    return r


def _event(ctx, r, kind, note="", level=None, holder="", ts=None):
    return ServiceEvent.create(request=r.id, ts=ts or ctx.clock.now(), kind=kind,
                               level=r.escalation_level if level is None else level,
                               holder=holder, note=note, user=getattr(ctx.user, "id", None))


def _snapshot(r) -> dict:
    return {k: r.__data__.get(k) for k in ("status", "handler", "dispatched_at", "arrived_at", "completed_at",
                                             "charge_fen", "escalation_level", "grade", "valid", "closed_at")}


def _find_home(home_id=None, room_code=None) -> Home:
    home = None
    if home_id:
        home = Home.get_or_none(Home.id == home_id)
    elif room_code:           # as typed: full-width digits, spaces and dashes as app.archives.homes accepts them
        home = Home.get_or_none(Home.room_code == normalize_room_code(room_code))
    if home is None and not (home_id or str(room_code or "").strip()):
        raise ValidationError("房号", "不能为空，请填写报事房屋的房号")
    if home is None:
        raise ValidationError("房号", f"“{room_code or home_id or ''}”不存在，请先在业主档案中登记该房屋")
    return home


# --------------------------------------------------------------------------- intake
def intake(ctx, *, channel: str, kind: str, caller: str, content: str, read_back: bool,
           home_id: int | None = None, room_code: str | None = None, phone: str = "",
           complaint_class: str = "", subject: str = "", lawsuit: bool = False, media: bool = False,
           group_size: int = 1) -> ServiceRequest:
    """Receive a request by phone, visit or letter; the current user becomes its first receiver."""
    require(ctx, "service.intake")
    channel = check_choice(channel, CHANNELS, "受理方式")
    kind = check_choice(kind, KINDS, "类别")
    home = _find_home(home_id, room_code)
    caller = check_required(caller, "报事人")
    phone = check_phone(phone, "联系电话", required=(channel == "电话"))
    content = check_required(content, "报事内容")
    if not read_back:
        raise ValidationError("复述确认", "受理内容须向报事人复述确认后方可登记")
    if kind == "投诉":
        complaint_class = check_choice(complaint_class, COMPLAINT_CLASSES, "投诉类别")
        subject = check_required(subject, "投诉主题")
        try:
            group_size = int(group_size)
        except (TypeError, ValueError):
            raise ValidationError("投诉人数", "应为整数") from None
        if group_size < 1:
            raise ValidationError("投诉人数", "至少为1人")
    else:
        complaint_class, subject, lawsuit, media, group_size = "", "", False, False, 1
    if getattr(ctx.user, "id", None) is None:
        raise StateError("受理人未登录：首问责任人须为已登录用户")
    now = ctx.clock.now()
    with ctx.db.atomic():
        n = next_number("service_request", now.year)
        r = ServiceRequest.create(
            number=format_number("FW", now.year, n), channel=channel, kind=kind, home=home.id,
            caller=caller, phone=phone, content=content, read_back=True, received_at=now,
            receiver=ctx.user.id, status="待派工", complaint_class=complaint_class,
            subject="".join(subject.split()), lawsuit=bool(lawsuit), media=bool(media), group_size=group_size,
            grade="一般" if kind == "投诉" else "")
        _event(ctx, r, "受理", f"{channel}受理，首问责任人：{ctx.user.display_name}")
        if kind == "投诉":
            from app.service import complaints
            complaints.regrade(ctx, r)
            r = ServiceRequest.get_by_id(r.id)
        audit.record(ctx, "service.intake", "service_request", r.id, None,
                     {"number": r.number, "kind": kind, "home": home.room_code, "channel": channel,
                      "grade": r.grade})
    return r


# --------------------------------------------------------------------------- corrections
EDITABLE = {"caller": "报事人", "phone": "联系电话", "home": "房号", "content": "报事内容", "kind": "类别",
            "complaint_class": "投诉类别", "subject": "投诉主题", "group_size": "投诉人数", "lawsuit": "涉及诉讼",
            "media": "媒体曝光"}


def read_back_text(*, caller: str, room_code: str, kind: str, content: str, phone_shown: str = "",
                   complaint_class: str = "", subject: str = "", number: str = "", receiver: str = "") -> str:
    """What the receiver reads back to the caller (复述) to confirm the record, in plain Chinese."""
    who = (caller or "").strip() or "您"
    parts = [f"{who}您好，跟您核对一下：您反映的是{(room_code or '').strip() or '（房号未填）'}的{kind}事项，"
             f"内容是“{(content or '').strip()}”"]
    if kind == "投诉" and (complaint_class or subject):
        parts.append(f"，属{complaint_class}类投诉" + (f"（{subject}）" if subject else ""))
    parts.append(f"；联系电话 {phone_shown}" if phone_shown else "；未留联系电话")
    tail = "。"
    if number:
        tail += f"受理编号 {number}"
        tail += f"，首问责任人 {receiver}。" if receiver else "。"
    return "".join(parts) + tail + "以上内容是否准确？"


def request_read_back(r) -> str:
    """The read-back text of a stored request (phone masked)."""
    from app.core.privacy import mask_phone
    room = getattr(r, "room_code", None) or r.home.room_code
    receiver = getattr(r, "receiver_name", None) or getattr(r, "receiver", None)
    receiver = receiver if isinstance(receiver, str) else getattr(receiver, "display_name", "")
    phone = getattr(r, "phone_masked", None)
    if phone is None:
        phone = mask_phone(r.phone)
    return read_back_text(caller=r.caller, room_code=room, kind=r.kind, content=r.content, phone_shown=phone,
                          complaint_class=r.complaint_class, subject=r.subject if hasattr(r, "subject") else "",
                          number=r.number, receiver=receiver)


def may_edit(ctx, r) -> bool:
    """The first receiver may correct their own request; a manager (service.edit_any) anyone's."""
    from app.core.permissions import allowed
    role = getattr(ctx.user, "role", None)
    if not allowed(role, "service.edit"):
        return False
    receiver_id = getattr(r, "receiver_id", None)
    return receiver_id == getattr(ctx.user, "id", None) or allowed(role, "service.edit_any")


def edit_request(ctx, request_id: int, *, read_back: bool, caller: str | None = None, phone: str | None = None,
                 room_code: str | None = None, home_id: int | None = None, content: str | None = None,
                 kind: str | None = None, complaint_class: str | None = None, subject: str | None = None,
                 group_size: int | None = None, lawsuit: bool | None = None, media: bool | None = None,
                 note: str = "") -> ServiceRequest:
    """Correct what was taken down at intake on an open request: contact, phone, room, category
    (only before any work started), complaint class/subject/flags, description. None = unchanged.
    The corrected record must be read back to the caller again. Every change is recorded as a 更正
    event and in the audit log (before/after, phones masked); finished or closed requests are refused."""
    from app.core.privacy import mask_phone
    require(ctx, "service.edit")
    r = get(request_id)
    if not may_edit(ctx, r):
        raise PermissionDenied(f"{r.number} 由 {r.receiver.display_name} 受理：只有首问责任人或经理可以更正受理信息")
    if r.status not in OPEN_STATUSES:
        raise StateError(f"{r.number} {status_label(r.kind, r.status)}，已办结的记录不能再更正受理信息")
    new = {}
    if caller is not None:
        new["caller"] = check_required(caller, "报事人")
    if phone is not None:
        new["phone"] = check_phone(phone, "联系电话", required=(r.channel == "电话"))
    if home_id is not None or (room_code is not None and str(room_code).strip() != ""):
        new["home"] = _find_home(home_id, room_code).id
    elif room_code is not None:
        raise ValidationError("房号", "不能为空，请填写报事房屋的房号")
    if content is not None:
        new["content"] = check_required(content, "报事内容")
    if kind is not None:
        new["kind"] = check_choice(kind, KINDS, "类别")
    target_kind = new.get("kind", r.kind)
    if new.get("kind", r.kind) != r.kind and r.status != "待派工":
        raise StateError(f"{r.number} 已开始处理（{status_label(r.kind, r.status)}），不能再更改类别")
    if target_kind == "投诉":
        cls = complaint_class if complaint_class is not None else r.complaint_class
        new["complaint_class"] = check_choice(cls, COMPLAINT_CLASSES, "投诉类别")
        subj = subject if subject is not None else r.subject
        new["subject"] = "".join(check_required(subj, "投诉主题").split())
        size = group_size if group_size is not None else r.group_size
        try:
            size = int(size)
        except (TypeError, ValueError):
            raise ValidationError("投诉人数", "应为整数") from None
        if size < 1:
            raise ValidationError("投诉人数", "至少为1人")
        new["group_size"] = size
        new["lawsuit"] = bool(r.lawsuit if lawsuit is None else lawsuit)
        new["media"] = bool(r.media if media is None else media)
    elif complaint_class or subject:
        raise ValidationError("投诉类别", "只有投诉才填写投诉类别和主题")
    else:
        new.update(complaint_class="", subject="", group_size=1, lawsuit=False, media=False)
    changed = {k: v for k, v in new.items() if r.__data__.get(k) != v}
    if not changed:
        raise ValidationError("更正", "没有修改任何内容")
    if not read_back:
        raise ValidationError("复述确认", "更正后的内容须向报事人复述确认")

    def shown(key, value):
        if key == "phone":
            return mask_phone(value) or "（无）"
        if key == "home":
            return Home.get_by_id(value).room_code
        if isinstance(value, bool):
            return "是" if value else "否"
        return value

    before = {k: shown(k, r.__data__.get(k)) for k in changed}
    after = {k: shown(k, v) for k, v in changed.items()}
    with ctx.db.atomic():
        fresh = get(request_id)                    # refuse when it was finished meanwhile
        if fresh.status not in OPEN_STATUSES:
            raise StateError(f"{r.number} 已办结，不能再更正受理信息")
        for k, v in changed.items():
            setattr(fresh, k if k != "home" else "home_id", v)
        if target_kind == "投诉" and r.kind != "投诉" and not fresh.grade:
            fresh.grade = "一般"
        if target_kind != "投诉":
            fresh.grade, fresh.grade_reason = "", ""
        fresh.read_back = True
        fresh.save(only=[getattr(ServiceRequest, k) for k in changed]
                   + [ServiceRequest.grade, ServiceRequest.grade_reason, ServiceRequest.read_back])
        text = "；".join(f"{EDITABLE[k]} {before[k] or '（空）'} → {after[k] or '（空）'}" for k in changed)
        _event(ctx, fresh, "更正", f"更正受理信息：{text}" + (f"（{note.strip()}）" if (note or "").strip() else "")
               + "；已向报事人复述确认")
        grade_keys = {"kind", "home", "complaint_class", "subject", "group_size", "lawsuit", "media"}
        if target_kind == "投诉" and grade_keys & set(changed):
            from app.service import complaints
            complaints.regrade_after_correction(ctx, fresh)
            fresh = get(request_id)
        audit.record(ctx, "service.edit", "service_request", fresh.id, before, {**after, "grade": fresh.grade})
    return fresh


# --------------------------------------------------------------------------- work
def dispatch(ctx, request_id: int, handler: str) -> ServiceRequest:
    require(ctx, "service.handle")
    handler = check_required(handler, "处理人")
    with ctx.db.atomic():
        r = get(request_id)
        if r.status != "待派工":
            raise StateError(f"{r.number} 当前状态为“{r.status}”，不能派工")
        before = _snapshot(r)
        r.handler, r.dispatched_at, r.status = handler, ctx.clock.now(), "已派工"
        r.save()
        late = "" if dispatched_on_time(ctx, r) else "（超过派工时限）"
        _event(ctx, r, "派工", f"派工给 {handler}{late}", holder=handler)
        audit.record(ctx, "service.dispatch", "service_request", r.id, before, _snapshot(r))
    return r


def arrive(ctx, request_id: int) -> ServiceRequest:
    require(ctx, "service.handle")
    with ctx.db.atomic():
        r = get(request_id)
        if r.status != "已派工":
            raise StateError(f"{r.number} 当前状态为“{r.status}”，不能登记到场")
        before = _snapshot(r)
        r.arrived_at, r.status = ctx.clock.now(), "处理中"
        r.save()
        late = "" if arrived_on_time(ctx, r) else "（超过到场时限）"
        _event(ctx, r, "到场", f"{r.handler} 到场{late}", holder=r.handler)
        audit.record(ctx, "service.arrive", "service_request", r.id, before, _snapshot(r))
    return r


def paid_service_price(ctx, item: str) -> int:
    """The owner price of a paid service (000 item 18), in fen."""
    if item not in PAID_SERVICES:
        raise ValidationError("有偿服务项目", f"“{item}”无效，应为：{'、'.join(PAID_SERVICES.values())} 或 其他")
    return int(ctx.settings.get(f"service_price.{item}.owner"))


def _billing():
    if find_spec("app.ledger.billing") is None:
        return None
    mod = import_module("app.ledger.billing")
    return mod if hasattr(mod, "post_charge") else None


def complete(ctx, request_id: int, *, result: str, owner_signed: bool = False, signer_name: str = "",
             service_item: str = "", charge_fen: int | None = None, charge_memo: str = "") -> ServiceRequest:
    """Finish a request. Repairs need the owner's signature; a paid service goes into the fee
    ledger (app.ledger.billing.post_charge) when the ledger exists, else the amount stays on the request."""
    require(ctx, "service.handle")
    result = check_required(result, "处理结果")
    r = get(request_id)
    if r.status not in OPEN_STATUSES:
        raise StateError(f"{r.number} 当前状态为“{r.status}”，不能再次完成")
    if r.kind == "报修":
        if r.status != "处理中":
            raise StateError(f"{r.number} 尚未登记维修人员到场，不能完成")
        if not owner_signed:
            raise ValidationError("业主签字", "维修完成须经业主签字确认")
        signer_name = check_required(signer_name, "签字人")
    if r.kind == "投诉" and r.replied_at is None:
        raise StateError(f"{r.number} 尚未答复投诉人：投诉须先答复（口头当日、书面两个工作日内）才能办结")
    amount = 0
    item = (service_item or "").strip()
    if item:
        if item == "other":
            if charge_fen is None:
                raise ValidationError("收费金额", "其他有偿服务须填写金额")
        else:
            paid_service_price(ctx, item)
        amount = paid_service_price(ctx, item) if charge_fen is None else charge_fen
        if isinstance(amount, float) or not isinstance(amount, int):
            raise ValidationError("收费金额", "金额须为整数（分）")
        if amount <= 0:
            raise ValidationError("收费金额", "应大于0")
    elif charge_fen:
        raise ValidationError("有偿服务项目", "有收费金额时须选择有偿服务项目")
    billing = _billing() if amount else None
    if billing is not None:
        require(ctx, "ledger.charge")      # refuse before anything is written
    with ctx.db.atomic():
        before = _snapshot(r)
        r.result, r.completed_at, r.status = result, ctx.clock.now(), "已完成"
        r.owner_signed, r.signer_name = bool(owner_signed), (signer_name or "").strip()
        r.service_item, r.charge_fen = item, amount
        label = PAID_SERVICES.get(item, "其他有偿服务") if item else ""
        r.charge_memo = (charge_memo or "").strip() or (f"{label}（{r.number}）" if item else "")
        if amount:
            if billing is not None:
                charge = billing.post_charge(ctx, r.home_id, f"service_{item}", amount, memo=r.charge_memo,
                                             source="service", source_id=r.id)
                r.charge_id = getattr(charge, "id", None)
        r.save()
        note = f"处理完成：{result}"
        if amount:
            from app.core.money import fmt_fen
            note += f"；有偿服务 {label} {fmt_fen(amount)} 元" + ("（已记入收费台账）" if r.charge_id else "")
        _event(ctx, r, "完成", note)
        audit.record(ctx, "service.complete", "service_request", r.id, before, _snapshot(r))
    return r


# --------------------------------------------------------------------------- escalation
@dataclass(frozen=True)
class Holding:
    request_id: int
    number: str
    level: int
    level_name: str
    holder: str
    since: dt.datetime


_LIGHT = ("id", "number", "received_at", "channel", "kind", "caller", "phone", "content", "status", "handler",
          "grade", "complaint_class", "subject", "dispatched_at", "arrived_at", "completed_at", "contacted_at",
          "replied_at", "reported_at", "escalation_level", "charge_fen")


def _light_query():
    """Rows as light named tuples (the ORM's full model rows cost ~3 ms each on these machines):
    the request columns the lists and deadlines need, the room code and the receiver's name."""
    cols = [getattr(ServiceRequest, c) for c in _LIGHT]
    return (ServiceRequest.select(*cols, Home.room_code.alias("room_code"), User.display_name.alias("receiver_name"),
                                  ServiceRequest.receiver.alias("receiver_id"))
            .join(Home, on=(ServiceRequest.home == Home.id))
            .switch(ServiceRequest).join(User, on=(ServiceRequest.receiver == User.id)))


def _open_light():
    return _light_query().where(ServiceRequest.status.in_(OPEN_STATUSES)).order_by(ServiceRequest.received_at)


def escalation_status(ctx, when: dt.datetime | None = None) -> list[Holding]:
    """For each open request: its level and who holds it at *when* (default: now). Read only."""
    when = when or ctx.clock.now()
    out = []
    for r in _open_light().namedtuples():
        lvl = level_at(ctx, r, when)
        since = r.received_at if lvl == 0 else level_thresholds(ctx, r.received_at)[lvl - 1]
        out.append(Holding(r.id, r.number, lvl, LEVELS[lvl], holder_name(ctx, r, lvl), since))
    return out


def run_escalations(ctx) -> list[Holding]:
    """Move open requests up the ladder as of now; records one 升级 event per level passed.
    Idempotent, also between desks running it at the same moment: each request's level is raised
    by a compare-and-set UPDATE (``WHERE escalation_level = <level read>``), and only the desk
    whose UPDATE changed the row writes the events. Returns the requests moved."""
    require(ctx, "service.view")
    now = ctx.clock.now()
    moved = []
    with ctx.db.atomic():
        for r in list(_open_light().namedtuples()):
            lvl = level_at(ctx, r, now)
            if lvl <= r.escalation_level:
                continue
            won = (ServiceRequest.update(escalation_level=lvl)
                   .where((ServiceRequest.id == r.id) & (ServiceRequest.escalation_level == r.escalation_level)
                          & ServiceRequest.status.in_(OPEN_STATUSES))
                   .execute())
            if won != 1:              # another desk escalated it (or it was finished) meanwhile
                continue
            moments = level_thresholds(ctx, r.received_at)
            for step in range(r.escalation_level + 1, lvl + 1):
                ServiceEvent.create(request=r.id, ts=moments[step - 1], kind="升级",
                                    note=f"未按时完成，升级至{LEVELS[step]}", level=step,
                                    holder=holder_name(ctx, r, step), user=getattr(ctx.user, "id", None))
            audit.record(ctx, "service.escalate", "service_request", r.id,
                         {"escalation_level": r.escalation_level, "status": r.status},
                         {"escalation_level": lvl, "status": r.status})
            moved.append(Holding(r.id, r.number, lvl, LEVELS[lvl], holder_name(ctx, r, lvl), moments[lvl - 1]))
    return moved


# --------------------------------------------------------------------------- return visits
def schedule_visit(ctx, request_id: int, proposed: dt.datetime | None = None) -> ReturnVisit:
    """Plan the return visit at the next allowed time from *proposed* (default: now)."""
    require(ctx, "service.visit")
    r = get(request_id)
    if r.status != "已完成":
        raise StateError(f"{r.number} 尚未完成，不能安排回访")
    when = next_visit_slot(ctx, proposed or ctx.clock.now())
    with ctx.db.atomic():
        v, _ = ReturnVisit.get_or_create(request=r.id)
        if v.visited_at is not None:
            raise StateError(f"{r.number} 已回访")
        v.scheduled_at = when
        v.save()
        _event(ctx, r, "安排回访", f"计划回访时间 {when:%Y-%m-%d %H:%M}")
        audit.record(ctx, "service.schedule_visit", "service_request", r.id, None, {"scheduled_at": when})
    return v


def record_visit(ctx, request_id: int, score: int, comment: str = "", method: str = "电话") -> ReturnVisit:
    """The return visit happened now: score 1–5; refused before 10:00, at lunch or from 21:00.
    Closes the request."""
    require(ctx, "service.visit")
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise ValidationError("回访评分", "应为1至5分") from None
    if not 1 <= score <= 5:
        raise ValidationError("回访评分", "应为1至5分")
    method = check_choice(method, ["电话", "上门"], "回访方式")
    now = ctx.clock.now()
    if not visit_allowed(ctx, now):
        nxt = next_visit_slot(ctx, now)
        raise StateError(f"现在（{now:%H:%M}）不宜回访：{visit_rule_text(ctx)}，"
                         f"请于 {nxt:%m-%d %H:%M} 后回访")
    r = get(request_id)
    if r.status != "已完成":
        raise StateError(f"{r.number} 当前状态为“{r.status}”，不能登记回访")
    with ctx.db.atomic():
        before = _snapshot(r)
        v, _ = ReturnVisit.get_or_create(request=r.id)
        v.visited_at, v.score, v.comment, v.method = now, score, (comment or "").strip(), method
        v.visitor = getattr(ctx.user, "id", None)
        v.save()
        late = "" if now <= visit_due(ctx, r) else "（超过回访时限）"
        _event(ctx, r, "回访", f"{method}回访，评分 {score} 分{late}" + (f"：{v.comment}" if v.comment else ""))
        r.status, r.closed_at = "已关闭", now
        r.save()
        _event(ctx, r, "关闭", "回访后关闭")
        audit.record(ctx, "service.visit", "service_request", r.id, before, {**_snapshot(r), "score": score})
    return v


# --------------------------------------------------------------------------- lists
@dataclass(frozen=True)
class Row:
    id: int
    number: str
    received_at: dt.datetime
    channel: str
    kind: str
    room_code: str
    caller: str
    phone_masked: str
    content: str
    status: str
    receiver: str
    handler: str
    level: int
    holder: str
    grade: str
    complaint_class: str
    warnings: str
    receiver_id: int | None = None      # the first receiver (who may correct it, with managers)


FILTERS = ["未完成", "我受理的", "待回访", "投诉", "已升级", "须上报", "全部"]


def _escalation_due(ctx, when):
    """Open requests whose level at *when* is above the level recorded."""
    for r in _open_light().namedtuples():
        lvl = level_at(ctx, r, when)
        if lvl > r.escalation_level:
            yield Holding(r.id, r.number, lvl, LEVELS[lvl], holder_name(ctx, r, lvl),
                          level_thresholds(ctx, r.received_at)[lvl - 1])


def list_requests(ctx, filter_: str = "未完成", text: str = "", month: str | None = None,
                  limit: int | None = 3000, home_id: int | None = None) -> list[Row]:
    """Rows for the list, newest first (phones masked). *filter_* one of FILTERS; *month* 'YYYY-MM';
    *home_id* one home's requests (its repair and complaint record, e.g. for the owner archive);
    at most *limit* rows for the long lists (open requests are never cut)."""
    require(ctx, "service.view")
    from app.core.privacy import mask_phone
    q = _light_query()
    if filter_ in ("未完成", "已升级"):
        q = q.where(ServiceRequest.status.in_(OPEN_STATUSES))
    elif filter_ == "我受理的":       # 首问责任制: what the signed-in receiver still has to follow up
        q = q.where(ServiceRequest.status.in_(OPEN_STATUSES + ["已完成"])
                    & (ServiceRequest.receiver == getattr(ctx.user, "id", None)))
    elif filter_ == "须上报":
        q = q.where(ServiceRequest.status.in_(OPEN_STATUSES) & (ServiceRequest.kind == "投诉")
                    & ServiceRequest.reported_at.is_null())
    elif filter_ == "待回访":
        q = q.where(ServiceRequest.status == "已完成")
    elif filter_ == "投诉":
        q = q.where(ServiceRequest.kind == "投诉")
    if home_id is not None:
        q = q.where(ServiceRequest.home == home_id)
    if month:
        start, end = month_range(month)
        q = q.where((ServiceRequest.received_at >= start) & (ServiceRequest.received_at < end))
    text = (text or "").strip()
    if text:
        like = f"%{text}%"
        q = q.where(ServiceRequest.number.contains(text) | Home.room_code.contains(text)
                    | ServiceRequest.caller.contains(text) | ServiceRequest.content ** like
                    | ServiceRequest.subject.contains(text))
    now = ctx.clock.now()
    q = q.order_by(ServiceRequest.received_at.desc())
    if limit and filter_ not in ("未完成", "已升级", "须上报", "我受理的"):
        q = q.limit(limit)
    found = list(q.namedtuples())
    done_ids = [r.id for r in found if r.status == "已完成"]
    visited = {v.request_id for v in ReturnVisit.select(ReturnVisit.request).where(
        ReturnVisit.request.in_(done_ids) & ReturnVisit.visited_at.is_null(False))} if done_ids else set()
    rows = []
    for r in found:
        lvl = level_at(ctx, r, now)
        if filter_ == "已升级" and lvl == 0:
            continue
        warn = warnings(ctx, r, now, r.id in visited)
        if filter_ == "须上报" and "须上报" not in warn:
            continue
        rows.append(Row(r.id, r.number, r.received_at, r.channel, r.kind, r.room_code, r.caller,
                        mask_phone(r.phone), r.content, r.status, r.receiver_name, r.handler, lvl,
                        holder_name(ctx, r, lvl) if r.status in OPEN_STATUSES else "",
                        r.grade, r.complaint_class, "；".join(warn), r.receiver_id))
    return rows


def attach_file(ctx, request_id: int, path, note: str = ""):
    """Attach a scan or photo (a complaint letter, the signed work order, a photo of the fault)."""
    require(ctx, "service.handle")
    from app.core.attachments import attach
    with ctx.db.atomic():
        r = get(request_id)
        att = attach(ctx, "service_request", r.id, path, notes=note)
        _event(ctx, r, "附件", f"附件：{att.original_name}" + (f"（{note}）" if note else ""))
        audit.record(ctx, "service.attach", "service_request", r.id, None,
                     {"file": att.original_name, "sha256": att.sha256})
    return att


def attachments(request_id: int) -> list:
    from app.core.attachments import attachments_for
    return attachments_for("service_request", request_id)


def attachment_path(ctx, request_id: int, attachment_id: int):
    """The stored file of one of the request's attachments (a letter scan, a photo) for viewing:
    refused when it belongs elsewhere, is missing or no longer matches its SHA-256."""
    require(ctx, "service.view")
    from app.core.attachments import path_of, verify
    att = next((a for a in attachments(request_id) if a.id == int(attachment_id)), None)
    if att is None:
        raise NotFound(f"附件 {attachment_id} 不属于该报事记录")
    if not verify(ctx, att):
        raise StateError(f"附件“{att.original_name}”的文件已丢失或被改动，请从备份恢复")
    return path_of(ctx, att)


def reveal_phone(ctx, request_id: int) -> str:
    """The caller's full phone number for calling back: only for roles that may see it
    (pii.view_full), and every look recorded in the audit log; others get the masked number."""
    require(ctx, "service.view")
    r = get(request_id)
    from app.core.privacy import phone_for
    with ctx.db.atomic():
        return phone_for(ctx, r.phone, reveal=True)


def history(request_id: int) -> list[ServiceEvent]:
    return list(ServiceEvent.select().where(ServiceEvent.request == request_id)
                .order_by(ServiceEvent.ts, ServiceEvent.id))


REGISTER_COLUMNS = ["编号", "受理时间", "受理方式", "类别", "投诉类别", "投诉主题", "投诉等级", "房号", "报事人", "联系电话",
                    "报事内容", "首问责任人", "处理人", "状态", "派工时间", "到场时间", "完成时间", "处理结果",
                    "有偿服务（元）", "联系时间", "答复时间", "回访时间", "回访评分", "升级", "提醒"]


def register_rows(ctx, month: str) -> list[list]:
    """The month's register (报事投诉登记表): every request received in *month*, oldest first,
    phones masked, times as text, charges in 元 from fen."""
    require(ctx, "service.view")
    from decimal import Decimal

    from app.core.privacy import mask_phone
    start, end = month_range(month)
    found = list(_light_query().select_extend(ServiceRequest.result)
                 .where((ServiceRequest.received_at >= start) & (ServiceRequest.received_at < end))
                 .order_by(ServiceRequest.received_at, ServiceRequest.id).namedtuples())
    visits = {v.request_id: v for v in ReturnVisit.select().where(
        ReturnVisit.request.in_([r.id for r in found]) & ReturnVisit.visited_at.is_null(False))} if found else {}
    now = ctx.clock.now()

    def t(v):
        return f"{v:%Y-%m-%d %H:%M}" if v else ""
    out = []
    for r in found:
        v = visits.get(r.id)
        lvl = level_at(ctx, r, now)
        out.append([r.number, t(r.received_at), r.channel, r.kind, r.complaint_class, r.subject, r.grade,
                    r.room_code, r.caller, mask_phone(r.phone), r.content, r.receiver_name, r.handler,
                    status_label(r.kind, r.status), t(r.dispatched_at), t(r.arrived_at), t(r.completed_at), r.result,
                    Decimal(int(r.charge_fen)) / 100 if r.charge_fen else "", t(r.contacted_at), t(r.replied_at),
                    t(v.visited_at) if v else "", v.score if v else "", LEVELS[lvl] if lvl else "",
                    "；".join(warnings(ctx, r, now, r.id in visits))])
    return out


def export_register(ctx, month: str, path) -> int:
    """Write the month's register to an Excel file (phones masked); returns the number of rows."""
    require(ctx, "service.export")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from app.core.xlsx import append_row, save_workbook
    rows = register_rows(ctx, month)
    wb = Workbook()
    ws = wb.active
    ws.title = f"报事投诉{month}"
    ws.append(REGISTER_COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        append_row(ws, row)               # typed text such as “=…” stays text, never an Excel formula
    money_col = REGISTER_COLUMNS.index("有偿服务（元）") + 1
    for (cell,) in ws.iter_rows(min_row=2, min_col=money_col, max_col=money_col):
        cell.number_format = "0.00"
    widths = {"编号": 15, "受理时间": 17, "报事内容": 40, "处理结果": 30, "提醒": 30, "派工时间": 17, "到场时间": 17,
              "完成时间": 17, "联系时间": 17, "答复时间": 17, "回访时间": 17, "联系电话": 14}
    from openpyxl.utils import get_column_letter
    for i, name in enumerate(REGISTER_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, 10)
        if name in ("报事内容", "处理结果", "提醒"):
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    path = save_workbook(wb, path)
    with ctx.db.atomic():
        audit.record(ctx, "service.export", "service_request", month, None, {"rows": len(rows), "file": str(path)})
    return len(rows)


def month_range(month: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        y, m = (int(x) for x in str(month).split("-"))
        start = dt.datetime(y, m, 1)
    except (ValueError, TypeError):
        raise ValidationError("月份", f"“{month}”格式应为 YYYY-MM") from None
    end = dt.datetime(y + (m == 12), m % 12 + 1, 1)
    return start, end
