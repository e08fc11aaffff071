"""Printed ledger reports: 收费日报 and 收费率报表 (with a bar chart against the target)."""
from __future__ import annotations

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from app.core.money import daxie, fmt_fen
from app.printing.base import FONT_NAME, FormRenderer, esc, grid_style


class DailyReportForm(FormRenderer):
    title = "收费日报"

    def story(self, r):
        st = self.st
        out = self.title_block(f"日期：{r.day:%Y-%m-%d}")
        head = ["票据号", "类别", "时间", "房号", "交款人", "方式", "金额（元）", "收款人", "状态"]
        rows = [[Paragraph(esc(h), st["cell_c"]) for h in head]]
        for x in r.receipts:
            rows.append([x["number"], x["kind"], x["time"], x["room"], Paragraph(esc(x["payer"]), st["cell"]),
                         x["method"], fmt_fen(x["total_fen"]), x["cashier"], x["status"]])
        t = Table(rows, colWidths=[28 * mm, 17 * mm, 12 * mm, 17 * mm, 22 * mm, 14 * mm, 24 * mm, 18 * mm, 12 * mm],
                  repeatRows=1)
        t.setStyle(grid_style([("FONTSIZE", (0, 1), (-1, -1), 8.5), ("ALIGN", (6, 1), (6, -1), "RIGHT")]))
        out.append(t)
        out.append(Spacer(1, 4 * mm))
        summary = [["收款方式", "金额（元）"]] + [[k, fmt_fen(v)] for k, v in r.by_method]
        items = [["收费项目", "金额（元）"]] + [[k, fmt_fen(v)] for k, v in r.by_item]
        t1 = Table(summary, colWidths=[30 * mm, 30 * mm])
        t1.setStyle(grid_style([("ALIGN", (1, 1), (1, -1), "RIGHT")]))
        t2 = Table(items, colWidths=[45 * mm, 30 * mm])
        t2.setStyle(grid_style([("ALIGN", (1, 1), (1, -1), "RIGHT")]))
        both = Table([[t1, t2]], colWidths=[75 * mm, 95 * mm])
        both.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
        out.append(both)
        out.append(Spacer(1, 4 * mm))
        summary = (f"收据合计 {fmt_fen(r.receipts_fen)} 元；退款 {fmt_fen(r.refunds_fen)} 元；"
                   f"作废 {r.voided} 张；实收净额 {fmt_fen(r.net_fen)} 元（{daxie(r.net_fen)}）")
        out.append(Paragraph(esc(summary), st["h2"]))
        if getattr(r, "reductions", 0):   # reductions approved that day: not cash, their own total
            text = f"减免（经理批准，不计实收）{r.reductions} 笔，合计 {fmt_fen(r.reductions_fen)} 元"
            out.append(Paragraph(esc(text), st["body"]))
        if r.audit_head:   # a checkpoint of the audit chain on paper: propertydesk check --head compares it
            out.append(Paragraph(esc(f"审计链头：{r.audit_head}（请妥善保存本日报；核对：propertydesk check "
                                     f"--head {r.audit_head}）"), st["cell"]))
        out.append(Spacer(1, 10 * mm))
        from app.printing.base import signature_line
        out.append(signature_line(["收款人", "复核人", "日期"]))
        return out


def rate_chart(rows, target_pct: int, width=170 * mm, height=70 * mm) -> Drawing:
    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 14 * mm
    chart.width, chart.height = width - 20 * mm, height - 22 * mm
    chart.data = [[(r.rate_bp or 0) / 100 for r in rows] or [0]]   # no rate (nothing billed): no bar
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontName = FONT_NAME
    chart.categoryAxis.categoryNames = [r.name for r in rows] or [""]
    chart.categoryAxis.labels.fontName = FONT_NAME
    chart.categoryAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#4A7FB5")
    for i, r in enumerate(rows):
        if r.meets_target is False:
            chart.bars[(0, i)].fillColor = colors.HexColor("#D9534F")
    d.add(chart)
    y = chart.y + chart.height * target_pct / 100
    d.add(Line(chart.x, y, chart.x + chart.width, y, strokeColor=colors.HexColor("#2E8B57"), strokeDashArray=[3, 2]))
    d.add(String(chart.x + chart.width - 2, y + 2, f"目标 {target_pct}%", fontName=FONT_NAME, fontSize=8,
                 textAnchor="end", fillColor=colors.HexColor("#2E8B57")))
    return d


class CollectionForm(FormRenderer):
    title = "收费率报表"

    def table(self, rows, first):
        st = self.st
        heads = (first, "户数", "应收（元）", "实收（元）", "收费率", "达标")
        data = [[Paragraph(esc(h), st["cell_c"]) for h in heads]]
        for r in rows:
            data.append([Paragraph(esc(r.name), st["cell"]), str(r.homes), fmt_fen(r.billed_fen),
                         fmt_fen(r.collected_fen), r.rate_text, r.target_text])
        t = Table(data, colWidths=[50 * mm, 16 * mm, 32 * mm, 32 * mm, 22 * mm, 16 * mm], repeatRows=1)
        t.setStyle(grid_style([("ALIGN", (1, 1), (-2, -1), "RIGHT")]))
        return t

    def story(self, rep):
        st = self.st
        out = self.title_block(f"计费月份：{rep.period}　目标收费率：{rep.target_pct}%")
        out.append(Paragraph("按组团", st["h2"]))
        out.append(self.table(list(rep.by_cluster) + [rep.total], "组团"))
        out.append(Spacer(1, 3 * mm))
        out.append(rate_chart(rep.by_cluster, rep.target_pct))
        out.append(Paragraph("按客服管理员", st["h2"]))
        out.append(self.table(list(rep.by_manager) + [rep.total], "客服管理员"))
        out.append(Spacer(1, 3 * mm))
        out.append(rate_chart(rep.by_manager, rep.target_pct))
        return out


def daily_pdf(settings, report) -> bytes:
    return DailyReportForm(settings).render(report)


def collection_pdf(settings, report) -> bytes:
    return CollectionForm(settings).render(report)
