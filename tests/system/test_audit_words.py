"""Words, not codes: every action code that app/ records has a Chinese label, and the audit log shows
a real payment as who, when, 操作, 对象 and 字段：修改前 → 修改后 in Chinese."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from app.core import audit_words as words
from app.ledger import billing, payments
from tests.helpers.ledger import make_site

ROOT = Path(__file__).resolve().parents[2]
# the codes built at run time: the f-string or expression as written → the codes it can give
DYNAMIC = {
    "f'movein.{step}'": {f"movein.{s}" for s in ("identity", "agreements", "payment", "inspection", "keys")},
    "f'pii.reveal_{what}'": {"pii.reveal_id", "pii.reveal_phone"},
    "f'dunning.notice{stage}'": {"dunning.notice2", "dunning.notice3"},
    "'parking.sell' if kind == SELL else 'parking.rent'": {"parking.sell", "parking.rent"},
    "'ledger.charge_item_add' if before is None else 'ledger.charge_item_edit'": {"ledger.charge_item_add",
                                                                                "ledger.charge_item_edit"},
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def recorded_actions() -> tuple[set[str], list[str]]:
    """(codes passed to audit.record / save_changes anywhere in app/, expressions not understood)."""
    codes, unknown = set(), []
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            where = {"record": 1, "save_changes": 3}.get(name)
            if where is None or len(node.args) <= where:
                continue
            arg = node.args[where]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                codes.add(arg.value)
            elif ast.unparse(arg) in DYNAMIC:
                codes |= DYNAMIC[ast.unparse(arg)]
            elif path.name != "audit.py":      # audit.save_changes passes its own parameter on
                unknown.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(arg)}")
    return codes, unknown


def test_every_recorded_action_has_a_chinese_label():
    codes, unknown = recorded_actions()
    assert not unknown, "action codes built at run time: list their codes in DYNAMIC\n" + "\n".join(unknown)
    assert len(codes) > 100     # the scan finds the calls (a broken scan would pass vacuously)
    missing = sorted(c for c in codes if c not in words.ACTION_LABELS)
    assert not missing, f"no Chinese label for: {missing}"
    assert all(CJK.search(label) for label in words.ACTION_LABELS.values())


def test_entities_and_model_fields_have_labels():
    import models
    codes_entities = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "record"
                    and len(node.args) > 2 and isinstance(node.args[2], ast.Constant)):
                codes_entities.add(node.args[2].value)
    assert codes_entities and not sorted(e for e in codes_entities if e not in words.ENTITY_LABELS)
    fields = {f for m in models.all_models() for f in m._meta.fields} - words.HIDDEN_FIELDS
    assert not sorted(f for f in fields if not CJK.search(words.field_label(f)))


def test_unknown_codes_fall_back_and_values_read_as_words():
    assert words.action_label("x.unknown") == "x.unknown" and words.action_label("ledger.pay") == "收款开票"
    assert words.field_label("fee.parking_above")  != "fee.parking_above"      # a site setting's own label
    lines = words.change_lines('{"amount_fen": 1000, "active": true, "role": "cashier"}',
                               '{"amount_fen": 12345, "active": false, "role": "manager"}')
    assert lines == ["金额：¥10.00 → ¥123.45", "启用：是 → 否", "角色：财务 → 经理"]
    assert words.change_lines("", "") == []


def test_every_charge_source_reads_as_a_desk():
    """Each source a charge or payment is written with (source="…", SOURCE = "…") has its word."""
    import re
    from pathlib import Path
    app_dir = Path(__file__).resolve().parents[2] / "app"
    found = set()
    for path in app_dir.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'\bsource="([a-z_]+)"', text)) | set(re.findall(r'\bSOURCE = "([a-z_]+)"', text))
    assert found >= {"billing", "loan", "renovation", "service"}
    assert not found - set(words.SOURCE_WORDS), sorted(found - set(words.SOURCE_WORDS))
    assert words.change_lines("", '{"source": "service"}') == ["来源：报事投诉"]


def test_audit_dialog_shows_a_real_payment_in_chinese(qtbot, ctx, users):
    from models.ledger import Charge
    from ui.system.audit_dialog import AuditDialog
    homes = make_site(ctx, users)
    billing.run_month(ctx, "2026-11")
    charge = Charge.select().where(Charge.home == homes["5-101"].id).order_by(Charge.id).first()
    receipt = payments.pay(ctx, homes["5-101"].id, [charge.id], "现金", "业主1")
    dlg = AuditDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    rows = dlg.model.rows
    pay_row = next(r for r in rows if r[3] == "收款开票")
    assert pay_row[2] == ctx.user.display_name                      # who: the name, not the login
    assert pay_row[4] == f"收据 {receipt.id}（5-101）"
    assert f"编号：{receipt.number}" in pay_row[5] and "付款方式：现金" in pay_row[5]
    assert f"合计：¥{charge.amount_fen / 100:,.2f}" in pay_row[5]
    assert "{" not in pay_row[5] and "_fen" not in pay_row[5]
    bill_row = next(r for r in rows if r[3] == "月度计费")
    assert bill_row[4] == "月度计费 2026-11"
    assert "各项笔数：" in bill_row[5] and "物业服务费 5" in bill_row[5] and "明细：7 笔" in bill_row[5]
    assert not re.search(r"[a-z]{2}", bill_row[5]), bill_row[5]
    # the filter takes the Chinese of an action, typed into the field (Chinese comes through the input method)
    dlg.filter.clear()
    dlg.filter.setFocus()
    typed = QInputMethodEvent()
    typed.setCommitString("收款")
    QApplication.sendEvent(dlg.filter, typed)
    assert dlg.filter.text() == "收款"
    qtbot.keyClick(dlg.filter, Qt.Key.Key_Return)
    assert dlg.model.rowCount() >= 1 and {r[3] for r in dlg.model.rows} == {"收款开票"}
