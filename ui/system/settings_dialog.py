"""The site settings dialog: every declared setting, grouped, with its default."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.settings import GROUP_LABELS, SETTINGS
from app.system.site_settings import display_value, save_settings
from ui.common.ops import info, run_action


class SettingsDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("站点设置")
        self.resize(640, 560)
        self.edits: dict[str, QLineEdit] = {}
        tabs = QTabWidget(self)
        forms: dict[str, QFormLayout] = {}
        for s in SETTINGS:
            if s.group not in forms:
                page = QWidget()
                forms[s.group] = QFormLayout(page)
                scroll = QScrollArea()
                scroll.setWidgetResizable(True)
                scroll.setWidget(page)
                tabs.addTab(scroll, GROUP_LABELS.get(s.group, s.group))
            edit = QLineEdit(display_value(s.key, ctx.settings.get(s.key)))
            edit.setObjectName(s.key)
            edit.setToolTip(f"默认值：{display_value(s.key, s.default)}" + (f"\n{s.help}" if s.help else ""))
            forms[s.group].addRow(s.label, edit)
            self.edits[s.key] = edit
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(tabs)
        lay.addWidget(buttons)

    def save(self):
        edited = {k: e.text() for k, e in self.edits.items()
                  if e.text() != display_value(k, self.ctx.settings.get(k))}
        changes = run_action(self, save_settings, self.ctx, edited, title="设置未保存")
        if changes is None:
            return  # the message was shown; the user's input stays
        if changes:
            info(self, f"已保存 {len(changes)} 项设置。")
        self.accept()
