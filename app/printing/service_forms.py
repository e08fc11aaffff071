"""Printed forms of the service area: the work order (工作单/派工单) and the monthly service report
(月度客户服务报告: KPI table with targets, a bar chart drawn with reportlab.graphics, counts,
open requests). Print data is frozen first (build_*), then rendered."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from app.core.money import fmt_fen
from app.core.privacy import mask_phone
from app.printing.base import FONT_NAME, FormRenderer, esc, grid_style, label_value_table, signature_line


def _t(value: dt.datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


# --------------------------------------------------------------------------- work order
@dataclass(frozen=True)
class WorkOrderData:
    number: str
    kind: str
    channel: str
    room_code: str
    caller: str
    phone_masked: str
    content: str
    received_at: str
    receiver: str
    dispatch_due: str
    handler: str
    dispatched_at: str
    arrival_due: str
    arrived_at: str
    completed_at: str
    result: str
    paid_service: str
    charge: str
    level: str
    complaint: str
    events: tuple
    complaint_times: tuple = ()   # complaints: (contact due, contacted, reply due, replied, report due)


def build_work_order(ctx, request_id: int) -> WorkOrderData:
    from app.core.permissions import require
    from app.service import requests as sr
    from app.service.requests import PAID_SERVICES
    require(ctx, "service.view")
    r = sr.get(request_id)
    due = sr.arrival_due(ctx, r)
    lvl = sr.level_at(ctx, r)
    complaint = ""
    complaint_times = ()
    if r.kind == "投诉":
        from app.service import complaints as cp
        complaint = f"{r.complaint_class}类 · 主题：{r.subject} · {r.grade}" + (f"（{r.grade_reason}）" if r.grade_reason else "")
        complaint_times = (_t(cp.contact_due(ctx, r)), _t(r.contacted_at), _t(cp.reply_due(ctx, r)), _t(r.replied_at),
                           _t(cp.report_due(ctx, r)))
    events = tuple((f"{e.ts:%m-%d %H:%M}", e.kind, e.note) for e in sr.history(r.id))
    return WorkOrderData(
        number=r.number, kind=r.kind, channel=r.channel, room_code=r.home.room_code, caller=r.caller,
        phone_masked=mask_phone(r.phone), content=r.content, received_at=_t(r.received_at),
        receiver=r.receiver.display_name, dispatch_due=_t(sr.dispatch_due(ctx, r)), handler=r.handler,
        dispatched_at=_t(r.dispatched_at), arrival_due=_t(due) if due else f"派工后{ctx.settings.get('request.arrival_minutes')}分钟内",
        arrived_at=_t(r.arrived_at), completed_at=_t(r.completed_at), result=r.result,
        paid_service=PAID_SERVICES.get(r.service_item, "其他" if r.service_item else "无"),
        charge=(fmt_fen(r.charge_fen) + " 元") if r.charge_fen else "",
        level=sr.holder_name(ctx, r, lvl) if r.status in ("待派工", "已派工", "处理中") else sr.status_label(r.kind, r.status),
        complaint=complaint, events=events, complaint_times=complaint_times)


class WorkOrderForm(FormRenderer):
    title = "客户服务工作单（派工单）"

    def story(self, d: WorkOrderData):
        w = 174 * mm
        cw = [w * 0.15, w * 0.35, w * 0.15, w * 0.35]
        rows = [
            ["类别", d.kind, "受理方式", d.channel],
            ["房号", d.room_code, "报事人", d.caller],
            ["联系电话", d.phone_masked, "受理时间", d.received_at],
            ["首问责任人", d.receiver, "当前责任", d.level],
        ]
        if d.complaint:
            rows.append(["投诉定级", d.complaint, "", ""])
        out = self.title_block(f"编号 {d.number}")
        t = label_value_table(rows, cw, st=[("SPAN", (1, 4), (3, 4))] if d.complaint else [])
        out += [t, Spacer(1, 2 * mm)]
        out.append(label_value_table([["报事内容", d.content]], [w * 0.15, w * 0.85]))
        out.append(Spacer(1, 3 * mm))
        if d.complaint_times:      # complaints are contacted and answered, not dispatched
            contact_due, contacted, reply_due, replied, report_due = d.complaint_times
            out.append(Paragraph("联系与答复", self.st["h2"]))
            out.append(label_value_table([
                ["联系时限", contact_due, "联系时间", contacted],
                ["答复时限", reply_due, "答复时间", replied],
                ["上报时限", report_due, "完成时间", d.completed_at],
            ], cw))
        else:
            out.append(Paragraph("派工与处理", self.st["h2"]))
            out.append(label_value_table([
                ["处理人", d.handler, "派工时间", d.dispatched_at],
                ["派工时限", d.dispatch_due, "到场时限", d.arrival_due],
                ["到场时间", d.arrived_at, "完成时间", d.completed_at],
                ["有偿服务", d.paid_service, "收费金额", d.charge],
            ], cw))
        out.append(label_value_table([["处理结果", d.result or "\n\n"]], [w * 0.15, w * 0.85]))
        if d.events:
            out.append(Paragraph("处理记录", self.st["h2"]))
            data = [["时间", "事项", "说明"]] + [[Paragraph(esc(c), self.st["cell"]) for c in e] for e in d.events]
            t = Table(data, colWidths=[w * 0.16, w * 0.12, w * 0.72], repeatRows=1)
            t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
            out.append(t)
        out.append(Spacer(1, 6 * mm))
        out.append(signature_line(["业主签字", "维修人员签字"], w))
        out.append(signature_line(["客服签字", "日期"], w))
        out.append(Spacer(1, 3 * mm))
        out.append(Paragraph(esc("说明：维修完成后请业主签字确认；有偿服务按公示的业主价收费，费用记入收费台账。"),
                             self.st["small"]))
        return out


def work_order_pdf(ctx, request_id: int) -> bytes:
    d = build_work_order(ctx, request_id)
    return WorkOrderForm(ctx.settings, d.number).render(d)


# --------------------------------------------------------------------------- monthly report
@dataclass(frozen=True)
class ServiceReportData:
    month: str
    site: str
    kpis: tuple          # (name, num, den, pct_text, target_text, met_text)
    chart: tuple         # (short name, actual in 0.1 %, target in 0.1 %, met True/False/None)
    by_kind: tuple
    by_class: tuple
    by_grade: tuple
    total: int
    finished: int
    charges: str
    homes: int
    open_rows: tuple
    printed_at: str


SHORT = {"valid_complaint_rate": "有效投诉率", "complaint_ontime": "投诉及时", "complaint_visit": "投诉回访",
         "complaint_satisfaction": "投诉满意", "request_ontime": "报事及时", "request_visit": "报事回访",
         "request_satisfaction": "报事满意"}


def build_service_report(ctx, month: str) -> ServiceReportData:
    from app.service.kpi import month_report
    rep = month_report(ctx, month)
    kpis = tuple((k.name, k.num, k.den, k.pct_text, k.target_text, k.met_text) for k in rep.kpis)
    chart = tuple((SHORT[k.code], int(k.pct * 10) if k.pct is not None else 0, int(k.target * 10), k.met)
                  for k in rep.kpis if k.code != "valid_complaint_rate")
    return ServiceReportData(
        month=month, site=ctx.settings.get("site.name"), kpis=kpis, chart=chart,
        by_kind=tuple(rep.by_kind.items()), by_class=tuple(rep.by_class.items()), by_grade=tuple(rep.by_grade.items()),
        total=rep.total, finished=rep.finished, charges=fmt_fen(rep.charges_fen), homes=rep.homes,
        open_rows=tuple((n, room, kind, _t(recv), level, status) for n, room, kind, recv, level, status in rep.open_rows),
        printed_at=_t(ctx.clock.now()))


def kpi_chart(chart, width=170 * mm, height=52 * mm) -> Drawing:
    """Bars of the actual rates (green met, red not met) beside their targets (grey), in percent."""
    d = Drawing(width, height, initialFontName=FONT_NAME, initialFontSize=8)
    bc = VerticalBarChart()
    bc.x, bc.y, bc.width, bc.height = 12 * mm, 12 * mm, width - 40 * mm, height - 18 * mm
    bc.data = [[c[1] / 10 for c in chart], [c[2] / 10 for c in chart]]
    bc.valueAxis.valueMin, bc.valueAxis.valueMax, bc.valueAxis.valueStep = 0, 100, 20
    bc.valueAxis.labels.fontName = FONT_NAME
    bc.valueAxis.labels.fontSize = 7
    bc.categoryAxis.categoryNames = [c[0] for c in chart]
    bc.categoryAxis.labels.fontName = FONT_NAME
    bc.categoryAxis.labels.fontSize = 8
    bc.bars[0].fillColor = colors.HexColor("#2E7D32")
    bc.bars[1].fillColor = colors.HexColor("#BDBDBD")
    for i, c in enumerate(chart):
        if len(c) > 3 and c[3] is False:
            bc.bars[(0, i)].fillColor = colors.HexColor("#C62828")
    bc.barSpacing = 1
    bc.groupSpacing = 8
    d.add(bc)
    lg = Legend()
    lg.x, lg.y = width - 28 * mm, height - 8 * mm
    lg.fontName, lg.fontSize = FONT_NAME, 8
    lg.colorNamePairs = [(colors.HexColor("#2E7D32"), "实际·达标"), (colors.HexColor("#C62828"), "实际·未达标"),
                         (colors.HexColor("#BDBDBD"), "目标(%)")]
    d.add(lg)
    return d


class ServiceReportForm(FormRenderer):
    title = "月度客户服务报告"

    def story(self, d: ServiceReportData):
        w = 174 * mm
        out = self.title_block(f"{d.site} · {d.month} · 打印时间 {d.printed_at}")
        out.append(Paragraph(esc(f"本月受理 {d.total} 件，已完成 {d.finished} 件；有偿服务收费 {d.charges} 元；"
                                 f"住户总数 {d.homes} 户。"), self.st["body"]))
        out.append(Paragraph("服务质量指标", self.st["h2"]))
        data = [["指标", "分子", "分母", "实际", "目标", "结论"]] + [list(map(str, k)) for k in d.kpis]
        t = Table(data, colWidths=[w * 0.32, w * 0.1, w * 0.1, w * 0.16, w * 0.16, w * 0.16], repeatRows=1)
        extra = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0")), ("ALIGN", (1, 0), (-1, -1), "CENTER")]
        for i, k in enumerate(d.kpis, start=1):
            if k[5] == "未达标":
                extra.append(("TEXTCOLOR", (5, i), (5, i), colors.red))
        t.setStyle(grid_style(extra))
        out += [t, Spacer(1, 3 * mm), kpi_chart(d.chart, w)]
        out.append(Paragraph("受理分类", self.st["h2"]))
        row_k = [[k for k, _ in d.by_kind], [str(v) for _, v in d.by_kind]]
        t = Table(row_k, colWidths=[w / len(d.by_kind)] * len(d.by_kind))
        t.setStyle(grid_style([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
        out.append(t)
        out.append(Spacer(1, 2 * mm))
        heads = [c for c, _ in d.by_class] + [g for g, _ in d.by_grade]
        vals = [str(v) for _, v in d.by_class] + [str(v) for _, v in d.by_grade]
        t = Table([heads, vals], colWidths=[w / len(heads)] * len(heads))
        t.setStyle(grid_style([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
        out.append(Paragraph("投诉类别与等级", self.st["h2"]))
        out.append(t)
        tail = [Paragraph(f"未完成事项（{len(d.open_rows)} 件）", self.st["h2"])]
        if d.open_rows:
            data = [["编号", "房号", "类别", "受理时间", "当前责任", "状态"]] + [list(r) for r in d.open_rows]
            t = Table(data, colWidths=[w * 0.2, w * 0.12, w * 0.1, w * 0.22, w * 0.2, w * 0.16], repeatRows=1)
            t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
            tail.append(t)
        else:
            tail.append(Paragraph("无", self.st["body"]))
        sign = [Spacer(1, 6 * mm), Paragraph(esc("本报告由系统根据受理、派工、回访记录生成。"), self.st["small"]),
                signature_line(["编制", "审核（客服经理）"], w)]
        # a short list stays on the page of its signatures; a long one flows and the signatures follow it
        out += [KeepTogether(tail + sign)] if len(d.open_rows) <= 12 else tail + [KeepTogether(sign)]
        return out


def service_report_pdf(ctx, month: str) -> bytes:
    d = build_service_report(ctx, month)
    return ServiceReportForm(ctx.settings, f"KF{month}").render(d)
