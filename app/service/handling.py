"""Working a service request: dispatch, arrival, completion (with paid services posted to the fee
ledger), the return visit that closes it, its attachments and the caller's full phone number."""
from __future__ import annotations

import datetime as dt

from app.core import audit
from app.core.errors import NotFound, StateError, ValidationError
from app.core.permissions import require
from app.core.validation import check_choice, check_required
from app.service.deadlines import (
    arrived_on_time,
    dispatched_on_time,
    next_visit_slot,
    visit_allowed,
    visit_due,
    visit_rule_text,
)
from app.service.records import get, record_event, snapshot
from models.service import OPEN_STATUSES, ReturnVisit, ServiceRequest

PAID_SERVICES = {"lamp": "安装灯具", "drain": "疏通下水道", "breaker": "更换空气开关",
                 "basin_drain": "更换面盆下水", "tap": "更换水龙头"}
OTHER_PAID_SERVICE = "other"
VISIT_SCORES = range(1, 6)
VISIT_METHODS = ["电话", "上门"]


# --------------------------------------------------------------------------- work
def dispatch(ctx, request_id: int, handler: str) -> ServiceRequest:
    require(ctx, "service.handle")
    handler = check_required(handler, "处理人")
    with ctx.db.atomic():
        r = get(request_id)
        if r.status != "待派工":
            raise StateError(f"{r.number} 当前状态为“{r.status}”，不能派工")
        before = snapshot(r)
        r.handler, r.dispatched_at, r.status = handler, ctx.clock.now(), "已派工"
        r.save()
        late = "" if dispatched_on_time(ctx, r) else "（超过派工时限）"
        record_event(ctx, r, "派工", f"派工给 {handler}{late}", holder=handler)
        audit.record(ctx, "service.dispatch", "service_request", r.id, before, snapshot(r))
    return r


def arrive(ctx, request_id: int) -> ServiceRequest:
    require(ctx, "service.handle")
    with ctx.db.atomic():
        r = get(request_id)
        if r.status != "已派工":
            raise StateError(f"{r.number} 当前状态为“{r.status}”，不能登记到场")
        before = snapshot(r)
        r.arrived_at, r.status = ctx.clock.now(), "处理中"
        r.save()
        late = "" if arrived_on_time(ctx, r) else "（超过到场时限）"
        record_event(ctx, r, "到场", f"{r.handler} 到场{late}", holder=r.handler)
        audit.record(ctx, "service.arrive", "service_request", r.id, before, snapshot(r))
    return r


def paid_service_price(ctx, item: str) -> int:
    """The owner price of a paid service (000 item 18), in fen."""
    if item not in PAID_SERVICES:
        raise ValidationError("有偿服务项目", f"“{item}”无效，应为：{'、'.join(PAID_SERVICES.values())} 或 其他")
    return int(ctx.settings.get(f"service_price.{item}.owner"))


def _check_finishable(r, owner_signed: bool, signer_name: str) -> str:
    """Refuse finishing *r* in its state; returns the signer's name (checked for repairs)."""
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
    return signer_name


def _charge_amount(ctx, item: str, charge_fen: int | None) -> int:
    """The amount of a paid service in fen (0 for none): the owner price unless one is given."""
    if not item:
        if charge_fen:
            raise ValidationError("有偿服务项目", "有收费金额时须选择有偿服务项目")
        return 0
    if item == OTHER_PAID_SERVICE:
        if charge_fen is None:
            raise ValidationError("收费金额", "其他有偿服务须填写金额")
    else:
        paid_service_price(ctx, item)
    amount = paid_service_price(ctx, item) if charge_fen is None else charge_fen
    if isinstance(amount, float) or not isinstance(amount, int):
        raise ValidationError("收费金额", "金额须为整数（分）")
    if amount <= 0:
        raise ValidationError("收费金额", "应大于0")
    return amount


def complete(ctx, request_id: int, *, result: str, owner_signed: bool = False, signer_name: str = "",
             service_item: str = "", charge_fen: int | None = None, charge_memo: str = "") -> ServiceRequest:
    """Finish a request. Repairs need the owner's signature; a paid service goes into the fee
    ledger (app.ledger.billing.post_charge)."""
    from app.core.money import fmt_fen
    from app.ledger import billing
    require(ctx, "service.handle")
    result = check_required(result, "处理结果")
    r = get(request_id)
    signer_name = _check_finishable(r, owner_signed, signer_name)
    item = (service_item or "").strip()
    amount = _charge_amount(ctx, item, charge_fen)
    if amount:
        require(ctx, "ledger.charge")      # refuse before anything is written
    with ctx.db.atomic():
        before = snapshot(r)
        r.result, r.completed_at, r.status = result, ctx.clock.now(), "已完成"
        r.owner_signed, r.signer_name = bool(owner_signed), (signer_name or "").strip()
        r.service_item, r.charge_fen = item, amount
        label = PAID_SERVICES.get(item, "其他有偿服务") if item else ""
        r.charge_memo = (charge_memo or "").strip() or (f"{label}（{r.number}）" if item else "")
        if amount:
            charge = billing.post_charge(ctx, r.home_id, f"service_{item}", amount, memo=r.charge_memo,
                                         source="service", source_id=r.id)
            r.charge_id = charge.id
        r.save()
        note = f"处理完成：{result}"
        if amount:
            note += f"；有偿服务 {label} {fmt_fen(amount)} 元" + ("（已记入收费台账）" if r.charge_id else "")
        record_event(ctx, r, "完成", note)
        audit.record(ctx, "service.complete", "service_request", r.id, before, snapshot(r))
    return r


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
        record_event(ctx, r, "安排回访", f"计划回访时间 {when:%Y-%m-%d %H:%M}")
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
    if score not in VISIT_SCORES:
        raise ValidationError("回访评分", "应为1至5分")
    method = check_choice(method, VISIT_METHODS, "回访方式")
    now = ctx.clock.now()
    if not visit_allowed(ctx, now):
        nxt = next_visit_slot(ctx, now)
        raise StateError(f"现在（{now:%H:%M}）不宜回访：{visit_rule_text(ctx)}，"
                         f"请于 {nxt:%m-%d %H:%M} 后回访")
    r = get(request_id)
    if r.status != "已完成":
        raise StateError(f"{r.number} 当前状态为“{r.status}”，不能登记回访")
    with ctx.db.atomic():
        before = snapshot(r)
        v, _ = ReturnVisit.get_or_create(request=r.id)
        v.visited_at, v.score, v.comment, v.method = now, score, (comment or "").strip(), method
        v.visitor = getattr(ctx.user, "id", None)
        v.save()
        late = "" if now <= visit_due(ctx, r) else "（超过回访时限）"
        record_event(ctx, r, "回访", f"{method}回访，评分 {score} 分{late}" + (f"：{v.comment}" if v.comment else ""))
        r.status, r.closed_at = "已关闭", now
        r.save()
        record_event(ctx, r, "关闭", "回访后关闭")
        audit.record(ctx, "service.visit", "service_request", r.id, before, {**snapshot(r), "score": score})
    return v


# --------------------------------------------------------------------------- attachments, phone
def attach_file(ctx, request_id: int, path, note: str = ""):
    """Attach a scan or photo (a complaint letter, the signed work order, a photo of the fault)."""
    require(ctx, "service.handle")
    from app.core.attachments import attach
    with ctx.db.atomic():
        r = get(request_id)
        att = attach(ctx, "service_request", r.id, path, notes=note)
        record_event(ctx, r, "附件", f"附件：{att.original_name}" + (f"（{note}）" if note else ""))
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
