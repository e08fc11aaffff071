"""检查数据库 with the chain heads printed on the cashier's daily reports (收费日报: 审计链头 SEQ:MAC).

On a shared PostgreSQL database the program keeps no backup files, so the paper reports are the
checkpoints kept outside the database: the manager types one or more heads (one per line) and the
check compares the audit chain with each (the same as ``propertydesk check --head``)."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout

from app.core.audit_chain import parse_head
from app.core.errors import ValidationError
from app.office.checks import run_checks
from ui.common.ops import info, run_action


def heads_from_text(text: str) -> list[str]:
    """Each non-empty line a head; every one checked (a typing mistake names its line)."""
    heads = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parse_head(line)
        except ValidationError as exc:
            raise ValidationError(f"审计链头（第 {n} 行）", str(exc).split("：", 1)[-1]) from None
        heads.append(line.strip())
    if not heads:
        raise ValidationError("审计链头", "请输入收费日报上印的审计链头（如 1234:0123456789abcdef）")
    return heads


class HeadCheckDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("核对日报上的审计链头")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("请输入收费日报上印的“审计链头”（序号:校验码），每行一个。\n"
                             "程序将用它们核对审计日志：被删除、截断或重新计算的记录会被发现。"))
        self.heads = QPlainTextEdit()
        self.heads.setPlaceholderText("例如 1234:0123456789abcdef")
        lay.addWidget(self.heads)
        buttons = QDialogButtonBox()
        self.check_button = buttons.addButton("核对", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.result_text = ""

    def check(self):
        ctx = self.window_.ctx
        try:
            heads = heads_from_text(self.heads.toPlainText())
        except ValidationError as exc:
            info(self, str(exc), "审计链头有误")
            return
        checks = run_action(self, run_checks, ctx, heads, title="检查未完成")
        if checks is None:
            return
        lines = [line for c in checks for line in c.lines()]
        bad = sum(1 for c in checks if not c.ok)
        lines.append("全部通过" if not bad else f"{bad} 项发现问题")
        self.result_text = "\n".join(lines)
        info(self, self.result_text, "数据库检查")
        self.accept()
