"""Taking a service request down (报事受理) and correcting what was taken down.

The receiver reads the record back to the caller (复述) before it is saved and again after every
correction; a complaint gets its grade from app.service.complaints on intake and after a
correction of its topic or flags.
"""
from __future__ import annotations

from app.core import audit
from app.core.errors import PermissionDenied, StateError, ValidationError
from app.core.permissions import require
from app.core.sequences import format_number, next_number
from app.core.validation import check_choice, check_phone, check_required, normalize_room_code
from app.service import complaints
from app.service.records import get, record_event, status_label
from models.property import Home
from models.service import CHANNELS, COMPLAINT_CLASSES, KINDS, OPEN_STATUSES, ServiceRequest


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


def _group_size(value) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise ValidationError("投诉人数", "应为整数") from None
    if size < 1:
        raise ValidationError("投诉人数", "至少为1人")
    return size


# --------------------------------------------------------------------------- intake
def intake(ctx, *, channel: str, kind: str, caller: str, content: str, read_back: bool,  # noqa: PLR0913 - the intake form's fields, passed by name
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
        group_size = _group_size(group_size)
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
        record_event(ctx, r, "受理", f"{channel}受理，首问责任人：{ctx.user.display_name}")
        if kind == "投诉":
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


def read_back_text(*, caller: str, room_code: str, kind: str, content: str,  # noqa: PLR0913 - fields, by name
                   phone_shown: str = "", complaint_class: str = "", subject: str = "", number: str = "",
                   receiver: str = "") -> str:
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


def read_back_phone(ctx, r) -> str:
    """The caller's phone as the read-back (复述) shows it: in full to the receiver who took the call
    and to whoever may correct the request (may_edit), since they read the number back to the caller
    who gave it; masked for everyone else. A screen, not a print: nothing is audited."""
    from app.core.privacy import mask_phone
    return r.phone if r.phone and may_edit(ctx, r) else mask_phone(r.phone)


def request_read_back(r, phone_shown: str | None = None) -> str:
    """The read-back text of a stored request; the phone masked unless *phone_shown* is given
    (read_back_phone: in full for the clerk who reads it back)."""
    from app.core.privacy import mask_phone
    room = getattr(r, "room_code", None) or r.home.room_code
    receiver = getattr(r, "receiver_name", None) or getattr(r, "receiver", None)
    receiver = receiver if isinstance(receiver, str) else getattr(receiver, "display_name", "")
    phone = phone_shown if phone_shown is not None else getattr(r, "phone_masked", None)
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


def _complaint_fields(r, complaint_class, subject, group_size, lawsuit, media) -> dict:
    """The complaint's class, subject, group size and flags as corrected (None = unchanged)."""
    cls = complaint_class if complaint_class is not None else r.complaint_class
    subj = subject if subject is not None else r.subject
    return {"complaint_class": check_choice(cls, COMPLAINT_CLASSES, "投诉类别"),
            "subject": "".join(check_required(subj, "投诉主题").split()),
            "group_size": _group_size(group_size if group_size is not None else r.group_size),
            "lawsuit": bool(r.lawsuit if lawsuit is None else lawsuit),
            "media": bool(r.media if media is None else media)}


def _corrections(r, f: dict) -> dict:
    """The corrected values of the fields given in *f* (None = unchanged), checked as at intake."""
    new = {}
    if f["caller"] is not None:
        new["caller"] = check_required(f["caller"], "报事人")
    if f["phone"] is not None:
        new["phone"] = check_phone(f["phone"], "联系电话", required=(r.channel == "电话"))
    room_code = f["room_code"]
    if f["home_id"] is not None or (room_code is not None and str(room_code).strip() != ""):
        new["home"] = _find_home(f["home_id"], room_code).id
    elif room_code is not None:
        raise ValidationError("房号", "不能为空，请填写报事房屋的房号")
    if f["content"] is not None:
        new["content"] = check_required(f["content"], "报事内容")
    if f["kind"] is not None:
        new["kind"] = check_choice(f["kind"], KINDS, "类别")
    target_kind = new.get("kind", r.kind)
    if target_kind != r.kind and r.status != "待派工":
        raise StateError(f"{r.number} 已开始处理（{status_label(r.kind, r.status)}），不能再更改类别")
    if target_kind == "投诉":
        new.update(_complaint_fields(r, f["complaint_class"], f["subject"], f["group_size"], f["lawsuit"],
                                     f["media"]))
    elif f["complaint_class"] or f["subject"]:
        raise ValidationError("投诉类别", "只有投诉才填写投诉类别和主题")
    else:
        new.update(complaint_class="", subject="", group_size=1, lawsuit=False, media=False)
    return new


def _shown(key, value):
    """A corrected field as the 更正 event and the audit log show it (phones masked)."""
    from app.core.privacy import mask_phone
    if key == "phone":
        return mask_phone(value) or "（无）"
    if key == "home":
        return Home.get_by_id(value).room_code
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


GRADE_KEYS = {"kind", "home", "complaint_class", "subject", "group_size", "lawsuit", "media"}


def edit_request(ctx, request_id: int, *, read_back: bool, caller: str | None = None,  # noqa: PLR0913 - the correction form's fields, passed by name
                 phone: str | None = None, room_code: str | None = None, home_id: int | None = None,
                 content: str | None = None, kind: str | None = None, complaint_class: str | None = None,
                 subject: str | None = None, group_size: int | None = None, lawsuit: bool | None = None,
                 media: bool | None = None, note: str = "") -> ServiceRequest:
    """Correct what was taken down at intake on an open request: contact, phone, room, category
    (only before any work started), complaint class/subject/flags, description. None = unchanged.
    The corrected record must be read back to the caller again. Every change is recorded as a 更正
    event and in the audit log (before/after, phones masked); finished or closed requests are refused."""
    require(ctx, "service.edit")
    r = get(request_id)
    if not may_edit(ctx, r):
        raise PermissionDenied(f"{r.number} 由 {r.receiver.display_name} 受理：只有首问责任人或经理可以更正受理信息")
    if r.status not in OPEN_STATUSES:
        raise StateError(f"{r.number} {status_label(r.kind, r.status)}，已办结的记录不能再更正受理信息")
    new = _corrections(r, {"caller": caller, "phone": phone, "room_code": room_code, "home_id": home_id,
                           "content": content, "kind": kind, "complaint_class": complaint_class,
                           "subject": subject, "group_size": group_size, "lawsuit": lawsuit, "media": media})
    target_kind = new.get("kind", r.kind)
    changed = {k: v for k, v in new.items() if r.__data__.get(k) != v}
    if not changed:
        raise ValidationError("更正", "没有修改任何内容")
    if not read_back:
        raise ValidationError("复述确认", "更正后的内容须向报事人复述确认")
    before = {k: _shown(k, r.__data__.get(k)) for k in changed}
    after = {k: _shown(k, v) for k, v in changed.items()}
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
        remark = f"（{note.strip()}）" if (note or "").strip() else ""
        record_event(ctx, fresh, "更正", f"更正受理信息：{text}{remark}；已向报事人复述确认")
        if target_kind == "投诉" and GRADE_KEYS & set(changed):
            complaints.regrade_after_correction(ctx, fresh)
            fresh = get(request_id)
        audit.record(ctx, "service.edit", "service_request", fresh.id, before, {**after, "grade": fresh.grade})
    return fresh
