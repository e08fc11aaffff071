"""计费数量…: the counts of the office's per-count items (电动车充电桩管理费 8.00 元/辆·月, 宠物管理费 …)
for the ledger's home — one spin box (0–99) per item, the month they hold from, a memo — saved by
app.ledger.item_counts.set_counts (cashier or manager, one transaction, audited). The monthly run
then bills count × rate. The button sits on the 费用明细 bar through ui.ledger.home_actions."""
from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from app.core.dates import period_of
from app.core.money import fmt_fen
from app.core.permissions import allowed
from app.ledger import item_counts
from ui.common.forms import Field, FormDialog
from ui.common.icons import icon
from ui.common.ops import info, run_action


class CountDialog(FormDialog):
    """One spin box per per-count item, 起始月份 and 备注; 保存 writes the changed counts."""

    ok_text = "保存"
    inline_errors = True

    def __init__(self, ctx, home_id, room_code: str, rows: list[dict], parent=None):
        fields = [Field(r["code"], f"{r['name']}（{fmt_fen(r['rate_fen'])} {r['unit']}）", "int", r["count"])
                  for r in rows]
        fields += [Field("start", "起始月份", default=period_of(ctx.clock.today()), required=True,
                         placeholder="如 2026-12：新数量自该月起计费"),
                   Field("memo", "备注", placeholder="如 新增一辆电动车")]
        super().__init__(f"计费数量 {room_code}", fields, parent=parent, ctx=ctx,
                         intro="按数量计费的项目：填写本户的数量（0 表示不再计费），自起始月份起由月度计费按"
                               "“单价 × 数量”计收；已计费的月份不变。")
        self.home_id = home_id
        self.codes = [r["code"] for r in rows]
        for r in rows:
            spin = self.widget(r["code"])
            spin.setRange(0, item_counts.MAX_COUNT)
            spin.setSuffix(f" {r['noun']}")

    def call(self):
        v = self.values()
        return item_counts.set_counts(self.ctx, self.home_id, {c: v[c] for c in self.codes}, v["start"], v["memo"])


def open_counts(tab):
    """The 计费数量… button: the dialog for the tab's home (window-modal); the ledger refreshed on save."""
    if tab.home_id is None:
        info(tab, "请先查找房屋")
        return None
    rows = run_action(tab, item_counts.home_counts, tab.ctx, tab.home_id)
    if rows is None:
        return None
    if not rows:
        info(tab, "本小区还没有按数量计费的收费项目。请经理在“月度计费与收费标准 › 收费项目…”中新增，"
                  "计算方式选“按数量”。")
        return None
    h = tab.header_data or {}
    dlg = CountDialog(tab.ctx, tab.home_id, h.get("room_code", ""), rows, tab)
    dlg.finished.connect(lambda result: _saved(tab) if result else None)
    tab.count_dialog = dlg
    dlg.open()
    return dlg


def _saved(tab):
    tab.written()


def buttons(tab) -> list:
    b = QPushButton(icon("edit"), "计费数量…")
    b.setObjectName("ledger_item_counts")
    b.setToolTip("本户按数量计费项目的数量（如电动车充电桩、宠物），月度计费按单价 × 数量计收")
    b.setEnabled(allowed(tab.ctx.user.role, "ledger.bill"))
    b.clicked.connect(lambda: open_counts(tab))
    return [b]
