"""Move-in (入住办理): the five desk steps per home, done in order, each recording who did it
and when (domain.md §3, 000 应会 2). A hand-over interrupted at any step is resumed later from
where it stopped. Events and the progress board: app.movein.events; defects, moving-day bookings
and the visits after hand-over: app.movein.aftercare; the forms: app.movein.prints."""
from __future__ import annotations

import datetime as dt

from app.archives.checklist import mark_document
from app.archives.homes import home_of
from app.archives.owners import owner_fields
from app.archives.search import index_homes
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.core.sequences import format_number, next_number
from models.archive import Visit
from models.movein import Defect, Handover, HandoverEvent, HandoverStep
from models.people import HomeOwner, Owner
from models.property import Home

STEPS = [
    ("identity", "身份核验", "核对身份证原件，留存复印件及照片，填写业主信息表"),
    ("agreements", "签署协议", "签署临时管理规约、前期物业服务协议、装修管理协议"),
    ("payment", "缴纳物业费", "在收银处缴纳一年物业费，开具收据"),
    ("inspection", "验房交接", "会同维修人员验房，填写验房单，签署房屋交接书"),
    ("keys", "交付钥匙", "移交全部钥匙、礼品、《商品住宅使用说明书》和《商品住宅质量保证书》"),
]


STEP_CODES = [s[0] for s in STEPS]


STEP_NAMES = {s[0]: s[1] for s in STEPS}


AGREEMENTS = [("owner_covenant", "临时管理规约"), ("service_agreement", "前期物业服务协议"),
              ("reno_agreement", "装修管理协议")]


DEFECT_ROOMS = ["客厅", "餐厅", "主卧", "次卧", "书房", "厨房", "卫生间", "阳台", "储藏间", "入户门", "其他"]


DEFECT_KINDS = ["墙面", "地面", "顶棚", "门窗", "水电", "管道", "防水", "设备", "其他"]


DEFECT_STATES = ["待维修", "已派单", "已修复", "已关闭"]


STATES_AFTER = ["已入住", "空置"]


METER_KINDS = {"water": "水表", "power": "电表", "gas": "燃气表"}


def find_home(room_or_id) -> Home:
    return home_of(room_or_id, message=f"房号：找不到房屋“{room_or_id}”")


def handover_or_404(handover_id) -> Handover:
    return get_or_404(Handover, handover_id, message=f"找不到交付记录 {handover_id}")


def steps_done(handover_id) -> dict[str, HandoverStep]:
    return {s.step: s for s in HandoverStep.select().where(HandoverStep.handover == handover_id)}


def current_step(handover: Handover) -> str | None:
    """The next step to do, or None when all are done."""
    done = steps_done(handover.id)
    for code in STEP_CODES:
        if code not in done:
            return code
    return None


def _check_can_do(ctx, handover: Handover, step: str):
    # the payment is taken by the cashier (ledger.pay); every other step by the desk
    require(ctx, "ledger.pay" if step == "payment" else "movein.step")
    if handover.status != "进行中":
        raise StateError(f"该房屋的交付已{handover.status}，不能再办理“{STEP_NAMES[step]}”")
    if handover.kind == "零星交付" and not handover.developer_confirmed:
        raise StateError("零星交付：请先确认开发商手续已办结，再办理入住")
    done = steps_done(handover.id)
    if step in done:
        raise StateError(f"“{STEP_NAMES[step]}”已于 {done[step].done_at:%Y-%m-%d %H:%M} 办理")
    for code in STEP_CODES[:STEP_CODES.index(step)]:
        if code not in done:
            raise StateError(f"请先完成“{STEP_NAMES[code]}”，再办理“{STEP_NAMES[step]}”")


def _mark_step(ctx, handover: Handover, step: str, notes: str = ""):
    HandoverStep.create(handover=handover, step=step, done_at=ctx.clock.now(),
                        done_by=getattr(ctx.user, "id", None), notes=notes)
    record(ctx, f"movein.{step}", "handover", handover.id, None, {"step": step, "notes": notes})


