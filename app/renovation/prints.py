"""The renovation forms' data, built from the records and frozen, and the ``…_pdf(ctx, …)``
functions the tab and the command line print with (renderers in app/printing/renovation_*.py)."""
from __future__ import annotations

from app.core.audit import record
from app.core.dates import fmt_date
from app.core.errors import StateError
from app.core.lookup import get_or_404
from app.core.money import fmt_fen
from app.core.permissions import allowed, require
from app.core.privacy import mask_phone
from app.core.validation import fmt_area
from app.printing.renovation_application import (
    ApplicationData,
    ApplicationForm,
    FireData,
    FireForm,
    TestsData,
    TestsForm,
)
from app.printing.renovation_common import HomeLine, RenoHead, yuan
from app.printing.renovation_completion import CompletionData, CompletionForm, RefundData, RefundForm
from app.printing.renovation_patrol import (
    NoticeData,
    NoticeForm,
    PatrolLine,
    PatrolLogData,
    PatrolLogForm,
    SpotLine,
    SpotSheetData,
    SpotSheetForm,
)
from app.printing.renovation_permit import PassCard, PassCardsForm, PassSheetForm, PermitData, PermitForm
from app.renovation.application import drawings_of, permit_earliest
from app.renovation.common import renovation_or_404, user_name
from app.renovation.fees import charge_status, deposit_for, rubbish_fee_for
from app.renovation.lists import spot_checks
from app.renovation.passes import pass_state, worker_photo, workers_of
from app.renovation.works import first_inspection_due, open_notices, patrols_of
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Home
from models.renovation import Renovation, RenovationNotice, RenovationWorker


def _home_line(home: Home) -> HomeLine:
    owner = (Owner.select().join(HomeOwner).where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
             .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).first())
    c = Cluster.get_by_id(home.cluster_id)
    b = Building.get_by_id(home.building_id)
    return HomeLine(home.room_code, f"{c.code}组团 {c.name} {b.code}号楼", fmt_area(home.area_x100), home.house_type,
                    owner.name if owner else "", mask_phone(owner.phone) if owner else "")


def _head(ctx, r: Renovation) -> RenoHead:
    planned = f"{fmt_date(r.planned_start) or '—'} 至 {fmt_date(r.planned_end) or '—'}"
    return RenoHead(r.number, _home_line(r.home), r.applicant, mask_phone(r.applicant_phone), r.contractor_name,
                    r.contractor_person, mask_phone(r.contractor_phone), r.plan, planned,
                    ctx.settings.get("site.service_phone") or "")


def build_application(ctx, reno_id) -> ApplicationData:
    r = renovation_or_404(reno_id)
    decision = {"待审批": "待审批", "已驳回": "不予批准"}.get(r.state, "批准")
    pass_fee, pass_dep = ctx.settings.get("renovation.pass_fee"), ctx.settings.get("renovation.pass_deposit")
    deposit = r.deposit_fen or deposit_for(ctx, r.home.house_type)
    rubbish = r.rubbish_fen or rubbish_fee_for(ctx, r.home.area_x100)
    rate = ctx.settings.get("renovation.rubbish_rate")
    fees = (("装修质量保证金", f"{yuan(deposit)}（{r.home.house_type}）"),
            ("垃圾清运费", f"{yuan(rubbish)}（{fmt_area(r.home.area_x100)} ㎡ × {fmt_fen(rate)} 元/㎡）"),
            ("出入证手续费", f"{yuan(pass_fee)} / 证"), ("出入证押金", f"{yuan(pass_dep)} / 证"))
    return ApplicationData(_head(ctx, r), fmt_date(r.applied_on), user_name(r.applied_by_id),
                           tuple(a.original_name for a in drawings_of(r.id)), r.state, decision,
                           fmt_date(r.decided_on), user_name(r.decided_by_id), r.decision_note, fees,
                           ctx.settings.get("renovation.work_hours"))


def _result(ok) -> str:
    return "合格" if ok else "不合格"


