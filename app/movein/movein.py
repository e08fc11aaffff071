"""Move-in (入住办理): the five desk steps per home, mass hand-over events, single hand-overs,
defects followed to closure, moving-day bookings and the visits after hand-over.

The steps (domain.md §3, 000 应会 2) are done in order; each records who did it and when.
A hand-over interrupted at any step is resumed later from where it stopped.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
from models.movein import Defect, Handover, HandoverEvent, HandoverStep, MovingBooking
from models.people import HomeOwner, Owner
from models.property import Cluster, Home

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


# ---------------------------------------------------------------- look-ups
def _home(room_or_id) -> Home:
    return home_of(room_or_id, message=f"房号：找不到房屋“{room_or_id}”")


def _handover(handover_id) -> Handover:
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


# ---------------------------------------------------------------- events
def create_event(ctx, cluster_id: int, name: str, start_date, end_date, place: str = "", notes: str = "") -> HandoverEvent:
    require(ctx, "movein.event")
    name = v.check_required(name, "活动名称")
    start = v.parse_date(start_date, "开始日期")
    end = v.parse_date(end_date, "结束日期")
    if end < start:
        raise ValidationError("结束日期", "不能早于开始日期")
    if Cluster.get_or_none(Cluster.id == cluster_id) is None:
        raise ValidationError("组团", "请选择组团")
    with ctx.db.atomic():
        ev = HandoverEvent.create(cluster=cluster_id, name=name, start_date=start, end_date=end, place=place,
                                  notes=notes, created_by=getattr(ctx.user, "id", None), created_at=ctx.clock.now())
        record(ctx, "movein.event.create", "handover_event", ev.id, None, model_dict(ev))
    return ev


def events():
    return list(HandoverEvent.select(HandoverEvent, Cluster).join(Cluster).order_by(HandoverEvent.start_date.desc()))


# ---------------------------------------------------------------- hand-over
def start_handover(ctx, room_or_id, kind: str = "集中交付", event_id: int | None = None) -> Handover:
    """Open the hand-over of a home, or return the one already under way (resume)."""
    require(ctx, "movein.step")
    kind = v.check_choice(kind, ["集中交付", "零星交付"], "交付方式")
    home = _home(room_or_id)
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
    h = _handover(handover_id)
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
    h = _handover(handover_id)
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
        for code in ("id_copy_photo", "owner_info_form", "movein_notice") + (("purchase_invoice",) if invoice_copy else ()):
            mark_document(ctx, h.home_id, code)
        _mark_step(ctx, h, "identity", f"业主：{o.name}")
        index_homes([h.home_id])
    return h


def do_agreements(ctx, handover_id: int, signed: list[str]) -> Handover:
    """Step 2: the three agreements signed (codes of AGREEMENTS)."""
    h = _handover(handover_id)
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
    h = _handover(handover_id)
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
    h = _handover(handover_id)
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
    h = _handover(handover_id)
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
    h = _handover(handover_id)
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
        _mark_step(ctx, h, "keys", f"领取人：{receiver}；钥匙 {sum(k["copies"] for k in keys)} 把；礼品：{gifts or '无'}")
    return h


def cancel_handover(ctx, handover_id: int, reason: str) -> Handover:
    require(ctx, "movein.event")
    h = _handover(handover_id)
    reason = v.check_required(reason, "取消原因")
    if h.status != "进行中":
        raise StateError(f"交付已{h.status}，不能取消")
    with ctx.db.atomic():
        h.status = "已取消"
        h.cancel_reason = reason
        h.save()
        record(ctx, "movein.cancel", "handover", h.id, None, {"reason": reason})
    return h


# ---------------------------------------------------------------- defects
def _defect(defect_id) -> Defect:
    return get_or_404(Defect, defect_id, message=f"找不到维修单 {defect_id}")


def send_defect(ctx, defect_id: int, builder: str) -> Defect:
    """Pass the 工程质量维修单 to the builder."""
    require(ctx, "movein.step")
    d = _defect(defect_id)
    builder = v.check_required(builder, "施工单位")
    if d.status != "待维修":
        raise StateError(f"维修单 {d.order_number} 状态为“{d.status}”，不能再派单")
    with ctx.db.atomic():
        d.status, d.builder, d.sent_at = "已派单", builder, ctx.clock.now()
        d.save()
        record(ctx, "defect.send", "defect", d.id, {"status": "待维修"}, {"status": d.status, "builder": builder})
    return d


def defect_fixed(ctx, defect_id: int, notes: str = "") -> Defect:
    require(ctx, "movein.step")
    d = _defect(defect_id)
    if d.status != "已派单":
        raise StateError(f"维修单 {d.order_number} 尚未派单，不能登记修复")
    with ctx.db.atomic():
        d.status, d.fixed_at = "已修复", ctx.clock.now()
        d.notes = (d.notes + "\n" + notes).strip()
        d.save()
        record(ctx, "defect.fixed", "defect", d.id, {"status": "已派单"}, {"status": d.status})
    return d


def close_defect(ctx, defect_id: int, owner_confirmed: bool) -> Defect:
    require(ctx, "movein.step")
    d = _defect(defect_id)
    if d.status != "已修复":
        raise StateError(f"维修单 {d.order_number} 尚未修复，不能关闭")
    if not owner_confirmed:
        raise ValidationError("业主确认", "须业主确认修复合格后方可关闭")
    with ctx.db.atomic():
        d.status, d.closed_at, d.closed_by, d.owner_confirmed = "已关闭", ctx.clock.now(), getattr(ctx.user, "id", None), True
        d.save()
        record(ctx, "defect.close", "defect", d.id, {"status": "已修复"}, {"status": d.status})
    return d


def open_defects():
    return list(Defect.select(Defect, Home).join(Home).where(Defect.status != "已关闭").order_by(Defect.recorded_at))


# ---------------------------------------------------------------- after hand-over
def book_moving(ctx, room_or_id, move_date, time_slot: str, contact: str, phone: str,
                mover: str = "", vehicle: str = "", notes: str = "") -> MovingBooking:
    require(ctx, "movein.step")
    home = _home(room_or_id)
    d = v.parse_date(move_date, "搬家日期")
    if d < ctx.clock.today():
        raise ValidationError("搬家日期", "不能早于今天")
    contact = v.check_required(contact, "联系人")
    phone = v.check_phone(phone, "联系电话", required=True)
    with ctx.db.atomic():
        b = MovingBooking.create(home=home, move_date=d, time_slot=time_slot, contact=contact, phone=phone,
                                 mover=mover, vehicle=vehicle, notes=notes,
                                 created_by=getattr(ctx.user, "id", None), created_at=ctx.clock.now())
        record(ctx, "movein.booking", "moving_booking", b.id, None, model_dict(b))
    return b


def pass_booking_to_gate(ctx, booking_id: int) -> MovingBooking:
    require(ctx, "movein.step")
    b = get_or_404(MovingBooking, booking_id, message="找不到搬家预约")
    with ctx.db.atomic():
        b.passed_to_gate = True
        b.save()
        record(ctx, "movein.booking.gate", "moving_booking", b.id, None, {"passed_to_gate": True})
    return b


def bookings(from_date=None):
    q = MovingBooking.select(MovingBooking, Home).join(Home)
    if from_date:
        q = q.where(MovingBooking.move_date >= from_date)
    return list(q.order_by(MovingBooking.move_date, MovingBooking.time_slot))


def visits_due(ctx, until=None) -> list[Visit]:
    """Planned visits after hand-over not yet made (入住祝贺, 入住三日回访), due by *until*."""
    until = until or ctx.clock.today()
    return list(Visit.select(Visit, Home).join(Home)
                .where(Visit.kind.in_(["入住祝贺", "入住三日回访"]) & Visit.visit_date.is_null()
                       & (Visit.planned_date <= until))
                .order_by(Visit.planned_date))


def record_visit(ctx, visit_id: int, residents_info: str = "", opinions: str = "", questions: str = "",
                 safety_advice_given: bool = True, intercom_explained: bool = True, notes: str = "") -> Visit:
    """Record a planned visit as made, with the fixed script of the 3-day visit."""
    require(ctx, "archive.visit")
    visit = get_or_404(Visit, visit_id, message="找不到回访计划")
    if visit.visit_date is not None:
        raise StateError("该回访已登记")
    if visit.kind == "入住三日回访" and not (safety_advice_given and intercom_explained):
        raise ValidationError("回访内容", "三日回访须讲解安全注意事项及对讲等弱电设备使用方法")
    with ctx.db.atomic():
        visit.visit_date = ctx.clock.today()
        visit.staff = getattr(ctx.user, "id", None)
        visit.residents_info, visit.opinions, visit.questions = residents_info, opinions, questions
        visit.safety_advice_given, visit.intercom_explained, visit.notes = safety_advice_given, intercom_explained, notes
        visit.save()
        record(ctx, "visit.record", "visit", visit.id, None, model_dict(visit))
    return visit


# ---------------------------------------------------------------- progress board
@dataclass
class BoardRow:
    home_id: int
    room_code: str
    owner_name: str
    handover_id: int | None
    stage: str            # 待办理 / a step name / 已完成 / 已取消
    open_defects: int
    started_at: dt.datetime | None = None


@dataclass
class Board:
    rows: list[BoardRow]
    counts: dict[str, int] = field(default_factory=dict)


def progress_board(event_id: int | None = None, cluster_id: int | None = None) -> Board:
    """Waiting, at each step, done, with defects: for an event's cluster or the whole site."""
    if event_id is not None:
        ev = get_or_404(HandoverEvent, event_id, message="找不到交房活动")
        cluster_id = ev.cluster_id
    hq = Home.select(Home.id, Home.room_code, Home.state)
    if cluster_id is not None:
        hq = hq.where(Home.cluster == cluster_id)
    homes = {h.id: h for h in hq}
    counts = {"待办理": 0, **{name: 0 for _c, name, _d in STEPS}, "已完成": 0, "有缺陷": 0}
    if not homes:
        return Board([], counts)
    handovers = {}
    for h in Handover.select().where(Handover.home.in_(list(homes))).order_by(Handover.id):
        if h.status != "已取消" or h.home_id not in handovers:
            handovers[h.home_id] = h
    done_steps: dict[int, set] = {}
    if handovers:
        for hid, step in (HandoverStep.select(HandoverStep.handover, HandoverStep.step)
                          .where(HandoverStep.handover.in_([h.id for h in handovers.values()])).tuples()):
            done_steps.setdefault(hid, set()).add(step)
    defects: dict[int, int] = {}
    for home_id, in (Defect.select(Defect.home).where(Defect.home.in_(list(homes)) & (Defect.status != "已关闭")).tuples()):
        defects[home_id] = defects.get(home_id, 0) + 1
    owners = {}
    for home_id, name in (HomeOwner.select(HomeOwner.home, Owner.name).join(Owner)
                          .where(HomeOwner.home.in_(list(homes)) & HomeOwner.until.is_null())
                          .order_by(HomeOwner.is_primary.desc()).tuples()):
        owners.setdefault(home_id, name)
    rows = []
    for home_id, home in sorted(homes.items(), key=lambda kv: kv[1].room_code):
        h = handovers.get(home_id)
        if h is None:
            if home.state != "未交付":
                continue  # handed over before the system: not on the board
            stage = "待办理"
        elif h.status == "进行中":
            done = done_steps.get(h.id, set())
            stage = next((STEP_NAMES[c] for c in STEP_CODES if c not in done), "已完成")
        else:
            stage = h.status
        if stage in counts:
            counts[stage] += 1
        if defects.get(home_id):
            counts["有缺陷"] += 1
        rows.append(BoardRow(home_id, home.room_code, owners.get(home_id, ""), h.id if h else None, stage,
                             defects.get(home_id, 0), h.started_at if h else None))
    return Board(rows, counts)