def start_handover(ctx, room_or_id, kind: str = "集中交付", event_id: int | None = None) -> Handover:
    """Open the hand-over of a home, or return the one already under way (resume)."""
    require(ctx, "movein.step")
    kind = v.check_choice(kind, ["集中交付", "零星交付"], "交付方式")
    home = find_home(room_or_id)
    open_ = Handover.get_or_none((Handover.home == home.id) & (Handover.status == "进行中"))
    if open_:
        return open_
    if home.state != "未交付":
        raise StateError(f"房号 {home.room_code}：房屋状态为“{home.state}”，已交付的房屋不能再办理入住")
    if event_id is not None:
        ev = get_or_404(HandoverEvent, event_id, message="找不到交房活动")
        if ev.cluster_id != home.cluster_id:
            raise ValidationError("交房活动", f"房号 {home.room_code} 不属于该活动的组团")
    owner = (Owner.select().join(HomeOwner).where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
             .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).first())
    with ctx.db.atomic():
        h = Handover.create(home=home, event=event_id, kind=kind, owner=owner, started_at=ctx.clock.now(),
                            developer_confirmed=(kind == "集中交付") or bool(home.developer_done))
        record(ctx, "movein.start", "handover", h.id, None, model_dict(h))
    return h


def confirm_developer(ctx, handover_id: int, notes: str = "") -> Handover:
    """零星交付: the developer's own formalities are complete (checked by the desk)."""
    require(ctx, "movein.step")
    h = handover_or_404(handover_id)
    if h.developer_confirmed:
        return h
    with ctx.db.atomic():
        h.developer_confirmed = True
        h.developer_confirmed_by = getattr(ctx.user, "id", None)
        h.developer_confirmed_at = ctx.clock.now()
        h.save()
        Home.update(developer_done=True).where(Home.id == h.home_id).execute()
        record(ctx, "movein.developer_confirmed", "handover", h.id, None, {"notes": notes})
    return h


def do_identity(ctx, handover_id: int, owner: dict | None = None, owner_id: int | None = None,
                id_checked: bool = True, copy_kept: bool = True, invoice_copy: bool = True) -> Handover:
    """Step 1: identity card original checked, copy and photo kept, owner information filled.
    ``owner`` is the owner's data (app.archives.owners.owner_fields names, with id_number) for a new or
    updated owner; ``owner_id`` links an owner already on file."""
    h = handover_or_404(handover_id)
    _check_can_do(ctx, h, "identity")
    if not id_checked:
        raise ValidationError("身份证原件", "必须核对业主身份证原件")
    if not copy_kept:
        raise ValidationError("身份证复印件", "必须留存身份证复印件及照片")
    if owner is None and owner_id is None and h.owner_id is None:
        raise ValidationError("业主", "请填写业主信息")
    fields = owner_fields(ctx, owner) if owner else None
    if fields is not None and not fields.get("id_enc"):
        raise ValidationError("身份证号", "入住办理须登记业主身份证号")
    with ctx.db.atomic():
        if fields is not None:
            target = owner_id or h.owner_id
            if target:
                o = Owner.get_by_id(target)
                before = model_dict(o)
                for k, val in fields.items():
                    setattr(o, k, val)
                o.updated_at = ctx.clock.now()
                o.save()
                record(ctx, "owner.update", "owner", o.id, before, model_dict(o))
            else:
                o = Owner.create(**fields)
                record(ctx, "owner.create", "owner", o.id, None, model_dict(o))
        else:
            o = Owner.get_by_id(owner_id or h.owner_id)
            if not o.id_enc:
                raise ValidationError("身份证号", f"业主 {o.name} 未登记身份证号，请补填")
        link = HomeOwner.get_or_none((HomeOwner.home == h.home_id) & (HomeOwner.owner == o.id))
        if link is None:
            HomeOwner.create(home=h.home_id, owner=o.id, is_primary=True, since=ctx.clock.today())
        h.owner = o.id
        h.save()
        documents = ("id_copy_photo", "owner_info_form", "movein_notice")
        documents += ("purchase_invoice",) if invoice_copy else ()
        for code in documents:
            mark_document(ctx, h.home_id, code)
        _mark_step(ctx, h, "identity", f"业主：{o.name}")
        index_homes([h.home_id])
    return h


