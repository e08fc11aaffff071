"""The one form dialog of the UI.

Fields are declared as data (``Field``: key, label, widget kind, default, choices, required,
validator); the dialog builds the widgets, reads ``values()``, and on 确定 checks the required
fields and validators, then calls ``call()`` — by default ``on_accept(values)``, the service call.
A refusal (a missing field, a validator's message, a service ``UserError``) is shown in Chinese
and the dialog stays open with the input kept: in a message box, or with ``inline_errors`` in a
red line above the buttons with the field it names focused. The dialog closes only on a result
other than None, kept in ``result_value``.

Dialogs with widgets of their own subclass it: they add rows to ``self.form`` (or widgets with
``add_widget``) and override ``call()`` (and ``values()``)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from ui.common.dates import date_edit, py_date
from ui.common.ops import run_action
from ui.common.widgets import fit_to_screen

KINDS = ("text", "multiline", "date", "datetext", "check", "choice", "editchoice", "int", "file", "label")
MULTILINE_HEIGHT = 60
INT_MAX = 999
SCROLL_MIN_HEIGHT = 160   # px of fields still shown when the screen is very short
MIN_WIDTH, WIDE_WIDTH = 420, 760   # one column of fields, two or more
ERROR_STYLE = "border: 1px solid #C62828;"


@dataclass(frozen=True)
class Field:
    """One field of a form. Kinds: text, multiline, date (a calendar field, value a date),
    datetext (a typed date, value text), check, choice, editchoice, int (0–999), file (a path,
    ``choices`` is the file filter), label (shown, not read). The choices of a choice field are
    texts, or ``(value, text)`` pairs: the text is shown, the value read (and given as default).
    ``validator(value)`` returns a Chinese message when the value is refused, else None."""

    key: str
    label: str
    kind: str = "text"
    default: Any = None
    choices: Sequence | str = ()
    required: bool = False
    validator: Callable[[Any], str | None] | None = None
    placeholder: str = ""

    @classmethod
    def of(cls, spec) -> Field:
        """A Field, or the short form ``(key, label, kind, default[, choices])``."""
        if isinstance(spec, Field):
            return spec
        key, label, kind, default, *rest = spec
        return cls(key, label, kind, default, rest[0] if rest else ())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _file_field(dialog: QDialog, default, file_filter) -> tuple[QLineEdit, QWidget]:
    line = QLineEdit(_text(default))
    line.setPlaceholderText("可不选")
    pick = QPushButton("选择…")
    pick.setObjectName("pick_file")
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(line, 1)
    row.addWidget(pick)

    def choose():
        path, _ = QFileDialog.getOpenFileName(dialog, "选择文件", "", file_filter or "所有文件 (*)")
        if path:
            line.setText(path)

    pick.clicked.connect(choose)
    return line, box


def _choice(f: Field) -> QComboBox:
    w = QComboBox()
    w.setEditable(f.kind == "editchoice")
    for x in f.choices:
        if isinstance(x, tuple):
            w.addItem(str(x[1]), x[0])
        else:
            w.addItem(str(x))
    if f.default not in (None, ""):
        _set_choice(w, f.default)
    elif f.kind == "editchoice":
        w.setCurrentText("")
    return w


def _set_choice(w: QComboBox, value):
    """Select the item whose value (of a ``(value, text)`` pair) or text is *value*."""
    for i in range(w.count()):
        if w.itemData(i) is not None and w.itemData(i) == value:
            w.setCurrentIndex(i)
            return
    w.setCurrentText(_text(value))


def make_widget(dialog: QDialog, f: Field) -> tuple[QWidget, QWidget]:
    """The widget of a field and what the form shows (the same, except for a file field)."""
    kind, default = f.kind, f.default
    if kind == "file":
        return _file_field(dialog, default, f.choices)
    if kind == "multiline":
        w = QPlainTextEdit(_text(default))
        w.setFixedHeight(MULTILINE_HEIGHT)
    elif kind == "date":
        w = date_edit(default)
    elif kind == "check":
        w = QCheckBox(f.label)
        w.setChecked(bool(default))
    elif kind in ("choice", "editchoice"):
        w = _choice(f)
    elif kind == "int":
        w = QSpinBox()
        w.setRange(0, INT_MAX)
        w.setValue(int(default or 0))
    elif kind == "label":
        w = QLabel(_text(default))
        w.setWordWrap(True)
    else:
        w = QLineEdit(_text(default))
        if kind == "datetext":
            w.setPlaceholderText("如 2026-11-23")
    if f.placeholder and hasattr(w, "setPlaceholderText"):
        w.setPlaceholderText(f.placeholder)
    return w, w


def read_widget(kind: str, w: QWidget):
    if kind == "multiline":
        return w.toPlainText().strip()
    if kind == "date":
        return py_date(w.date())
    if kind == "check":
        return w.isChecked()
    if kind in ("choice", "editchoice"):
        data = w.currentData()
        return w.currentText().strip() if data is None else data
    if kind == "int":
        return w.value()
    return w.text().strip()


def write_widget(kind: str, w: QWidget, value):
    if kind == "multiline":
        w.setPlainText(_text(value))
    elif kind == "date":
        w.setDate(date_edit(value).date())
    elif kind == "check":
        w.setChecked(bool(value))
    elif kind in ("choice", "editchoice"):
        _set_choice(w, value)
    elif kind == "int":
        w.setValue(int(value))
    else:
        w.setText(_text(value))


class _ContentScroll(QScrollArea):
    """A frameless scroll area as big as what it holds: the dialog opens at its natural size, and
    only when fit_to_screen makes it shorter than that (a long form, a small screen, 150 %
    scaling) do the fields scroll — the error line and 确定/取消 stay in view."""

    def __init__(self):
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def sizeHint(self) -> QSize:
        inner = self.widget()
        if inner is None:
            return super().sizeHint()
        hint = inner.sizeHint()
        return QSize(hint.width() + self.verticalScrollBar().sizeHint().width(), hint.height())

    def minimumSizeHint(self) -> QSize:
        inner = self.widget()
        width = inner.minimumSizeHint().width() if inner is not None else 0
        return QSize(width, min(SCROLL_MIN_HEIGHT, self.sizeHint().height()))


class FormDialog(QDialog):
    """A form with 确定/取消. ``ctx`` is the app context when the dialog calls services itself.

    The looks are class attributes a subclass sets, or keyword options of one dialog: ``ok_text``
    names the OK button, ``error_title`` titles the message box of a refusal, ``inline_errors``
    shows a refusal in red above the buttons instead."""

    ok_text = "确定"
    error_title = "操作未完成"
    inline_errors = False
    OPTIONS = ("ok_text", "error_title", "inline_errors")

    def __init__(self, title: str, fields: Sequence = (), on_accept: Callable | None = None, parent=None,
                 intro: str = "", *, ctx=None, columns: int = 1, **options):
        super().__init__(parent)
        self.ctx = ctx
        self.on_accept = on_accept
        self.result_value = None
        self.setWindowTitle(title)
        self.setMinimumWidth(MIN_WIDTH if columns == 1 else WIDE_WIDTH)
        for name, value in options.items():
            if name not in self.OPTIONS:
                raise TypeError(f"FormDialog has no option {name!r}")
            if value is not None:
                setattr(self, name, value)
        self.fields: dict[str, Field] = {}
        self.widgets: dict[str, QWidget] = {}
        self.field_widgets: dict[str, QWidget] = {}   # label → widget: the field a refusal names gets the focus
        outer = QVBoxLayout(self)
        self.scroll = _ContentScroll()             # the fields scroll when the screen is too short for them
        content = QWidget()
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.scroll.setWidget(content)
        outer.addWidget(self.scroll, 1)
        self.intro = None
        if intro:
            self.intro = QLabel(intro)
            self.intro.setWordWrap(True)
            self.body.addWidget(self.intro)
        self.forms = self._columns(max(columns, 1))
        self.form = self.forms[0]
        self.extra = QVBoxLayout()
        self.body.addLayout(self.extra)
        self.error_label = self._error_line()
        outer.addWidget(self.error_label)
        self.buttons = self._buttons(self.ok_text)
        outer.addWidget(self.buttons)
        specs = [Field.of(s) for s in fields]
        per_column = -(-len(specs) // len(self.forms)) if specs else 1
        for i, f in enumerate(specs):
            self.add_field(f, self.forms[min(i // per_column, len(self.forms) - 1)])

    # building ---------------------------------------------------------------------------------
    def _columns(self, columns: int) -> list[QFormLayout]:
        if columns == 1:
            form = QFormLayout()
            self.body.addLayout(form)
            return [form]
        grid = QGridLayout()
        forms = []
        for c in range(columns):
            form = QFormLayout()
            grid.addLayout(form, 0, c)
            forms.append(form)
        self.body.addLayout(grid)
        return forms

    def _error_line(self) -> QLabel:
        label = QLabel("")
        label.setObjectName("error_label")
        label.setStyleSheet("color: #C62828; font-weight: bold;")
        label.setWordWrap(True)
        label.hide()
        return label

    def _buttons(self, ok_text: str) -> QDialogButtonBox:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.cancel_button = box.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText("取消")
        box.accepted.connect(self.submit)
        box.rejected.connect(self.reject)
        return box

    def add_field(self, f: Field, form: QFormLayout | None = None) -> QWidget:
        f = Field.of(f)
        w, shown = make_widget(self, f)
        w.setObjectName(f.key)
        self.fields[f.key] = f
        self.widgets[f.key] = w
        self.field_widgets[f.label] = w
        (form or self.form).addRow("" if f.kind == "check" else f.label, shown)
        return w

    def add_form_row(self, label: str, widget_or_layout):
        """A row of the dialog's own (not read by ``values()``)."""
        self.form.addRow(label, widget_or_layout)

    def add_widget(self, widget: QWidget):
        """A widget below the form, above the buttons."""
        self.extra.addWidget(widget)

    def showEvent(self, event):
        """On first show: Tab goes down the fields in their order, then 确定, 取消 (the buttons are
        built before the fields); the first field has the focus; never taller than the screen."""
        super().showEvent(event)
        if self.property("ordered"):
            return
        self.setProperty("ordered", True)
        chain = [w for key, w in self.widgets.items()
                 if self.fields[key].kind != "label" and w.focusPolicy() != Qt.FocusPolicy.NoFocus]
        chain += [self.ok_button, self.cancel_button]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        first = next((w for w in chain if w.isEnabled() and w.isVisible()), None)
        focused = self.focusWidget()
        if first is not None and first not in (self.ok_button, self.cancel_button) and (
                focused is None or focused in (self.ok_button, self.cancel_button)):
            first.setFocus(Qt.FocusReason.TabFocusReason)
        fit_to_screen(self)

    # values -----------------------------------------------------------------------------------
    def widget(self, key: str) -> QWidget:
        return self.widgets[key]

    def field_values(self) -> dict:
        """The value of each declared field (labels are shown, not read)."""
        return {key: read_widget(f.kind, self.widgets[key]) for key, f in self.fields.items() if f.kind != "label"}

    def values(self):
        """What ``on_accept`` receives: the field values (a dialog with widgets of its own says more)."""
        return self.field_values()

    def set_value(self, key: str, value):
        write_widget(self.fields[key].kind, self.widgets[key], value)

    # submitting -------------------------------------------------------------------------------
    def check(self) -> tuple[str, QWidget | None] | None:
        """The first refused field: (Chinese message, its widget); None when all pass."""
        values = self.field_values()
        for key, f in self.fields.items():
            value = values.get(key)
            if f.required and value in ("", None):
                return f"请填写{f.label}", self.widgets[key]
            message = f.validator(value) if f.validator is not None and value not in ("", None) else None
            if message:
                return message, self.widgets[key]
        return None

    def call(self):
        """The service call; its result closes the dialog, None or a UserError keeps it open."""
        if self.on_accept is None:
            return True
        return self.on_accept(self.values())

    def save(self):
        """What 确定 does (the service dialogs' name for it): ``submit()``."""
        return self.submit()

    def submit(self):
        self.clear_error()
        problem = self.check()
        if problem is not None:
            self.show_error(*problem)
            return None
        if self.inline_errors:
            try:
                result = self.call()
            except UserError as exc:
                self.show_refusal(exc)
                return None
        else:
            result = run_action(self, lambda _ctx: self.call(), self.ctx, title=self.error_title)
        if result is not None:
            self.result_value = result
            self.accept()
        return result

    def named_widget(self, name: str) -> QWidget | None:
        """The widget of the field a message names (by its label or key)."""
        if not name:
            return None
        return self.field_widgets.get(name) or self.widgets.get(name)

    def show_refusal(self, exc: UserError):
        self.show_error(str(exc), self.named_widget(getattr(exc, "field", "")))

    def show_error(self, message: str, widget: QWidget | None = None):
        if widget is not None:
            widget.setFocus()
        if not self.inline_errors:
            QMessageBox.warning(self, self.error_title, message)
            return
        self.error_label.setText(message)
        self.error_label.show()
        if widget is not None:
            widget.setStyleSheet(ERROR_STYLE)

    def clear_error(self):
        self.error_label.hide()
        for w in self.field_widgets.values():
            w.setStyleSheet("")
