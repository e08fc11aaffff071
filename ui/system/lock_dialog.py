"""The screen lock after a spell without input (setting security.idle_lock_minutes): owner data
stays hidden until the signed-in user types the password again."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from app.system.accounts import authenticate
from ui.common.ops import run_action


class LockDialog(QDialog):
    def __init__(self, ctx, minutes: int, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("已锁定")
        self.setModal(True)
        self.setMinimumWidth(360)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        user = ctx.user
        title = QLabel(f"{minutes} 分钟无操作，已锁定以保护业主资料。")
        title.setWordWrap(True)
        who = QLabel(f"当前用户：{getattr(user, 'display_name', '')}（{getattr(user, 'username', '')}）")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("请输入密码解锁")
        self.password.returnPressed.connect(self.unlock)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #B00020;")
        unlock = QPushButton("解锁")
        unlock.setDefault(True)
        unlock.clicked.connect(self.unlock)
        quit_ = QPushButton("退出程序")
        quit_.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(quit_)
        row.addWidget(unlock)
        lay = QVBoxLayout(self)
        for w in (title, who, self.password, self.message):
            lay.addWidget(w)
        lay.addLayout(row)

    def unlock(self):
        username = getattr(self.ctx.user, "username", "")
        ok = run_action(self, authenticate, self.ctx, username, self.password.text(), title="未能解锁")
        if ok is None:
            self.password.clear()
            self.message.setText("密码错误，请重试")
            return
        self.accept()

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Escape:  # Esc must not unlock
            return
        super().keyPressEvent(event)