def do_agreements(ctx, handover_id: int, signed: list[str]) -> Handover:
    """Step 2: the three agreements signed (codes of AGREEMENTS)."""
    h = handover_or_404(handover_id)
    _check_can_do(ctx, h, "agreements")
    missing = [name for code, name in AGREEMENTS if code not in signed]
    if missing:
        raise ValidationError("签署协议", f"尚未签署：{'、'.join(missing)}")
    with ctx.db.atomic():
        for code, _name in AGREEMENTS:
            mark_document(ctx, h.home_id, code)
        mark_document(ctx, h.home_id, "movein_procedure")
        _mark_step(ctx, h, "agreements", f"{len(AGREEMENTS)}份协议已签署")
    return h


def prepayment_amount(ctx, home_id: int) -> int:
    """One year's property fee (area × rate × months), integer fen."""
    from app.ledger.rates import property_fee_monthly
    return property_fee_monthly(ctx, Home.get_by_id(home_id)) * int(ctx.settings.get("billing.prepay_months"))


def do_payment(ctx, handover_id: int, method: str, payer: str, reference: str = ""):
    """Step 3: one year of property fee paid through the fee ledger; returns the receipt."""
    from app.ledger import payments, prepayment
    h = handover_or_404(handover_id)
    _check_can_do(ctx, h, "payment")
    payer = v.check_required(payer, "交款人")
    with ctx.db.atomic():
        charge = prepayment.prepay_property_fee(ctx, h.home_id)
        receipt = payments.pay(ctx, h.home_id, [charge.id], method, payer, reference)
        h.receipt_number = receipt.number
        h.save()
        _mark_step(ctx, h, "payment", f"收据 {receipt.number}")
    return receipt


def record_defect(ctx, handover_id: int, room: str, kind: str, description: str) -> Defect:
    """A defect found during the inspection (after payment, before the 房屋交接书 is signed)."""
    h = handover_or_404(handover_id)
    _check_can_do(ctx, h, "inspection")
    room = v.check_choice(room, DEFECT_ROOMS, "部位")
    kind = v.check_choice(kind, DEFECT_KINDS, "问题类别")
    description = v.check_required(description, "问题描述")
    with ctx.db.atomic():
        year = ctx.clock.today().year
        number = format_number("WX", year, next_number("repair_order", year), 5)
        d = Defect.create(handover=h, home=h.home_id, order_number=number, room=room, kind=kind,
                          description=description, recorded_at=ctx.clock.now(),
                          recorded_by=getattr(ctx.user, "id", None))
        record(ctx, "movein.defect", "defect", d.id, None, model_dict(d))
    return d


def complete_inspection(ctx, handover_id: int, handover_doc_signed: bool, meters: dict | None = None) -> Handover:
    """Step 4: the 验房单 filled (defects recorded) and the 房屋交接书 signed; meter start readings."""
    h = handover_or_404(handover_id)
    _check_can_do(ctx, h, "inspection")
    if not handover_doc_signed:
        raise ValidationError("房屋交接书", "业主须签署房屋交接书")
    readings = {}
    for kind, value in (meters or {}).items():
        if value in (None, ""):
            continue
        if kind not in METER_KINDS:
            raise ValidationError("表计", f"未知表计 {kind}")
        s = v.normalize(value)
        try:
            n = int(s)
        except ValueError:
            raise ValidationError(f"{METER_KINDS[kind]}读数", "应为整数") from None
        if n < 0:
            raise ValidationError(f"{METER_KINDS[kind]}读数", "不能为负数")
        readings[kind] = n
    with ctx.db.atomic():
        if readings:
            from app.ledger.meters import record_reading
            for kind, n in readings.items():
                record_reading(ctx, h.home_id, kind, n, ctx.clock.today(), note="交房起始读数")
        year = ctx.clock.today().year
        h.handover_doc_number = format_number("JJ", year, next_number("handover_doc", year), 5)
        h.save()
        mark_document(ctx, h.home_id, "inspection_form")
        n_defects = Defect.select().where(Defect.handover == h.id).count()
        if n_defects:
            mark_document(ctx, h.home_id, "repair_order")
        _mark_step(ctx, h, "inspection", f"缺陷 {n_defects} 项；交接书 {h.handover_doc_number}")
    return h


