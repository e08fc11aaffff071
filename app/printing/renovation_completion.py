"""At the end: 装修竣工验收表 and 装修保证金退还单."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from app.core.money import daxie
from app.printing.base import esc, grid_style, label_value_table, signature_line
from app.printing.renovation_common import COLS4, RenoHead, RenovationForm, head_rows, yuan


@dataclass(frozen=True)
class CompletionData:
    head: RenoHead
    permit: str
    finished_on: str
    first_due: str
    first: str
    first_on: str
    first_by: str
    second_due: str
    second: str
    second_on: str
    second_by: str
    passes: tuple[tuple[str, str, str], ...]   # name, card, state
    open_notices: int


CHECK_ITEMS = ("承重结构、外立面未改动", "防水层完好，闭水无渗漏", "给排水管道无渗漏", "电气线路规范，无私拉乱接",
               "燃气管道未改动", "消防设施完好", "公共部位无损坏", "装修垃圾已清运", "空调外机按规定位置安装")


class CompletionForm(RenovationForm):
    title = "装修竣工验收表"

    def story(self, d: CompletionData):
        out = self.title_block(f"申请编号 {d.head.number}　装修许可证 {d.permit}")
        out.append(label_value_table(head_rows(d.head) + [["完工日期", d.finished_on, "初验期限", d.first_due]], COLS4))
        out.append(self.h2("验收项目"))
        c = self.st["cell"]
        rows = [[Paragraph(x, self.st["cell_c"]) for x in ("序号", "项目", "初验", "复验")]]
        rows += [[str(i), Paragraph(esc(item), c), "□合格 □不合格", "□合格 □不合格"]
                 for i, item in enumerate(CHECK_ITEMS, 1)]
        t = Table(rows, colWidths=[12 * mm, 86 * mm, 38 * mm, 38 * mm])
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
        out.append(t)
        out.append(self.h2("验收结论"))
        out.append(label_value_table([["初验结论", d.first or "", "初验日期/人", f"{d.first_on} {d.first_by}"],
                                      ["复验日期", d.second_due, "复验结论", d.second or ""],
                                      ["复验人", f"{d.second_on} {d.second_by}",
                                       "未关闭通知单", f"{d.open_notices} 张"]], COLS4))
        if d.passes:
            out.append(self.h2("出入证收回"))
            names = "　".join(f"{n}（{c}证）{s}" for n, c, s in d.passes)
            out.append(label_value_table([["姓名", names]], [26 * mm, 148 * mm]))
        out.append(signature_line(["业主签字", "施工负责人签字"]))
        out.append(signature_line(["工程部验收人", "客服中心"]))
        return out


@dataclass(frozen=True)
class RefundData:
    head: RenoHead
    deposit: int
    deductions: tuple[tuple[str, int], ...]
    refund: int
    refunded_on: str
    refunded_by: str
    voucher: str
    reason: str           # 复验合格 / 放弃装修：…
    pass_refunds: tuple[tuple[str, int], ...]


class RefundForm(RenovationForm):
    title = "装修保证金退还单"

    def story(self, d: RefundData):
        out = self.title_block(f"申请编号 {d.head.number}" + (f"　退款凭证 {d.voucher}" if d.voucher else ""))
        out.append(label_value_table(head_rows(d.head) + [["退还事由", d.reason, "退还日期", d.refunded_on]], COLS4))
        out.append(self.h2("保证金结算"))
        rows = [["已缴装修保证金", yuan(d.deposit)]]
        for i, (reason, fen) in enumerate(d.deductions, 1):
            rows.append([f"扣除 {i}：{reason}", f"-{yuan(fen)}"])
        rows.append(["扣除合计", yuan(sum(f for _r, f in d.deductions))])
        rows.append(["实退金额", f"{yuan(d.refund)}（大写：{daxie(d.refund)}）"])
        out.append(label_value_table(rows, [60 * mm, 114 * mm]))
        if d.pass_refunds:
            out.append(self.h2("出入证押金退还"))
            out.append(label_value_table([[n, yuan(f)] for n, f in d.pass_refunds], [60 * mm, 114 * mm]))
        out.append(Spacer(1, 3 * mm))
        out.append(self.p(f"经办：{d.refunded_by}"))
        out.append(signature_line(["业主签收", "财务", "客服经理"]))
        return out