def build_tests(ctx, reno_id) -> TestsData:
    r = renovation_or_404(reno_id)
    if not r.tests_on:
        raise StateError(f"装修登记 {r.number} 尚未登记闭水/打压试验")
    return TestsData(_head(ctx, r), fmt_date(r.tests_on), _result(r.pressure_ok), _result(r.water_ok),
                     r.tests_signed_by, r.tests_note, user_name(r.tests_by_id), fmt_date(permit_earliest(ctx, r)))


def build_fire(ctx, reno_id) -> FireData:
    r = renovation_or_404(reno_id)
    return FireData(_head(ctx, r), fmt_date(r.fire_signed_on), r.fire_signed_by, ctx.settings.get("site.name"))


def permit_phone(ctx, r: Renovation) -> str:
    """The contractor's phone as the door permit shows it: the permit hangs on the door so that
    the patrol, security and neighbours can call the site's foreman, so roles that issue permits
    (renovation.edit) print it in full, each such print recorded in the audit log (pii.print_full);
    other roles print it masked."""
    if not r.contractor_phone or not allowed(getattr(ctx.user, "role", None), "renovation.edit"):
        return mask_phone(r.contractor_phone)
    with ctx.db.atomic():
        record(ctx, "pii.print_full", "renovation", r.id, None, {"form": "装修许可证", "number": r.permit_number})
    return r.contractor_phone


def build_permit(ctx, reno_id) -> PermitData:
    r = renovation_or_404(reno_id)
    if not r.permit_on:
        raise StateError(f"装修登记 {r.number} 尚未发放装修许可证")
    h = _head(ctx, r)
    return PermitData(r.permit_number, h.home.room_code, h.home.place, r.contractor_name, r.contractor_person,
                      permit_phone(ctx, r), f"{fmt_date(r.permit_on)} 至 {fmt_date(r.planned_end) or '竣工'}",
                      ctx.settings.get("renovation.work_hours"), fmt_date(r.permit_on), h.service_phone,
                      ctx.settings.get("site.name"))


def build_passes(ctx, reno_id, worker_ids=None) -> tuple[PassCard, ...]:
    r = renovation_or_404(reno_id)
    q = RenovationWorker.select().where(RenovationWorker.renovation == r.id).order_by(RenovationWorker.id)
    if worker_ids:
        q = q.where(RenovationWorker.id.in_(list(worker_ids)))
    cards = []
    for w in q:
        if w.returned_on:
            continue
        photo = worker_photo(ctx, w.id)
        cards.append(PassCard(w.pass_number, w.name, w.id_masked, w.trade, w.card, r.home.room_code,
                              r.contractor_name, fmt_date(w.valid_until), str(photo) if photo else "",
                              ctx.settings.get("site.name")))
    if not cards:
        raise StateError(f"装修登记 {r.number} 没有可打印的出入证")
    return tuple(cards)


def build_patrol_log(ctx, reno_id, blank_rows: int = 8) -> PatrolLogData:
    r = renovation_or_404(reno_id)
    lines = tuple(PatrolLine(fmt_date(p.patrol_on), user_name(p.inspector_id), "正常" if p.ok else "违规/问题",
                             p.findings, str(p.workers_present or ""), "抽查" if p.spot_check else "")
                  for p in patrols_of(ctx, r.id))
    return PatrolLogData(_head(ctx, r), f"{r.permit_number}（{fmt_date(r.permit_on)}）" if r.permit_on else "未发证",
                         lines, blank_rows)


def build_notice(ctx, notice_id) -> NoticeData:
    n = get_or_404(RenovationNotice, notice_id, message="通知单不存在")
    closed = f"{fmt_date(n.closed_on)} 已整改：{n.closure_note}" if n.closed_on else ""
    return NoticeData(_head(ctx, n.renovation), n.kind, n.number, fmt_date(n.issued_on), user_name(n.issued_by_id),
                      n.content, n.requirement, fmt_date(n.deadline), closed)


def _inspection(on, ok, note) -> str:
    if not on:
        return ""
    return "合格" if ok else f"不合格：{note}"


