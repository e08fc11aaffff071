"""Dialogs of the move-in desk: one small form per step, built from a field list."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from ui.common.ops import run_action


class FieldForm(QDialog):
    """A dialog from (key, label, kind, default[, choices]) fields; kinds: text, multiline, check,
    choice, date, label. ``on_accept(values)`` is the service call: on a UserError the message is
    shown and the dialog stays open with the input kept."""

    def __init__(self, title: str, fields, on_accept, parent=None, intro: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.on_accept = on_accept
        self.result_value = None
        self.widgets = {}
        lay = QVBoxLayout(self)
        if intro:
            lab = QLabel(intro)
            lab.setWordWrap(True)
            lay.addWidget(lab)
        form = QFormLayout()
        for f in fields:
            key, label, kind, default = f[:4]
            if kind == "text":
                w = QLineEdit(str(default or ""))
            elif kind == "multiline":
                w = QPlainTextEdit(str(default or ""))
                w.setFixedHeight(60)
            elif kind == "check":
                w = QCheckBox(label)
                w.setChecked(bool(default))
                label = ""
            elif kind == "choice":
                w = QComboBox()
                w.addItems(list(f[4]))
                if default:
                    w.setCurrentText(str(default))
            elif kind == "date":
                w = QDateEdit()
                w.setCalendarPopup(True)
                w.setDisplayFormat("yyyy-MM-dd")
                if default is not None:
                    w.setDate(default)
            else:
                w = QLabel(str(default or ""))
                w.setWordWrap(True)
            w.setObjectName(key)
            self.widgets[key] = (kind, w)
            form.addRow(label, w)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def values(self) -> dict:
        out = {}
        for key, (kind, w) in self.widgets.items():
            if kind == "text":
                out[key] = w.text().strip()
            elif kind == "multiline":
                out[key] = w.toPlainText().strip()
            elif kind == "check":
                out[key] = w.isChecked()
            elif kind == "choice":
                out[key] = w.currentText()
            elif kind == "date":
                out[key] = w.date().toPython()
        return out

    def set_value(self, key, value):
        kind, w = self.widgets[key]
        if kind == "text":
            w.setText(str(value))
        elif kind == "check":
            w.setChecked(bool(value))
        elif kind == "choice":
            w.setCurrentText(str(value))
        elif kind == "multiline":
            w.setPlainText(str(value))

    def submit(self):
        result = run_action(self, self.on_accept, self.values())
        if result is not None:
            self.result_value = result
            self.accept()
