"""One service request's record: finding it, its history of events (ServiceEvent), the state the
audit log keeps before and after a write, and the light rows the lists, deadlines and KPIs read.

Every other module of the service area builds on this one; it imports none of them.
"""
from __future__ import annotations

import datetime as dt

from app.core.errors import NotFound, ValidationError
from models.property import Home
from models.service import OPEN_STATUSES, ServiceEvent, ServiceRequest
from models.users import User

DECEMBER = 12
SNAPSHOT_FIELDS = ("status", "handler", "dispatched_at", "arrived_at", "completed_at", "charge_fen",
                   "escalation_level", "grade", "valid", "closed_at")
LIGHT_COLUMNS = ("id", "number", "received_at", "channel", "kind", "caller", "phone", "content", "status", "handler",
                 "grade", "complaint_class", "subject", "dispatched_at", "arrived_at", "completed_at",
                 "contacted_at", "replied_at", "reported_at", "escalation_level", "charge_fen")


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


def record_event(ctx, r, kind, note="", level=None, holder="", ts=None) -> ServiceEvent:
    """One line of the request's history (受理, 派工, 升级 …), by the current user, at now by default."""
    return ServiceEvent.create(request=r.id, ts=ts or ctx.clock.now(), kind=kind,
                               level=r.escalation_level if level is None else level,
                               holder=holder, note=note, user=getattr(ctx.user, "id", None))


def snapshot(r) -> dict:
    """The request's working state as the audit log records it before and after a write."""
    return {k: r.__data__.get(k) for k in SNAPSHOT_FIELDS}


def history(request_id: int) -> list[ServiceEvent]:
    return list(ServiceEvent.select().where(ServiceEvent.request == request_id)
                .order_by(ServiceEvent.ts, ServiceEvent.id))


def light_query():
    """Rows as light named tuples (the ORM's full model rows cost ~3 ms each on these machines):
    the request columns the lists and deadlines need, the room code and the receiver's name."""
    cols = [getattr(ServiceRequest, c) for c in LIGHT_COLUMNS]
    return (ServiceRequest.select(*cols, Home.room_code.alias("room_code"), User.display_name.alias("receiver_name"),
                                  ServiceRequest.receiver.alias("receiver_id"))
            .join(Home, on=(ServiceRequest.home == Home.id))
            .switch(ServiceRequest).join(User, on=(ServiceRequest.receiver == User.id)))


def open_requests():
    """The light rows of the open requests, oldest first."""
    return light_query().where(ServiceRequest.status.in_(OPEN_STATUSES)).order_by(ServiceRequest.received_at)


def month_range(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of *month* ('YYYY-MM') and of the month after it."""
    try:
        y, m = (int(x) for x in str(month).split("-"))
        start = dt.datetime(y, m, 1)
    except (ValueError, TypeError):
        raise ValidationError("月份", f"“{month}”格式应为 YYYY-MM") from None
    end = dt.datetime(y + (m == DECEMBER), m % DECEMBER + 1, 1)
    return start, end
