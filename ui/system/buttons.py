"""Chinese texts on the standard dialog buttons, whatever Qt translation is loaded."""
from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

TEXTS = (
    (QDialogButtonBox.StandardButton.Ok, "确定"),
    (QDialogButtonBox.StandardButton.Cancel, "取消"),
    (QDialogButtonBox.StandardButton.Save, "保存"),
)


def chinese_buttons(buttons: QDialogButtonBox) -> QDialogButtonBox:
    """Set the Chinese text on each standard button *buttons* has; returns *buttons*."""
    for std, text in TEXTS:
        b = buttons.button(std)
        if b is not None:
            b.setText(text)
    return buttons
