"""A controllable clock: services read the time from ctx.clock, tests set it."""
import datetime as dt


class Clock:
    def __init__(self, fixed: dt.datetime | None = None):
        self.fixed = fixed

    def now(self) -> dt.datetime:
        return self.fixed if self.fixed is not None else dt.datetime.now().replace(microsecond=0)

    def today(self) -> dt.date:
        return self.now().date()

    def set(self, when: dt.datetime):
        self.fixed = when

    def advance(self, **delta):
        self.fixed = self.now() + dt.timedelta(**delta)
