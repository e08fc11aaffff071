"""Sign-in at start: the first run creates the manager account, later runs ask for a password.

Every check runs through ui.common.runner.call_waiting (off the GUI thread): a desk whose sign-in
waits for another desk's lock says 另一台电脑正在保存，请稍候… and keeps painting."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from app import APP_TITLE
from app.core.errors import UserError
from app.system.accounts import authenticate, change_own_password, create_first_manager, needs_first_run
from ui.common.ops import run_action
from ui.common.runner import call_waiting
from ui.system.buttons import chinese_buttons


def _password_edit(name):
    e = QLineEdit()
    e.setEchoMode(QLineEdit.EchoMode.Password)
    e.setObjectName(name)
    return e


class FirstRunDialog(QDialog):
    """No account yet: create the manager (经理) account."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = None
        self.setWindowTitle(f"{APP_TITLE} — 首次使用")
        intro = QLabel("这是本站点第一次启动。请创建经理账号：经理可以新建其他员工的账号并分配角色"
                       "（前台、客服管理员、财务、经理）。密码至少6位，请妥善保管。")
        intro.setWordWrap(True)
        self.username = QLineEdit("manager")
        self.username.setObjectName("username")
        self.display = QLineEdit()
        self.display.setObjectName("display_name")
        self.display.setPlaceholderText("例如：王经理")
        self.password = _password_edit("password")
        self.password2 = _password_edit("password2")
        form = QFormLayout()
        form.addRow("登录名", self.username)
        form.addRow("姓名", self.display)
        form.addRow("密码", self.password)
        form.addRow("确认密码", self.password2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        chinese_buttons(buttons)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("创建并登录")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.resize(420, 260)

    def save(self):
        user = run_action(self, create_first_manager, self.ctx.with_user(None), self.username.text(),
                          self.display.text(), self.password.text(), self.password2.text(), title="账号未创建")
        if user is not None:
            self.user = user
            self.accept()


class LoginDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = None
        self.setWindowTitle(f"{APP_TITLE} — 登录")
        site = QLabel(f"<b>{ctx.settings.get('site.name')}</b> 客服中心")
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = _password_edit("password")
        self.message = QLabel("")
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #C0392B")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("登录名", self.username)
        form.addRow("密码", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        chinese_buttons(buttons)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登录")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(site)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.resize(360, 200)

    def try_login(self):
        try:
            user = call_waiting(self, self.ctx, authenticate,
                                (self.ctx, self.username.text(), self.password.text()), {})
        except UserError as exc:
            self.message.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self.user = user
        self.accept()


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx, parent=None, forced: bool = False):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("修改密码")
        self.old = _password_edit("old")
        self.new = _password_edit("new")
        self.new2 = _password_edit("new2")
        form = QFormLayout()
        if forced:
            note = QLabel("这是经理设置的初始密码，请改为只有您自己知道的密码。")
            note.setWordWrap(True)
            form.addRow(note)
        form.addRow("原密码", self.old)
        form.addRow("新密码", self.new)
        form.addRow("确认新密码", self.new2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        chinese_buttons(buttons)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def save(self):
        if run_action(self, change_own_password, self.ctx, self.old.text(), self.new.text(), self.new2.text(),
                      title="密码未修改") is not None:
            self.accept()


def sign_in(ctx, parent=None):
    """Show the first-run or the login dialog. Returns the signed-in user or None (cancelled)."""
    if needs_first_run():
        dlg = FirstRunDialog(ctx, parent)
        return dlg.user if dlg.exec() == QDialog.DialogCode.Accepted else None
    dlg = LoginDialog(ctx, parent)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    user = dlg.user
    if getattr(user, "must_change_password", False):
        ChangePasswordDialog(ctx.with_user(user), parent, forced=True).exec()
    return user