def build_completion(ctx, reno_id) -> CompletionData:
    r = renovation_or_404(reno_id)
    today = ctx.clock.today()
    passes = tuple((w.name, w.card, pass_state(w, today)) for w in workers_of(ctx, r.id))
    return CompletionData(_head(ctx, r), r.permit_number, fmt_date(r.finished_on),
                          fmt_date(first_inspection_due(ctx, r)),
                          _inspection(r.first_inspection_on, r.first_inspection_ok, r.first_inspection_note),
                          fmt_date(r.first_inspection_on), user_name(r.first_inspection_by_id), fmt_date(r.second_due),
                          _inspection(r.second_inspection_on, r.second_inspection_ok, r.second_inspection_note),
                          fmt_date(r.second_inspection_on), user_name(r.second_inspection_by_id), passes,
                          len(open_notices(r)))


def build_refund(ctx, reno_id) -> RefundData:
    r = renovation_or_404(reno_id)
    if not r.refunded_on:
        raise StateError(f"装修登记 {r.number} 尚未退还装修保证金")
    voucher = ""
    if r.refund_payment_id:
        from models.ledger import Payment, Receipt
        p = Payment.get_or_none(Payment.id == r.refund_payment_id)
        if p is not None and p.receipt_id:
            voucher = Receipt.get_by_id(p.receipt_id).number
    ded = tuple((d.reason, d.amount_fen) for d in r.deductions)
    _a, paid, _f = charge_status(r.deposit_charge_id)
    if r.state == "已放弃":
        reason = f"放弃装修：{r.abandon_reason}"
    else:
        reason = f"复验合格（{fmt_date(r.second_inspection_on)}）"
    passes = tuple((w.name, w.deposit_refund_fen) for w in r.workers if w.deposit_refund_fen)
    return RefundData(_head(ctx, r), paid, ded, r.refund_fen, fmt_date(r.refunded_on), user_name(r.refunded_by_id),
                      voucher, reason, passes)


def build_spot_sheet(ctx, day=None) -> SpotSheetData:
    day = day or ctx.clock.today()
    lines = []
    for sp in spot_checks(ctx, day):
        r = renovation_or_404(sp.id)
        lines.append(SpotLine(sp.room_code, sp.number, r.contractor_name, r.contractor_person,
                              mask_phone(r.contractor_phone), fmt_date(sp.last_patrol) or "无", len(open_notices(r))))
    under = Renovation.select().where(Renovation.state == "施工中").count()
    return SpotSheetData(fmt_date(day), tuple(lines), under)


FORMS = {
    # key: (label, builder, renderer, filename stem)
    "application": ("装修申请/审批表", build_application, ApplicationForm, "装修申请审批表"),
    "tests": ("闭水/打压确认单", build_tests, TestsForm, "闭水打压确认单"),
    "fire": ("防火责任书", build_fire, FireForm, "防火责任书"),
    "permit": ("装修许可证", build_permit, PermitForm, "装修许可证"),
    "passes": ("施工人员出入证", build_passes, PassCardsForm, "施工人员出入证"),
    "passes_a4": ("施工人员出入证（A4裁切）", build_passes, PassSheetForm, "施工人员出入证A4"),
    "patrol": ("装修巡查日志", build_patrol_log, PatrolLogForm, "装修巡查日志"),
    "completion": ("装修竣工验收表", build_completion, CompletionForm, "装修竣工验收表"),
    "refund": ("装修保证金退还单", build_refund, RefundForm, "装修保证金退还单"),
}


def form_pdf(ctx, form: str, reno_id, **kw) -> bytes:
    """PDF bytes of one renovation form (see FORMS); notices go through ``notice_pdf``."""
    require(ctx, "renovation.view")
    _label, build, cls, _stem = FORMS[form]
    data = build(ctx, reno_id, **kw)
    r = renovation_or_404(reno_id)
    number = {"permit": r.permit_number}.get(form, r.number)
    return cls(ctx.settings, number).render(data)


def notice_pdf(ctx, notice_id) -> bytes:
    require(ctx, "renovation.view")
    data = build_notice(ctx, notice_id)
    return NoticeForm(ctx.settings, data.number).render(data)


def spot_sheet_pdf(ctx, day=None) -> bytes:
    require(ctx, "renovation.view")
    data = build_spot_sheet(ctx, day)
    if not data.lines:
        raise StateError(f"{data.day} 没有施工中的装修户，无需抽查")
    return SpotSheetForm(ctx.settings).render(data)