def handover_detail(handover_id: int) -> dict:
    h = _handover(handover_id)
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
    home = _home(room_or_id)
    return (Handover.select().where(Handover.home == home.id).order_by(Handover.id.desc()).first())


def cluster_choices() -> list[tuple[int, str]]:
    return [(c.id, f"{c.code}组团 {c.name}") for c in Cluster.select().order_by(Cluster.sort_order, Cluster.code)]


def owner_prefill(handover_id: int) -> dict:
    """The owner's data already on file, for the identity step's form (identity number masked)."""
    h = _handover(handover_id)
    if not h.owner_id:
        return {}
    o = Owner.get_by_id(h.owner_id)
    return {"name": o.name, "phone": o.phone, "gender": o.gender, "employer": o.employer,
            "id_masked": o.id_masked}


def next_step(handover_id: int) -> str | None:
    return current_step(_handover(handover_id))


def startup_reminders(ctx) -> list[str]:
    """Visits after hand-over due today or earlier, and repair orders still open."""
    lines = []
    for visit in visits_due(ctx):
        late = (ctx.clock.today() - visit.planned_date).days
        lines.append(f"入住回访待办：{visit.home.room_code} {visit.kind}，计划 {visit.planned_date}"
                     + (f"，已逾期{late}天" if late > 0 else ""))
    n = Defect.select().where(Defect.status != "已关闭").count()
    if n:
        lines.append(f"工程质量维修单未关闭：{n} 张")
    return lines
