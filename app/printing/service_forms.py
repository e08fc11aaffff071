"""Printed forms of the service area: the work order (工作单/派工单) and the monthly service report
(月度客户服务报告: KPI table with targets, a bar chart drawn with reportlab.graphics, counts,
open requests). Pure renderers: app.service.forms builds the frozen data (permissions, the
caller's phone as the role may print it, times as text) and offers work_order_pdf(ctx, …) and
service_report_pdf(ctx, …)."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from app.printing.base import FONT_NAME, FormRenderer, esc, grid_style, label_value_table, signature_line

CHART_MET = 3                 # index of the met flag in a chart entry
LONG_OPEN_LIST = 12           # more open requests than this flow over pages before the signatures


# --------------------------------------------------------------------------- work order
@dataclass(frozen=True)
class WorkOrderData:
    number: str
    kind: str
    channel: str
    room_code: str
    caller: str
    phone: str                    # in full for the technician (app.service.forms.work_order_phone)
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


class WorkOrderForm(FormRenderer):
    title = "客户服务工作单（派工单）"

    def story(self, d: WorkOrderData):
        w = 174 * mm
        cw = [w * 0.15, w * 0.35, w * 0.15, w * 0.35]
        rows = [
            ["类别", d.kind, "受理方式", d.channel],
            ["房号", d.room_code, "报事人", d.caller],
            ["联系电话", d.phone, "受理时间", d.received_at],
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


def render_work_order(settings, d: WorkOrderData) -> bytes:
    return WorkOrderForm(settings, d.number).render(d)


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
        if len(c) > CHART_MET and c[CHART_MET] is False:
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
        t.setStyle(grid_style([("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
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
        out += [KeepTogether(tail + sign)] if len(d.open_rows) <= LONG_OPEN_LIST else tail + [KeepTogether(sign)]
        return out


def render_service_report(settings, d: ServiceReportData) -> bytes:
    return ServiceReportForm(settings, f"KF{d.month}").render(d)
