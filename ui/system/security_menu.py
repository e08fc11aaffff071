"""The 安全 menu of the main window: backup, restore, accounts, audit log, database check,
change own password. The lead wires it: ``install_menus(window)`` after the window's menus."""
from __future__ import annotations

from PySide6.QtGui import QAction

from app.core.permissions import allowed
from ui.common.icons import icon


def install_menus(window):
    ctx = window.ctx
    role = getattr(ctx.user, "role", None)
    m = window.menuBar().addMenu("安全(&S)")
    entries = [
        ("立即备份", "backup", "backup.run", lambda: do_backup(window)),
        ("从备份恢复…", "refresh", "backup.restore", lambda: do_restore(window)),
        (None, None, None, None),
        ("账号管理…", "user", "users.manage", lambda: open_users(window)),
        ("审计日志…", "search", "audit.view", lambda: open_audit(window)),
        ("检查数据库", "ok", "audit.view", lambda: do_check(window)),
        ("核对日报链头…", "search", "audit.view", lambda: check_heads(window)),
        ("站点密钥恢复单…", "print", "site_key.sheet", lambda: print_key_sheet(window)),
        ("输入站点密钥…", "edit", "site_key.sheet", lambda: enter_key(window)),
        (None, None, None, None),
        ("修改密码…", "edit", None, lambda: change_password(window)),
    ]
    window.security_actions = {}
    for text, ic, action, slot in entries:
        if text is None:
            m.addSeparator()
            continue
        act = QAction(icon(ic), text, window)
        act.triggered.connect(slot)
        act.setEnabled(action is None or allowed(role, action))   # the services check again
        m.addAction(act)
        window.security_actions[text] = act
    window.security_menu = m
    return m


def print_key_sheet(window):
    from ui.system.key_dialog import print_key_sheet as show
    return show(window)


def enter_key(window):
    from ui.system.key_dialog import enter_key as ask
    ask(window)


def do_backup(window):
    from app.system.backup import backup_now
    from ui.common.ops import info
    from ui.common.progress import ProgressRun

    def done(r):
        text = f"已备份并校验：\n{r.path}\n（{r.size / 1024 / 1024:.1f} MB，{r.seconds:.1f} 秒）"
        if r.second_copy:
            text += f"\n第二备份：{r.second_copy}"
        if r.warnings:
            text += "\n\n注意：" + "\n".join(r.warnings)
        info(window, text, "备份")
    # in the background (the window paints; progress after 0.6 s); a copy cannot stop halfway
    window.backup_run = ProgressRun(window, window.ctx, "正在备份并校验数据库…", backup_now, window.ctx, "manual",
                                    cancellable=False, title="备份未完成").success(done).run()


def do_restore(window):
    from ui.system.restore_dialog import RestoreDialog
    dlg = RestoreDialog(window.ctx, window)
    if dlg.exec() and dlg.restored:
        from ui.common.ops import info
        info(window, "数据库已恢复，程序将关闭；请重新启动并登录。", "恢复")
        window.close()


def open_users(window):
    from ui.system.users_dialog import UsersDialog
    UsersDialog(window.ctx, window).exec()


def open_audit(window):
    from ui.system.audit_dialog import AuditDialog
    AuditDialog(window.ctx, window).exec()


def do_check(window):
    from app.office.checks import run_checks
    from ui.common.ops import info
    from ui.common.progress import ProgressRun

    def done(checks):
        lines = [line for c in checks for line in c.lines()]
        bad = sum(1 for c in checks if not c.ok)
        lines.append("全部通过" if not bad else f"{bad} 项发现问题")
        info(window, "\n".join(lines), "数据库检查")
    window.check_run = ProgressRun(window, window.ctx, "正在检查数据库…", run_checks, window.ctx, cancellable=False,
                                   title="检查未完成").success(done).run()


def check_heads(window):
    from ui.system.head_check_dialog import HeadCheckDialog
    dlg = HeadCheckDialog(window)
    window.head_check_dialog = dlg
    dlg.open()
    return dlg


def change_password(window):
    from ui.system.login import ChangePasswordDialog
    ChangePasswordDialog(window.ctx, window).exec()
