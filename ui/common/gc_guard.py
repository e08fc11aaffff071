"""Garbage collection on the GUI thread only.

Python's cyclic collector runs on whichever thread happens to allocate when a generation fills up.
When that is a worker of the background runner, it finalises unreachable Qt wrappers (a closed
dialog, a preview, a model) on that worker, and Qt objects destroyed off their own thread crash the
program. So the application turns automatic collection off and collects from a timer on the GUI
thread instead, at the thresholds Python itself would use.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Owned by the application: ``install(app)`` once; ``collect_due()`` is what the timer runs."""

    def __init__(self, app):
        super().__init__(app)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect_due)
        self.timer.start()
        self.collections = 0

    def collect_due(self) -> int:
        """Collect the oldest generation whose allocation count passed its threshold; returns the
        generation collected, or -1 when none was due."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                self.collections += 1
                return generation
        return -1


def install(app) -> GuiThreadCollector:
    """Idempotent: the collector is kept on the application object."""
    existing = getattr(app, "gui_thread_collector", None)
    if existing is not None:
        return existing
    app.gui_thread_collector = GuiThreadCollector(app)
    return app.gui_thread_collector
