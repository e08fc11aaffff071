"""Account management for the manager: list, new account, edit role/name, reset password, disable."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from app.system import accounts
from app.system.dbguard import run_write
from models.users import ROLES
from ui.common.icons import icon
from ui.common.ops import confirm, info, run_action
from ui.system.table_models import TupleModel


def _zh(buttons):
    """Chinese texts on the standard buttons (whatever Qt translation is loaded)."""
    from PySide6.QtWidgets import QDialogButtonBox as B
    for std, text in ((B.StandardButton.Ok, "确定"), (B.StandardButton.Cancel, "取消"), (B.StandardButton.Save, "保存")):
        b = buttons.button(std)
        if b is not None:
            b.setText(text)



class UserEditDialog(QDialog):
    """New account (user=None) or edit an existing one. The input stays when saving fails."""

    def __init__(self, ctx, user=None, parent=None):
        super().__init__(parent)
        self.ctx, self.user, self.saved = ctx, user, None
        self.setWindowTitle("新建账号" if user is None else f"编辑账号 {user.username}")
        self.username = QLineEdit(getattr(user, "username", ""))
        self.username.setObjectName("username")
        self.username.setReadOnly(user is not None)
        self.display = QLineEdit(getattr(user, "display_name", ""))
        self.display.setObjectName("display_name")
        self.role = QComboBox()
        self.role.setObjectName("role")
        for key, label in ROLES.items():
            self.role.addItem(label, key)
        if user is not None:
            self.role.setCurrentIndex(list(ROLES).index(user.role))
        self.phone = QLineEdit(getattr(user, "phone", ""))
        self.phone.setObjectName("phone")
        form = QFormLayout()
        form.addRow("登录名", self.username)
        form.addRow("姓名", self.display)
        form.addRow("角色", self.role)
        form.addRow("联系电话", self.phone)
        self.password = None
        if user is None:
            self.password = QLineEdit()
            self.password.setObjectName("password")
            self.password.setEchoMode(QLineEdit.EchoMode.Password)
            self.password.setPlaceholderText("至少6位；首次登录时本人修改")
            form.addRow("初始密码", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        _zh(buttons)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.resize(380, 220)

    def save(self):
        if self.user is None:
            result = run_action(self, run_write, self.ctx, accounts.create_user, self.ctx, self.username.text(),
                                self.display.text(), self.role.currentData(), self.password.text(), self.phone.text(),
                                title="账号未保存")
        else:
            result = run_action(self, run_write, self.ctx, accounts.update_user, self.ctx, self.user.id,
                                display_name=self.display.text(), role=self.role.currentData(),
                                phone=self.phone.text(), title="账号未保存")
        if result is not None:
            self.saved = result
            self.accept()


class ResetPasswordDialog(QDialog):
    def __init__(self, ctx, user, parent=None):
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        self.setWindowTitle(f"重设密码：{user.display_name}（{user.username}）")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("新密码", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        _zh(buttons)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def save(self):
        if run_action(self, run_write, self.ctx, accounts.reset_password, self.ctx, self.user.id,
                      self.password.text(), title="密码未重设") is not None:
            self.accept()


class UsersDialog(QDialog):
    HEADERS = ["登录名", "姓名", "角色", "联系电话", "状态", "最近登录"]

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("账号管理")
        self.model = TupleModel(self.HEADERS, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().hide()
        self.view.doubleClicked.connect(lambda _i: self.edit())
        bar = QHBoxLayout()
        for text, ic, slot in (("新建账号", "add", self.add), ("编辑", "edit", self.edit),
                               ("重设密码", "user", self.reset), ("停用/启用", "delete", self.toggle)):
            b = QPushButton(icon(ic), text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        bar.addStretch(1)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        bar.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view)
        lay.addLayout(bar)
        self.resize(720, 420)
        self.refresh()

    def refresh(self):
        users = run_action(self, accounts.list_users, self.ctx, title="无法列出账号") or []
        self.users = {u.id: u for u in users}
        self.model.set_rows([(u.username, u.display_name, ROLES.get(u.role, u.role), u.phone,
                              "启用" if u.active else "停用",
                              u.last_login.strftime("%Y-%m-%d %H:%M") if u.last_login else "") for u in users],
                            [u.id for u in users])

    def selected(self):
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            info(self, "请先选择一个账号。")
            return None
        return self.users[self.model.keys[rows[0].row()]]

    def add(self):
        if UserEditDialog(self.ctx, None, self).exec():
            self.refresh()

    def edit(self):
        u = self.selected()
        if u and UserEditDialog(self.ctx, u, self).exec():
            self.refresh()

    def reset(self):
        u = self.selected()
        if u and ResetPasswordDialog(self.ctx, u, self).exec():
            info(self, f"已重设 {u.display_name} 的密码，下次登录时需本人修改。")
            self.refresh()

    def toggle(self):
        u = self.selected()
        if u is None:
            return
        verb = "停用" if u.active else "启用"
        if confirm(self, f"{verb}账号 {u.display_name}（{u.username}）？"):
            if run_action(self, run_write, self.ctx, accounts.update_user, self.ctx, u.id, active=not u.active,
                          title=f"未能{verb}") is not None:
                self.refresh()
