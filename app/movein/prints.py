"""The move-in forms' data, built from the records and frozen, and the ``…_pdf(ctx, …)`` functions
the tab and the command line print with (renderers in app/printing/movein_forms.py)."""
from __future__ import annotations

from app.core.dates import fmt_date
from app.core.privacy import mask_phone
from app.core.validation import fmt_area
from app.movein.steps import handover_detail
from app.printing.movein_forms import (
    HandoverData,
    HandoverDocForm,
    HomeInfo,
    InspectionForm,
    KeyListForm,
    MoveInNotice,
    NoticeData,
    ProcedureForm,
    RepairOrderData,
    RepairOrderForm,
)
from models.movein import Defect, Handover, HandoverEvent
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Entrance, Home


def home_info(home: Home) -> HomeInfo:
    owner = (Owner.select().join(HomeOwner).where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
             .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).first())
    cluster = Cluster.get_by_id(home.cluster_id)
    building = Building.get_by_id(home.building_id)
    entrance = Entrance.get_by_id(home.entrance_id)
    return HomeInfo(home.room_code, f"{cluster.code}组团 {cluster.name}", f"{building.code}号楼",
                    f"{entrance.code}单元", fmt_area(home.area_x100), home.house_type, owner.name if owner else "",
                    mask_phone(owner.phone) if owner else "", owner.id_masked if owner else "")


def notice_data(ctx, event_id: int, home_ids=None) -> NoticeData:
    from app.ledger.rates import property_fee_monthly
    ev = HandoverEvent.get_by_id(event_id)
    q = Home.select().where((Home.cluster == ev.cluster_id) & (Home.state == "未交付")).order_by(Home.room_code)
    if home_ids is not None:
        q = q.where(Home.id.in_(list(home_ids)))
    months = int(ctx.settings.get("billing.prepay_months"))
    homes = tuple((home_info(h), property_fee_monthly(ctx, h) * months) for h in q)
    return NoticeData(ctx.settings.get("site.name"), ev.name, fmt_date(ev.start_date), fmt_date(ev.end_date),
                      ev.place, homes, ctx.settings.get("site.service_phone"), f"{ctx.clock.today():%Y年%m月%d日}")


def notice_pdf(ctx, event_id: int, home_ids=None) -> bytes:
    data = notice_data(ctx, event_id, home_ids)
    return MoveInNotice(ctx.settings).render(data)


def handover_data(ctx, handover_id: int) -> HandoverData:
    d = handover_detail(handover_id)
    h: Handover = d["handover"]
    from models.keys import Key
    keys = tuple((k.area, str(k.copies)) for k in Key.select().where(Key.home == h.home_id).order_by(Key.id))
    steps = tuple((s["name"], s["desc"], fmt_date(s["done_at"]), s["done_by"], s["notes"]) for s in d["steps"])
    return HandoverData(
        home_info(d["home"]), h.kind, steps,
        tuple((x.order_number, x.room, x.kind, x.description, x.status) for x in d["defects"]),
        h.receipt_number, h.handover_doc_number, keys, h.gifts, f"{ctx.clock.today():%Y年%m月%d日}")


def _handover_form_pdf(ctx, cls, handover_id) -> bytes:
    data = handover_data(ctx, handover_id)
    return cls(ctx.settings).render(data)


def procedure_pdf(ctx, handover_id: int) -> bytes:
    return _handover_form_pdf(ctx, ProcedureForm, handover_id)


def inspection_pdf(ctx, handover_id: int) -> bytes:
    return _handover_form_pdf(ctx, InspectionForm, handover_id)


def handover_doc_pdf(ctx, handover_id: int) -> bytes:
    return _handover_form_pdf(ctx, HandoverDocForm, handover_id)


def key_list_pdf(ctx, handover_id: int) -> bytes:
    return _handover_form_pdf(ctx, KeyListForm, handover_id)


def repair_order_pdf(ctx, defect_id: int) -> bytes:
    x = Defect.get_by_id(defect_id)
    data = RepairOrderData(x.order_number, home_info(Home.get_by_id(x.home_id)), x.room, x.kind, x.description,
                           fmt_date(x.recorded_at), x.builder, x.status, fmt_date(x.sent_at), fmt_date(x.fixed_at),
                           fmt_date(x.closed_at))
    return RepairOrderForm(ctx.settings, x.order_number).render(data)
