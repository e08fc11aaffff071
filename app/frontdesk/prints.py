"""What the front-desk registers print (app/printing/frontdesk_forms renders it): the goods-out
pass with its stub, and each register's daily list. The UI and the command line print through
these functions."""
from __future__ import annotations

import datetime as dt

from app.core.dates import fmt_date
from app.frontdesk import contacts, letting, parcels, passes, rounds, shifts, visitors
from app.printing.frontdesk_forms import (
    GoodsPassData,
    PhoneListData,
    ShiftDayData,
    ShiftEntry,
    SiteFactsData,
    render_goods_pass,
    render_phone_list,
    render_register,
    render_shift_day,
    render_site_facts,
)
from app.printing.key_forms import KeyListData


def _office_hours(settings) -> str:
    try:
        return str(settings.get("office.hours") or "")
    except KeyError:          # a site file from before office hours were a setting
        return ""


def goods_pass_data(ctx, pass_id) -> GoodsPassData:
    gp = passes.get_pass(pass_id)
    r = passes.pass_row(gp, ctx.clock.today())
    return GoodsPassData(number=r["number"], room_code=r["room_code"], consent=r["consent"],
                         consent_by=r["consent_by"], consent_at=r["consent_at"],
                         items=tuple(passes.parse_items(gp.items)), carrier=r["carrier"], plate=r["plate"],
                         valid_date=r["valid_date"], issued_at=r["issued_at"], issued_by=r["issued_by"],
                         status=r["status"], office_hours=_office_hours(ctx.settings))


def goods_pass_pdf(ctx, pass_id) -> bytes:
    """物品放行条 with its 存根 (numbered), ready to cut."""
    return render_goods_pass(ctx.settings, goods_pass_data(ctx, pass_id))


def _short(text: str, day: dt.date | None) -> str:
    """“2026-11-23 14:30” as 14:30 on the list's own day, else 11-22 14:30."""
    if not text or day is None:
        return text
    return text[11:] if text.startswith(fmt_date(day)) else text[5:]


def _note(day: dt.date, n: int, what: str) -> str:
    return f"日期：{fmt_date(day)}　共 {n} {what}"


def parcels_day_pdf(ctx, day: dt.date | None = None) -> bytes:
    """代收快递登记表 of the day: taken in, refused, collected; collectors sign in the last column."""
    day = day or ctx.clock.today()
    rows = parcels.day_parcels(ctx, day)
    return _parcel_list(ctx, "parcels", rows, _note(day, len(rows), "件"), day)


def parcels_waiting_pdf(ctx, overdue_only: bool = False) -> bytes:
    """Parcels waiting (or only those beyond the free period), oldest first, overdue shaded."""
    rows = parcels.waiting_parcels(ctx, overdue_only=overdue_only)
    note = f"统计时间：{ctx.clock.now():%Y-%m-%d %H:%M}　待取 {len(rows)} 件"
    return _parcel_list(ctx, "parcels_overdue" if overdue_only else "parcels", rows, note)


def _parcel_list(ctx, kind, rows, note, day=None) -> bytes:
    cells = tuple((r["number"], r["room_code"], r["recipient"], r["carrier"], r["tracking_no"], r["place"],
                   _short(r["received_at"], day),
                   r["status"] + (f"（{r['refuse_reason']}）" if r["refuse_reason"] else ""),
                   _short(r["picked_at"], day) or (r["age"] if r["status"] == "待取" else ""), r["fee"],
                   r["collector_name"]) for r in rows)
    data = KeyListData(title_note=note, rows=cells, overdue_rows=tuple(i for i, r in enumerate(rows) if r["overdue"]))
    return render_register(ctx.settings, kind, data)


def visitors_day_pdf(ctx, day: dt.date | None = None) -> bytes:
    """来访人员登记表 of the day (identity numbers masked); those still inside shaded."""
    day = day or ctx.clock.today()
    rows = visitors.day_visitors(ctx, day)
    cells = tuple((r["name"], r["id_text"], r["room_code"], r["host"], r["reason"], str(r["companions"] or ""),
                   r["plate"], _short(r["entered_at"], day), _short(r["left_at"], day) or "未离开", "") for r in rows)
    data = KeyListData(title_note=_note(day, len(rows), "人次"), rows=cells,
                       overdue_rows=tuple(i for i, r in enumerate(rows) if r["inside"]))
    return render_register(ctx.settings, "visitors", data)


