"""The stage board of one renovation: the nine stages of domain.md §4 with their date, who
recorded them and a short status, and the next step shown in the lists."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.money import fmt_fen
from app.renovation.application import drawings_of, permit_earliest, tests_passed
from app.renovation.common import STAGES, user_name, user_names
from app.renovation.fees import fees_of, fees_paid
from app.renovation.works import first_inspection_due, open_notices


@dataclass(frozen=True)
class Stage:
    no: int
    name: str
    done: bool
    day: dt.date | None
    by: str
    text: str


def _stage_decision(r, n) -> Stage:
    if r.state == "已驳回":
        return Stage(2, STAGES[1], True, r.decided_on, n(r.decided_by_id), f"已驳回：{r.decision_note}")
    text = ("已批准" + (f"：{r.decision_note}" if r.decision_note else "")) if r.decided_on else "待审批"
    return Stage(2, STAGES[1], bool(r.decided_on), r.decided_on, n(r.decided_by_id), text)


def _stage_fees(r, n) -> Stage:
    paid = fees_paid(r)
    if r.deposit_charge_id:
        fee_text = (f"保证金 {fmt_fen(r.deposit_fen)}，垃圾清运费 {fmt_fen(r.rubbish_fen)}，"
                    + ("已缴清" if paid else "未缴清"))
    else:
        fee_text = "审批后计费"
    fee_day, fee_by = r.fees_charged_on, n(r.fees_charged_by_id)
    if paid:
        from models.ledger import Payment
        last = (Payment.select(Payment.created_at, Payment.created_by)
                .where(Payment.charge.in_([r.deposit_charge_id, r.rubbish_charge_id]) & (Payment.kind == "pay"))
                .order_by(Payment.created_at.desc()).first())
        if last is not None:
            fee_day = last.created_at.date() if isinstance(last.created_at, dt.datetime) else last.created_at
            fee_by = user_name(last.created_by_id)
            fee_text += f"（{fee_by} 收款）" if fee_by else ""
    return Stage(3, STAGES[2], paid, fee_day, fee_by, fee_text)


def _result(ok) -> str:
    return "合格" if ok else "不合格"


def _stage_tests(r, n) -> Stage:
    if r.tests_on:
        t = f"打压{_result(r.pressure_ok)}，闭水{_result(r.water_ok)}，业主 {r.tests_signed_by} 签字"
    else:
        t = "未试验"
    return Stage(4, STAGES[3], tests_passed(r), r.tests_on, n(r.tests_by_id), t)


def _stage_permit(ctx, r, n, workers) -> Stage:
    if r.permit_on:
        t = f"许可证 {r.permit_number}，出入证 {sum(1 for w in workers if w.issued_on)} 张"
    elif tests_passed(r):
        t = f"最早 {permit_earliest(ctx, r)} 可领取"
    else:
        t = "待试验合格"
    return Stage(5, STAGES[4], bool(r.permit_on), r.permit_on, n(r.permit_by_id), t)


def _stage_works(r, n) -> Stage:
    patrols = r.patrols.count()
    open_n = len(open_notices(r))
    fire = f"防火责任书 {r.fire_signed_on} 已签" if r.fire_signed_on else "防火责任书未签"
    return Stage(6, STAGES[5], bool(r.finished_on), r.finished_on, n(r.finished_by_id),
                 f"巡查 {patrols} 次，未关闭通知 {open_n} 张，{fire}")


def _stage_first_inspection(ctx, r, n) -> Stage:
    if r.first_inspection_on:
        t = "初验合格" if r.first_inspection_ok else f"初验不合格：{r.first_inspection_note}"
    elif r.finished_on:
        due = first_inspection_due(ctx, r)
        t = f"应于 {due} 前初验" + ("（已逾期）" if ctx.clock.today() > due else "")
    else:
        t = "未完工"
    return Stage(7, STAGES[6], bool(r.first_inspection_ok), r.first_inspection_on, n(r.first_inspection_by_id), t)


def _stage_passes_back(n, workers) -> Stage:
    issued = [w for w in workers if w.issued_on or w.returned_on]
    back = [w for w in issued if w.returned_on]
    last = max((w.returned_on for w in back), default=None)
    last_by = n(max(back, key=lambda w: w.returned_on).returned_by_id) if back else ""
    refunded = sum(w.deposit_refund_fen for w in workers)
    return Stage(8, STAGES[7], bool(issued) and len(back) == len(issued), last, last_by,
                 f"已退证 {len(back)}/{len(issued)}，退押金 {fmt_fen(refunded)}")


def _stage_refund(r, n) -> Stage:
    if r.refunded_on:
        ded = sum(d.amount_fen for d in r.deductions)
        t = f"退保证金 {fmt_fen(r.refund_fen)}" + (f"，扣除 {fmt_fen(ded)}" if ded else "")
    elif r.second_inspection_on:
        t = "复验合格，待退保证金" if r.second_inspection_ok else f"复验不合格：{r.second_inspection_note}"
    elif r.second_due:
        t = f"复验日期 {r.second_due}"
    else:
        t = ""
    return Stage(9, STAGES[8], bool(r.refunded_on), r.refunded_on or r.second_inspection_on,
                 n(r.refunded_by_id or r.second_inspection_by_id), t)


def _stage_abandoned(r, n) -> Stage:
    fees = fees_of(r)
    unpaid = sum(f["amount"] - f["paid"] for f in fees if f["paid"] < f["amount"])
    text = r.abandon_reason + (f"；退保证金 {fmt_fen(r.refund_fen)}" if r.refunded_on else "")
    if unpaid:  # only deposits never taken: the unpaid fees were waived (免收) at abandonment
        text += f"；未收取的押金 {fmt_fen(unpaid)} 元不再收取"
    return Stage(10, "放弃装修", True, r.abandoned_on, n(r.abandoned_by_id), text)


def stages(ctx, r) -> list[Stage]:
    """The nine stages of domain.md §4 with their date, who recorded them and a short status."""
    uids = [r.applied_by_id, r.decided_by_id, r.fees_charged_by_id, r.tests_by_id, r.permit_by_id,
            r.finished_by_id, r.first_inspection_by_id, r.second_inspection_by_id, r.refunded_by_id,
            r.fire_recorded_by_id]
    workers = list(r.workers)
    uids += [w.returned_by_id for w in workers]
    names = user_names(uids)

    def n(uid) -> str:
        return names.get(uid, "")

    n_drawings = len(drawings_of(r.id))
    out = [Stage(1, STAGES[0], True, r.applied_on, n(r.applied_by_id),
                 f"申请人 {r.applicant}，施工单位 {r.contractor_name}，图纸 {n_drawings} 份"),
           _stage_decision(r, n)]
    if r.state == "已驳回":
        return out
    out += [_stage_fees(r, n), _stage_tests(r, n), _stage_permit(ctx, r, n, workers), _stage_works(r, n),
            _stage_first_inspection(ctx, r, n), _stage_passes_back(n, workers), _stage_refund(r, n)]
    if r.state == "已放弃":
        out.append(_stage_abandoned(r, n))
    return out


# what the list shows for a renovation in a state that needs no look at its details
NEXT_STEP_OF_STATE = {"待审批": "待审批", "施工中": "施工中", "已复验": "待退保证金"}


def _next_step_approved(ctx, r) -> str:
    if not fees_paid(r):
        return "待缴费"
    if not tests_passed(r):
        return "待闭水/打压试验"
    if not r.fire_signed_on:
        return "待签防火责任书"
    e = permit_earliest(ctx, r)
    return "可领许可证" if ctx.clock.today() >= e else f"{e} 可领许可证"


def next_step(ctx, r) -> str:
    s = r.state
    if s == "已批准":
        return _next_step_approved(ctx, r)
    if s == "已完工":
        return f"待初验（{first_inspection_due(ctx, r)} 前）"
    if s == "初验通过":
        return f"待复验（{r.second_due}）"
    return NEXT_STEP_OF_STATE.get(s, s)
