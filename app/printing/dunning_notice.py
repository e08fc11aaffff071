"""欠费二次通知单 and 欠费三次通知单 (with the late fee): one A4 page per household, batched
per building, for posting on the door."""
from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table

from ..money import daxie, fmt_fen
from .base import FormRenderer, esc, grid_style

TITLES = {2: "欠费二次通知单", 3: "欠费三次通知单"}


class DunningNotices(FormRenderer):
    title = "欠费通知单"
    count_pages = False

    def story(self, notices):
        out = []
        for i, n in enumerate(notices):
            if i:
                out.append(PageBreak())
            out += self.one(n)
        if not notices:
            out.append(Paragraph("没有欠费住户。", self.st["body"]))
        return out

    def one(self, n):
        st = self.st
        out = [Paragraph(esc(TITLES[n.stage]), st["title"]),
               Paragraph(esc(f"编号：{n.number}　　日期：{n.date}"), st["small"]), Spacer(1, 3 * mm),
               Paragraph(esc(f"尊敬的 {n.building} {n.room_code} 业主（{n.owners}）："), st["body"]), Spacer(1, 2 * mm)]
        text = (f"经核对，截至 {n.date}，您尚有以下费用未缴纳，合计 {fmt_fen(n.owed_fen)} 元"
                + (f"，按日 {(self.settings.decimal('dunning.late_fee_daily_rate') * 100).normalize():f}% 计滞纳金 "
                   f"{fmt_fen(n.late_fee_fen)} 元" if n.stage == 3 else "") + "。")
        out.append(Paragraph(esc(text), st["body"]))
        out.append(Spacer(1, 3 * mm))
        head = ["收费项目", "所属月份", "应缴日期", "欠费金额（元）"] + (["滞纳金（元）"] if n.stage == 3 else [])
        rows = [[Paragraph(esc(h), st["cell_c"]) for h in head]]
        for it in n.items:
            row = [it.name, it.period, it.due_date, fmt_fen(it.owed_fen)] + ([fmt_fen(it.late_fee_fen)] if n.stage == 3 else [])
            rows.append(row)
        total = n.owed_fen + n.late_fee_fen
        rows.append(["合计", "", "", fmt_fen(n.owed_fen)] + ([fmt_fen(n.late_fee_fen)] if n.stage == 3 else []))
        widths = [50 * mm, 28 * mm, 30 * mm, 32 * mm] + ([30 * mm] if n.stage == 3 else [])
        t = Table(rows, colWidths=widths, repeatRows=1)
        t.setStyle(grid_style([("ALIGN", (3, 1), (-1, -1), "RIGHT"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
        out.append(t)
        out.append(Spacer(1, 3 * mm))
        out.append(Paragraph(esc(f"应缴合计：{fmt_fen(total)} 元（{daxie(total)}）"), st["h2"]))
        out.append(Paragraph(esc(f"请于 {n.pay_by} 前到客户服务中心收银处缴纳（可现金、银行卡或转账）。"
                                 "如已缴纳，请忽略本通知；如有疑问，请与您的客服管家联系。"), st["body"]))
        if n.stage == 3:
            out.append(Spacer(1, 2 * mm))
            out.append(Paragraph(esc("逾期仍未缴纳的，物业服务中心将按《前期物业服务协议》约定继续计收滞纳金，并上门催缴。"),
                                 st["body"]))
        if n.bases:
            out.append(Spacer(1, 3 * mm))
            out.append(Paragraph("收费依据：", st["small"]))
            for name, basis in n.bases:
                out.append(Paragraph(esc(f"{name}：{basis}"), st["small"]))
        out.append(Spacer(1, 10 * mm))
        out.append(Paragraph(esc(f"{self.settings.get('site.name')} 客户服务中心"), st["body"]))
        out.append(Paragraph(esc(n.date), st["body"]))
        return out


def render_notices(settings, notices) -> bytes:
    return DunningNotices(settings).render(list(notices))
