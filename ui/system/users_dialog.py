"""Account management for the manager: list, new account, edit role/name, reset password, disable."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from app.system import accounts
from models.users import ROLES
from ui.common.forms import Field, FormDialog
from ui.common.icons import icon
from ui.common.ops import confirm, info, run_action
from ui.common.tables import sortable
from ui.system.table_models import TupleModel


class UserEditDialog(FormDialog):
    """New account (user=None) or edit an existing one. The input stays when saving fails."""

    ok_text = "保存"
    error_title = "账号未保存"

    def __init__(self, ctx, user=None, parent=None):
        fields = [Field("username", "登录名", default=getattr(user, "username", "")),
                  Field("display_name", "姓名", default=getattr(user, "display_name", "")),
                  Field("role", "角色", "choice", ROLES[user.role] if user is not None else None, list(ROLES.values())),
                  Field("phone", "联系电话", default=getattr(user, "phone", ""))]
        if user is None:
            fields.append(Field("password", "初始密码", placeholder="至少6位；首次登录时本人修改"))
        title = "新建账号" if user is None else f"编辑账号 {user.username}"
        super().__init__(title, fields, parent=parent, ctx=ctx)
        self.user = user
        self.username = self.widget("username")
        self.username.setReadOnly(user is not None)
        self.display = self.widget("display_name")
        self.role = self.widget("role")
        self.phone = self.widget("phone")
        self.password = self.widgets.get("password")
        if self.password is not None:
            self.password.setEchoMode(QLineEdit.EchoMode.Password)

    def role_key(self) -> str:
        return list(ROLES)[self.role.currentIndex()]

    def call(self):
        # the typed texts as they are: a password keeps its spaces
        if self.user is None:
            return accounts.create_user(self.ctx, self.username.text(), self.display.text(), self.role_key(),
                                        self.password.text(), self.phone.text())
        return accounts.update_user(self.ctx, self.user.id, display_name=self.display.text(), role=self.role_key(),
                                    phone=self.phone.text())


class ResetPasswordDialog(FormDialog):
    ok_text = "保存"
    error_title = "密码未重设"

    def __init__(self, ctx, user, parent=None):
        super().__init__(f"重设密码：{user.display_name}（{user.username}）", [Field("password", "新密码")],
                         parent=parent, ctx=ctx)
        self.user = user
        self.password = self.widget("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)

    def call(self):
        return accounts.reset_password(self.ctx, self.user.id, self.password.text())


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
        sortable(self.view)
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
        if not confirm(self, f"{verb}账号 {u.display_name}（{u.username}）？"):
            return
        if run_action(self, accounts.update_user, self.ctx, u.id, active=not u.active, title=f"未能{verb}") is not None:
            self.refresh()
