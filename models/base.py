from __future__ import annotations

import datetime as dt

from peewee import DateTimeField, Model

from .db import database


def now():
    return dt.datetime.now().replace(microsecond=0)


class BaseModel(Model):
    """All models: bound to the deferred database. Fields and constraints only, no workflows."""

    class Meta:
        database = database
        legacy_table_names = False


class TimestampedModel(BaseModel):
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
