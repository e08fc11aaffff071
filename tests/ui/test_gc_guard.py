"""Garbage collection happens on the GUI thread only (ui/common/gc_guard.py), as run_gui installs it."""
import gc
import threading

import pytest


@pytest.fixture
def collector(qapp):
    from ui.common.gc_guard import install
    was_enabled = gc.isenabled()
    c = install(qapp)
    yield c
    c.timer.stop()
    del qapp.gui_thread_collector
    c.deleteLater()
    if was_enabled:
        gc.enable()


class Cycle:
    def __init__(self, log):
        self.me = self
        self.log = log

    def __del__(self):
        self.log.append(threading.get_ident())


def test_cycles_are_collected_by_the_gui_thread_timer_never_by_a_worker(qtbot, collector):
    from ui.common.gc_guard import install
    assert not gc.isenabled()
    assert install(collector.parent()) is collector          # installing twice keeps one collector
    log: list[int] = []
    Cycle(log)                                               # unreachable at once, but only a collection frees it

    kept = []

    def churn():                                             # a worker allocating far past the thresholds
        kept.extend([] for _ in range(5_000))
    worker = threading.Thread(target=churn)
    worker.start()
    worker.join()
    assert log == []                                         # the worker's allocations collected nothing
    qtbot.waitUntil(lambda: bool(log), timeout=5000)
    assert log == [threading.get_ident()]                    # finalised on this (the GUI) thread
    assert collector.collections >= 1