def do_keys(ctx, handover_id: int, receiver: str, gifts: str = "", manuals_given: bool = True,
            state_after: str = "已入住") -> Handover:
    """Step 5: all keys, gifts and the two manuals handed over. Completes the hand-over: the
    home's state and the owner's move-in date update; the two visits are planned."""
    h = handover_or_404(handover_id)
    _check_can_do(ctx, h, "keys")
    receiver = v.check_required(receiver, "领取人")
    state_after = v.check_choice(state_after, STATES_AFTER, "交付后状态")
    if not manuals_given:
        raise ValidationError("使用说明书/质量保证书", "须同时交付《商品住宅使用说明书》和《商品住宅质量保证书》")
    today = ctx.clock.today()
    with ctx.db.atomic():
        from app.desk.keys import hand_over_home_keys
        keys = hand_over_home_keys(ctx, h.home_id, receiver)
        h.gifts = gifts
        h.status = "已完成"
        h.completed_at = ctx.clock.now()
        h.save()
        home = Home.get_by_id(h.home_id)
        before = model_dict(home)
        home.state = state_after
        home.occupancy = "自住" if state_after == "已入住" else "空置"
        home.handover_date = today
        home.move_in_date = today
        home.updated_at = ctx.clock.now()
        home.save()
        record(ctx, "home.handover", "home", home.id, before, model_dict(home))
        days = int(ctx.settings.get("customer.movein_visit_days"))
        Visit.create(home=home, owner=h.owner_id, kind="入住祝贺", planned_date=today)
        Visit.create(home=home, owner=h.owner_id, kind="入住三日回访", planned_date=today + dt.timedelta(days=days))
        copies = sum(k["copies"] for k in keys)
        _mark_step(ctx, h, "keys", f"领取人：{receiver}；钥匙 {copies} 把；礼品：{gifts or '无'}")
    return h


def cancel_handover(ctx, handover_id: int, reason: str) -> Handover:
    require(ctx, "movein.event")
    h = handover_or_404(handover_id)
    reason = v.check_required(reason, "取消原因")
    if h.status != "进行中":
        raise StateError(f"交付已{h.status}，不能取消")
    with ctx.db.atomic():
        h.status = "已取消"
        h.cancel_reason = reason
        h.save()
        record(ctx, "movein.cancel", "handover", h.id, None, {"reason": reason})
    return h


def handover_detail(handover_id: int) -> dict:
    h = handover_or_404(handover_id)
    done = steps_done(h.id)
    from models.users import User
    users = {u.id: u.display_name for u in User.select(User.id, User.display_name)}
    return {
        "handover": h,
        "home": Home.get_by_id(h.home_id),
        "owner": Owner.get_or_none(Owner.id == h.owner_id) if h.owner_id else None,
        "steps": [{"code": c, "name": n, "desc": d,
                   "done_at": done[c].done_at if c in done else None,
                   "done_by": users.get(done[c].done_by_id, "") if c in done else "",
                   "notes": done[c].notes if c in done else ""} for c, n, d in STEPS],
        "next": current_step(h),
        "defects": list(Defect.select().where(Defect.handover == h.id).order_by(Defect.id)),
    }


def handover_for_home(room_or_id) -> Handover | None:
    home = find_home(room_or_id)
    return (Handover.select().where(Handover.home == home.id).order_by(Handover.id.desc()).first())


def owner_prefill(handover_id: int) -> dict:
    """The owner's data already on file, for the identity step's form (identity number masked)."""
    h = handover_or_404(handover_id)
    if not h.owner_id:
        return {}
    o = Owner.get_by_id(h.owner_id)
    return {"name": o.name, "phone": o.phone, "gender": o.gender, "employer": o.employer,
            "id_masked": o.id_masked}


def next_step(handover_id: int) -> str | None:
    return current_step(handover_or_404(handover_id))
