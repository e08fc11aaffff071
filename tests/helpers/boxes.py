"""Message boxes in GUI tests: recorded instead of shown (a modal box would block offscreen).

A pytest plugin (``pytest_plugins`` in tests/conftest.py). Its fixtures patch
``QMessageBox.warning``, ``information``, ``critical`` and ``question`` and a box's ``exec``
(the critical box of ``ui.common.ops.run_action`` with its details) for the test:

- ``boxes``: the ``Boxes`` recorder; ``boxes.shown`` lists every ``Box(kind, title, text)``,
  ``boxes.texts()`` / ``boxes.last`` read it, ``boxes.answer`` is what a box returns (Yes).
- ``box_texts``: the list of texts shown, in order (the usual assertion).
- ``answer_boxes``: ``answer_boxes(QMessageBox.StandardButton.No)`` answers every later box so
  (a question declined); returns the recorder.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import pytest

KINDS = ("warning", "information", "critical", "question")


class Box(NamedTuple):
    kind: str     # warning, information, critical, question (an exec'd box: its icon's name, lower case)
    title: str
    text: str


@dataclass
class Boxes:
    shown: list[Box] = field(default_factory=list)
    shown_texts: list[str] = field(default_factory=list)   # the texts of ``shown``, kept with it
    answer: object = None  # a QMessageBox.StandardButton; None: Yes

    def record(self, kind: str, title: str, text: str):
        self.shown.append(Box(kind, title, text))
        self.shown_texts.append(text)
        return self.reply()

    def texts(self, kind: str | None = None) -> list[str]:
        return [b.text for b in self.shown if kind is None or b.kind == kind]

    @property
    def last(self) -> Box:
        assert self.shown, "no message box was shown"
        return self.shown[-1]

    def reply(self):
        from PySide6.QtWidgets import QMessageBox
        return QMessageBox.StandardButton.Yes if self.answer is None else self.answer


def _record_static(boxes: Boxes, kind: str):
    def show(parent, title, text, *args, **kwargs):
        return boxes.record(kind, title, text)
    return staticmethod(show)


def _record_exec(boxes: Boxes):
    def exec_(self, *args, **kwargs):
        return boxes.record(self.icon().name.lower(), self.windowTitle(), self.text())
    return exec_


@pytest.fixture
def boxes(monkeypatch) -> Boxes:
    from PySide6.QtWidgets import QMessageBox
    recorder = Boxes()
    for kind in KINDS:
        monkeypatch.setattr(QMessageBox, kind, _record_static(recorder, kind))
    monkeypatch.setattr(QMessageBox, "exec", _record_exec(recorder))
    return recorder


@pytest.fixture
def box_texts(boxes) -> list[str]:
    """The texts of the boxes shown, in order (the list grows as boxes are shown)."""
    return boxes.shown_texts


@pytest.fixture
def answer_boxes(boxes):
    def answer(button) -> Boxes:
        boxes.answer = button
        return boxes
    return answer
