"""站点密钥恢复单: the site key on paper, for the manager's safe.

Every desk on one shared database needs the same key, and a replaced PC needs it again; without it
the encrypted identity numbers and phones cannot be read. Frozen data in (app.archives.key_sheet
builds it, audits the print), PDF bytes out.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from app.printing.base import FONT_NAME, FormRenderer, esc, grid_style, label_value_table, signature_line

GROUP = 4          # characters of the key printed together
GROUPS_PER_ROW = 4


@dataclass(frozen=True)
class SiteKeySheetData:
    site: str
    site_id: str
    key_text: str
    check_digits: str
    printed_at: str
    printed_by: str
    kept_in: str        # where this PC keeps the key, in words


def key_rows(key_text: str) -> list[list[str]]:
    """The key in groups of GROUP characters, GROUPS_PER_ROW groups a row (each row numbered)."""
    groups = [key_text[i:i + GROUP] for i in range(0, len(key_text), GROUP)]
    rows = [groups[i:i + GROUPS_PER_ROW] for i in range(0, len(groups), GROUPS_PER_ROW)]
    return [[f"第{n}行"] + row + [""] * (GROUPS_PER_ROW - len(row)) for n, row in enumerate(rows, 1)]


PURPOSE = ("本页记载本小区 PropertyDesk 的数据加密密钥。数据库中业主和住户的身份证号、电话均用此密钥加密保存；"
           "密钥保存在每台电脑的系统凭据管理器中，不在数据文件夹和备份里。")
WHEN = ("需要使用本页的情况：① 多台电脑共用一个数据库时，新增的电脑首次使用；② 电脑更换、重装系统或"
        "Windows 账户重建后；③ 程序提示“本机没有本站点的数据加密密钥”时。")
HOW = ("输入方法：在程序启动时出现的“输入站点密钥”对话框中逐组输入下表的密钥和校验码；或由管理员运行 "
       "propertydesk key import，按提示输入。大小写必须一致，字符“-”“_”“=”照抄，组间空格可省略。")
KEEP = ("保管要求：由客服经理签收后放入保险柜或上锁的档案柜；不得拍照、复印、发送，不得与备份U盘放在一起"
        "（两者同时丢失等于泄露全部业主身份证号和电话）。更换经理时随交接清单移交。")


class SiteKeySheet(FormRenderer):
    title = "站点密钥恢复单"

    def story(self, data: SiteKeySheetData) -> list:
        st = self.st
        big = ParagraphStyle("key", fontName=FONT_NAME, fontSize=16, leading=22, alignment=1)
        out = self.title_block("机密 · 仅限客服经理保管")
        out.append(label_value_table([
            ["小区", data.site, "站点编号", data.site_id[:8]],
            ["打印时间", data.printed_at, "打印人", data.printed_by],
        ], [22 * mm, 63 * mm, 22 * mm, 67 * mm]))
        out.append(Spacer(1, 3 * mm))
        out.append(Paragraph("用途", st["h2"]))
        for text in (PURPOSE, WHEN):
            out.append(Paragraph(esc(text), st["body"]))
        out.append(Paragraph("密钥", st["h2"]))
        rows = [[Paragraph(esc(c), st["cell_c"] if i == 0 else big) for i, c in enumerate(r)]
                for r in key_rows(data.key_text)]
        t = Table(rows, colWidths=[18 * mm] + [39 * mm] * GROUPS_PER_ROW, rowHeights=[12 * mm] * len(rows))
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F0F0F0"))]))
        out.append(t)
        out.append(Spacer(1, 3 * mm))
        note = f"共 {len(data.key_text)} 个字符；输入后程序用校验码核对，抄错一个字符即会提示。"
        check = Table([[Paragraph("校验码", st["cell_c"]), Paragraph(esc(data.check_digits), big),
                        Paragraph(esc(note), st["cell"])]],
                      colWidths=[18 * mm, 39 * mm, 117 * mm], rowHeights=[12 * mm])
        check.setStyle(grid_style([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F0F0F0"))]))
        out.append(check)
        out.append(Paragraph("使用与保管", st["h2"]))
        for text in (HOW, KEEP, f"本机目前的保存位置：{data.kept_in}"):
            out.append(Paragraph(esc(text), st["body"]))
            out.append(Spacer(1, 1.5 * mm))
        out.append(Spacer(1, 8 * mm))
        out.append(signature_line(["经理签收", "保管位置", "日期"]))
        return out
