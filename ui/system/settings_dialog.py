"""The site settings dialog: every declared setting, grouped, with where its value comes from
(程序默认 / 站点文件 / 本处修改), the product's default and the site file's value in the tooltip."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.settings import GROUP_LABELS, SETTINGS
from app.system.site_settings import display_value, save_settings, source_label
from ui.common.ops import info, run_action


class SettingsDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("站点设置")
        self.resize(640, 560)
        self.edits: dict[str, QLineEdit] = {}
        self.sources: dict[str, QLabel] = {}
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
            site = ctx.settings.site_values()
            tip = f"程序默认值：{display_value(s.key, s.default)}"
            if s.key in site:
                tip += f"\n站点文件的值：{display_value(s.key, site[s.key])}"
            edit.setToolTip(tip + (f"\n{s.help}" if s.help else ""))
            source = QLabel(source_label(ctx, s.key))
            source.setObjectName(f"{s.key}.source")
            source.setMinimumWidth(64)
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(source)
            forms[s.group].addRow(s.label, row)
            self.edits[s.key] = edit
            self.sources[s.key] = source
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
