"""The site key in the window (issue 15): the 安全 menu prints the recovery sheet and takes the key
typed from it; a start without the key asks for it before anything opens."""
from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMainWindow, QMessageBox

from app.core.crypto import check_digits
from app.system import keystore
from models.db import close_database, is_sqlite
from models.users import AuditLog

SHOTS = os.environ.get("PROPERTYDESK_SHOTS")


class Host(QMainWindow):
    """A window with the 安全 menu as the main window installs it (no tabs: nothing else runs)."""

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx


def _window(qtbot, ctx):
    from ui.system.security_menu import install_menus
    w = Host(ctx)
    qtbot.addWidget(w)
    install_menus(w)
    return w


def _when_dialog(qtbot, act, seen: list):
    """Run *act(dialog)* on the key dialog once it is shown (it runs modal)."""
    def poll():
        dlg = QApplication.activeModalWidget()
        if dlg is not None and dlg.objectName() == "key_import_dialog":
            seen.append(dlg)
            act(dlg)
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


def _type_key(qtbot, dlg, key: str, digits: str):
    fields = [w for w in dlg.findChildren(QLineEdit) if w.isVisible()]
    key_field, check_field = fields[0], fields[1]
    key_field.clear()
    qtbot.keyClicks(key_field, key)
    check_field.clear()
    qtbot.keyClicks(check_field, digits)
    if SHOTS:
        dlg.grab().save(str(Path(SHOTS) / "key_dialog.png"))
    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_menu_prints_the_recovery_sheet(qtbot, ctx, boxes):
    from ui.common.print_preview import PrintPreviewDialog
    w = _window(qtbot, ctx)
    w.security_actions["站点密钥恢复单…"].trigger()
    previews = [x for x in QApplication.topLevelWidgets() if isinstance(x, PrintPreviewDialog) and x.isVisible()]
    assert previews and "站点密钥恢复单" in previews[-1].windowTitle()
    assert AuditLog.select().where(AuditLog.action == "site_key.print_sheet").count() == 1
    for p in previews:
        p.close()


def test_menu_entries_are_the_managers(qtbot, ctx, users):
    w = _window(qtbot, ctx.with_user(users["cashier"]))
    assert not w.security_actions["站点密钥恢复单…"].isEnabled()
    assert not w.security_actions["输入站点密钥…"].isEnabled()


def test_menu_takes_the_key_typed_from_the_sheet(qtbot, ctx, boxes):
    w = _window(qtbot, ctx)
    key = ctx.vault.key_text
    seen = []
    typed = " ".join(key[i:i + 4] for i in range(0, len(key), 4))

    def fill(dlg):
        _type_key(qtbot, dlg, typed, "999999" if check_digits(key.encode()) != "999999" else "888888")
        assert "校验码" in dlg.error_label.text() and dlg.isVisible()      # refused, input kept
        _type_key(qtbot, dlg, typed, check_digits(key.encode()))

    _when_dialog(qtbot, fill, seen)
    w.security_actions["输入站点密钥…"].trigger()
    assert seen and "已核对并保存" in boxes.last.text


def test_start_without_the_key_asks_for_it(qtbot, ctx, data_dir, users, boxes):
    if not is_sqlite():
        pytest.skip("the start-up of an SQLite data folder")
    from app.archives.people import create_owner
    from tests.helpers.archives import build_small_site
    from ui.app import _open
    site = build_small_site(ctx, users)
    create_owner(ctx, site["homes"]["1-201"].id, {"name": "周六", "phone": "13655556666"})
    key = ctx.vault.key_text
    key_file = keystore.key_dir() / f"site-{keystore.site_id_of(ctx.db)}.key"
    close_database()
    ctx.site_hold.release()
    key_file.unlink()
    args = SimpleNamespace(data_dir=str(data_dir), database=None)
    # cancelled: nothing opens, the refusal names the recovery sheet
    _when_dialog(qtbot, lambda dlg: qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton), [])
    opened, lock = _open(args, QMessageBox, "物业前台")
    assert opened is None and "站点密钥恢复单" in boxes.last.text and not key_file.exists()
    lock.release()
    # typed in: the site opens with its data readable
    seen = []
    _when_dialog(qtbot, lambda dlg: _type_key(qtbot, dlg, key, check_digits(key.encode())), seen)
    opened, lock = _open(args, QMessageBox, "物业前台")
    try:
        assert seen and opened is not None and key_file.is_file()
        from models.people import Owner
        assert Owner.get(Owner.name == "周六").phone == "13655556666"
    finally:
        close_database()
        opened.site_hold.release()
        lock.release()
