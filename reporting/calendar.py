"""Working days in England: weekdays that are not bank holidays.

The monthly highlight report goes out on the first working day of the month. Bank holidays
follow the rules of the Banking and Financial Dealings Act 1971 and royal proclamations;
one-off changes are listed by hand (the gov.uk list is the source).
"""

from datetime import date, timedelta
from functools import cache

# One-off changes by proclamation: (moved from, moved to) and extra days.
_MOVED = {date(2020, 5, 4): date(2020, 5, 8), date(2022, 5, 30): date(2022, 6, 2)}
_EXTRA = {date(2022, 6, 3), date(2022, 9, 19), date(2023, 5, 8)}


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    day = following - timedelta(days=1)
    return day - timedelta(days=day.weekday())


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in `year`."""
    easter = easter_sunday(year)
    days = {
        easter - timedelta(days=2),  # Good Friday
        easter + timedelta(days=1),  # Easter Monday
        _first_monday(year, 5),
        _last_monday(year, 5),
        _last_monday(year, 8),
    }
    new_year = date(year, 1, 1)
    days.add(
        new_year if new_year.weekday() < 5 else new_year + timedelta(days=7 - new_year.weekday())
    )
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    # A holiday on a weekend moves to the next weekday not already a holiday.
    taken: set[date] = set()
    for day in (christmas, boxing):
        moved = day
        while moved.weekday() >= 5 or moved in taken:
            moved += timedelta(days=1)
        taken.add(moved)
    days |= taken
    days = {_MOVED.get(d, d) for d in days}
    days |= {d for d in _EXTRA if d.year == year}
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def is_first_working_day_of_month(day: date) -> bool:
    return day == first_working_day(day.year, day.month)
