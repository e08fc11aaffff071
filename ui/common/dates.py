"""Python dates ↔ Qt dates, and the one date editor of the forms (calendar pop-up, ISO display)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit


def qdate(d: dt.date | QDate) -> QDate:
    if isinstance(d, QDate):
        return d
    return QDate(d.year, d.month, d.day)


def qdatetime(t: dt.datetime) -> QDateTime:
    return QDateTime(qdate(t.date()), QTime(t.hour, t.minute))


def py_datetime(q: QDateTime) -> dt.datetime:
    d, t = q.date(), q.time()
    return dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


def py_date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def date_edit(day: dt.date | QDate | None = None, parent=None) -> QDateEdit:
    """A date field: calendar pop-up, shown as yyyy-MM-dd, set to ``day`` when given."""
    w = QDateEdit(parent)
    w.setCalendarPopup(True)
    w.setDisplayFormat("yyyy-MM-dd")
    if day is not None:
        w.setDate(qdate(day))
    return w


def datetime_edit(moment: dt.datetime | None = None, parent=None) -> QDateTimeEdit:
    """A date-and-time field to the minute, with a calendar pop-up."""
    w = QDateTimeEdit(parent)
    w.setDisplayFormat("yyyy-MM-dd HH:mm")
    w.setCalendarPopup(True)
    if moment is not None:
        w.setDateTime(qdatetime(moment))
    return w
