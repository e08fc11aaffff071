"""Progress of long work, and its cancel, for services (issue 20).

A long service takes ``progress=None``: a plain callable ``progress(done, total) -> bool`` that it
calls between rows (``report``); a False answer cancels — the service raises ``Cancelled`` where the
work can stop, inside its one transaction, so nothing is written (an export keeps no file). The GUI
passes ui.common.progress.Progress (a dialog with 取消); the command line passes nothing."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from app.core.errors import UserError

ProgressFn = Callable[[int, int], bool]
STEP = 200          # rows between two reports: cheap enough, often enough for a bar


class Cancelled(UserError):
    """The user pressed 取消: the work stopped and nothing was written."""

    def __init__(self, what: str = "操作"):
        super().__init__(f"{what}已取消，未写入任何数据。")


def report(progress: ProgressFn | None, done: int, total: int, what: str = "操作") -> None:
    """Tell *progress* how far the work is; raise Cancelled when it answers False."""
    if progress is not None and progress(done, total) is False:
        raise Cancelled(what)


def each(rows: Iterable, progress: ProgressFn | None, total: int, what: str = "操作") -> Iterator:
    """The rows, reporting about fifty times (at most every STEP rows) and at the end; Cancelled
    when answered False."""
    step = max(1, min(STEP, total // 50))
    report(progress, 0, total, what)
    n = 0
    for n, row in enumerate(rows, start=1):
        yield row
        if n % step == 0:
            report(progress, n, total, what)
    report(progress, n, total, what)
