"""The fee standards poster (收费标准公示) from the site's charge standards and paid-service prices,
and the monthly work report for owners (项目月度工作报告) from the month's live data: service
requests, renovation patrols, move-ins and notices, the service KPIs and the collection rate per
cluster (no owner's name or room on either)."""
from __future__ import annotations

import datetime as dt

from peewee import DateTimeField, fn

from app.core.dates import add_period_months, cn_date, parse_period, period_bounds, period_str
from app.core.errors import ValidationError
from app.core.money import fmt_fen
from app.core.permissions import require
from app.ledger.charge_items import ITEMS, SERVICES, standards
from app.notices.notices import office_name
from app.printing.notice_body import parse_body
from app.printing.notice_posters import FeePoster, MonthlyReport, render_fee_poster, render_monthly_report
from models.notices import PAPERS

CATEGORY_WORDS = {"periodic": "按月收取", "metered": "按表计量", "deposit": "押金（可退）", "one_off": "按次收取",
                  "prepay": "预交"}
PLANS_MAX = 2000


def _paper(paper: str) -> str:
    if paper not in PAPERS:
        raise ValidationError("纸张", f"“{paper}”无效，应为：{'、'.join(PAPERS)}")
    return paper


def fee_poster_data(ctx, paper: str = "A4") -> FeePoster:
    require(ctx, "notices.view")
    rows, services = [], []
    for r in standards(ctx.settings):
        code = r["item_code"]
        if code.startswith("service_"):
            continue
        name = r["item_name"] + (f"（{r['variant']}）" if r["variant"] else "")
        words = r.get("category_words") or CATEGORY_WORDS.get(r["category"], "")   # the office's items say their cycle
        rows.append((name, words, fmt_fen(r["rate_fen"]), r["unit"], r["basis"]))
    g = ctx.settings.get
    for svc in SERVICES:
        services.append((ITEMS[f"service_{svc}"][0], fmt_fen(g(f"service_price.{svc}.owner")),
                         fmt_fen(g(f"service_price.{svc}.market")), "元/次"))
    services.append((ITEMS["service_letting"][0], f"{g('service_price.letting_owner_pct')}%",
                     f"{g('service_price.letting_market_pct')}%", "一个月租金"))
    return FeePoster(standards=tuple(rows), services=tuple(services), office=office_name(ctx),
                     issue_date=cn_date(ctx.clock.today()), office_hours=g("office.hours"),
                     service_phone=g("site.service_phone"), paper=_paper(paper))


def fee_poster_pdf(ctx, paper: str = "A4") -> bytes:
    return render_fee_poster(ctx.settings, fee_poster_data(ctx, paper))


def _in_month(field, start: dt.date, end: dt.date):
    if not isinstance(field, DateTimeField):
        return (field >= start) & (field <= end)
    return (field >= dt.datetime.combine(start, dt.time.min)) & (field < dt.datetime.combine(end, dt.time.min)
                                                                 + dt.timedelta(days=1))


def work_counts(month: str) -> dict:
    """What the office did in the month, counted from the areas' records."""
    from models.movein import Handover
    from models.notices import Notice
    from models.renovation import Renovation, RenovationPatrol
    from models.service import ServiceRequest
    start, end = period_bounds(month)
    by_kind: dict[str, list[int]] = {}
    sr = ServiceRequest
    for kind, status, n in (sr.select(sr.kind, sr.status, fn.COUNT(sr.id))
                            .where(_in_month(sr.received_at, start, end)).group_by(sr.kind, sr.status).tuples()):
        k = by_kind.setdefault(kind, [0, 0])
        k[0] += n
        if status in ("已完成", "已关闭"):
            k[1] += n
    return {"requests": by_kind,
            "patrols": RenovationPatrol.select().where(_in_month(RenovationPatrol.patrol_on, start, end)).count(),
            "renovations": Renovation.select().where(_in_month(Renovation.applied_on, start, end)).count(),
            "handovers": Handover.select().where(Handover.completed_at.is_null(False)
                                                 & _in_month(Handover.completed_at, start, end)).count(),
            "notices": Notice.select().where(Notice.posted_at.is_null(False)
                                             & _in_month(Notice.posted_at, start, end)).count()}


def monthly_report_data(ctx, month: str, plans: str, work: str = "", paper: str = "A4") -> MonthlyReport:
    """The month's report. *plans* (下月工作计划) and *work* (further work of the month) are the
    manager's own lines, in the notice markup ("- " bullets)."""
    require(ctx, "notices.report")
    from app.ledger.reports import collection_rate
    from app.service.kpi import month_report
    y, m = parse_period(month, "月份")
    month = period_str(y, m)
    plans = (plans or "").strip()
    if not plans:
        raise ValidationError("下月工作计划", "不能为空")
    if len(plans) > PLANS_MAX or len(work or "") > PLANS_MAX:
        raise ValidationError("下月工作计划", f"不能超过{PLANS_MAX}个字")
    c = work_counts(month)
    req = c["requests"]
    total = sum(v[0] for v in req.values())
    done = sum(v[1] for v in req.values())
    lines = [f"- 受理业主报事报修、投诉、建议和咨询共{total}件，已办结{done}件；",
             f"- 办理装修申请{c['renovations']}户，装修巡查{c['patrols']}次；",
             f"- 办理入住{c['handovers']}户；",
             f"- 发布公告、通知和温馨提示{c['notices']}份。"]
    work_blocks = parse_body("\n".join(lines) + "\n" + (work or ""))
    requests = [("类别", "受理（件）", "已办结（件）", "办结率")]
    for kind in ("报修", "投诉", "建议", "咨询"):
        n, d = req.get(kind, (0, 0))
        requests.append((kind, str(n), str(d), f"{d * 100 // n}%" if n else "—"))
    requests.append(("合计", str(total), str(done), f"{done * 100 // total}%" if total else "—"))
    kpis = [("服务指标", "本月", "目标", "是否达标")]
    kpis += [(k.name, k.pct_text, k.target_text, k.met_text) for k in month_report(ctx, month).kpis]
    rate, billed_period = collection_rate(ctx, month), month
    for back in range(1, 4):       # the month not billed yet: the latest month that was
        if rate.total.billed_fen:
            break
        billed_period = add_period_months(month, -back)
        rate = collection_rate(ctx, billed_period)
    coll = [("组团", "应收（元）", "实收（元）", "收缴率")]
    coll += [(r.name, fmt_fen(r.billed_fen), fmt_fen(r.collected_fen), r.rate_text) for r in rate.by_cluster]
    t = rate.total
    coll.append(("全小区", fmt_fen(t.billed_fen), fmt_fen(t.collected_fen), t.rate_text))
    by = "本月" if billed_period == month else f"{billed_period}"
    note = (f"收缴率目标 {rate.target_pct}%，统计截至 {ctx.clock.today():%Y-%m-%d}，为{by}计费的各项费用。"
            if rate.total.billed_fen else "本月及前三个月尚无计费。")
    g = ctx.settings.get
    return MonthlyReport(month_text=f"{y}年{m}月", work=work_blocks, requests=tuple(requests), kpis=tuple(kpis),
                         collection=tuple(coll), collection_note=note, plans=parse_body(plans),
                         office=office_name(ctx), issue_date=cn_date(ctx.clock.today()),
                         office_hours=g("office.hours"), service_phone=g("site.service_phone"), paper=_paper(paper))


def monthly_report_pdf(ctx, month: str, plans: str, work: str = "", paper: str = "A4") -> bytes:
    return render_monthly_report(ctx.settings, monthly_report_data(ctx, month, plans, work, paper))