def passes_register_pdf(ctx, day: dt.date | None = None, days: int | None = None) -> bytes:
    """物品放行登记表: the day's passes, or those of the last *days* days."""
    if days:
        rows = passes.pass_register(ctx, days=days)
        note = f"最近 {days} 天　共 {len(rows)} 张"
    else:
        day = day or ctx.clock.today()
        rows = passes.day_passes(ctx, day)
        note = _note(day, len(rows), "张")
    cells = tuple((r["number"], r["room_code"], f"{r['consent_by']} {r['consent']}", r["items_short"], r["carrier"],
                   r["plate"], r["valid_date"], r["status"], r["used_at"], r["checked_by"]) for r in rows)
    data = KeyListData(title_note=note, rows=cells,
                       overdue_rows=tuple(i for i, r in enumerate(rows) if r["status"] == "已过期"))
    return render_register(ctx.settings, "passes", data)


def phone_list_pdf(ctx, search: str = "") -> bytes:
    """客服中心常用电话表: the contacts of the phone list by category."""
    rows = contacts.list_contacts(ctx, search)
    data = PhoneListData(title_note=f"更新日期：{fmt_date(ctx.clock.today())}　共 {len(rows)} 个单位",
                         rows=tuple((r["category"], r["name"], r["person"], r["phone"], r["phone2"], r["address"])
                                    for r in rows),
                         service_phone=str(ctx.settings.get("site.service_phone") or ""),
                         office_hours=_office_hours(ctx.settings))
    return render_phone_list(ctx.settings, data)


def site_facts_pdf(ctx) -> bytes:
    """项目概况 from the site settings."""
    return render_site_facts(ctx.settings, SiteFactsData(site_name=str(ctx.settings.get("site.name")),
                                                         facts=tuple(contacts.site_facts(ctx))))


def shift_day_pdf(ctx, day: dt.date | None = None) -> bytes:
    """交接班记录 of the day: every hand-over with its open items and drawer, corrections after."""
    day = day or ctx.clock.today()
    rows = shifts.day_entries(ctx, day)
    keys = [f.name for f in ShiftEntry.__dataclass_fields__.values()]
    entries = tuple(ShiftEntry(**{k: (tuple(r[k]) if k == "items" else r[k]) for k in keys}) for r in rows)
    return render_shift_day(ctx.settings, ShiftDayData(day=fmt_date(day), entries=entries))


def letting_pdf(ctx) -> bytes:
    """租售房源登记表: the homes on offer now (for the area managers to publish), oldest first."""
    rows = letting.on_offer(ctx)
    cells = tuple((r["number"], r["room_code"], r["kind"], r["price"], r["available_from"], r["owner_name"],
                   r["terms"].replace("\n", " "), r["listed_at"]) for r in rows)
    note = f"统计时间：{ctx.clock.now():%Y-%m-%d %H:%M}　在租售 {len(rows)} 套"
    return render_register(ctx.settings, "letting", KeyListData(title_note=note, rows=cells, overdue_rows=()))


def rounds_day_pdf(ctx, day: dt.date | None = None) -> bytes:
    """巡查记录表 of the day: each finding, its follow-up and how it was handled; open ones shaded."""
    day = day or ctx.clock.today()
    rows = rounds.day_rounds(ctx, day)
    cells = tuple((r["number"], _short(r["at"], day), r["place"], r["found"], r["follow_up"], r["status"],
                   r["patrolled_by"], r["result"]) for r in rows)
    data = KeyListData(title_note=_note(day, len(rows), "项"), rows=cells,
                       overdue_rows=tuple(i for i, r in enumerate(rows) if r["open"]))
    return render_register(ctx.settings, "rounds", data)
