"""Dates as GOV.UK writes them: `19 July 2022`, and `19 July 2022 at 14:05` for a moment
(shown in the council's time zone); and the ways people may type a date into a form."""

from datetime import date, datetime, timedelta

from django.utils import timezone

# What a date box accepts (core.forms.DateField, the one place dates are parsed): the date
# picker's ISO form, `19/07/2022`, `19/07/22`, `19 7 2022`, `19-07-2022`, `19 July 2022`,
# `19 Jul 2022`.
DATE_INPUT_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d %m %Y",
    "%d-%m-%Y",
    "%d %B %Y",
    "%d %b %Y",
)


def govuk_date(value: date | datetime | None) -> str:
    """`19 July 2022`; a datetime adds its local time, `19 July 2022 at 14:05`; None is ""."""
    if not value:
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def days_around(day: date, days: int) -> tuple[date, date]:
    """`day` less and plus `days`, kept inside the calendar Python can hold: a date stored in
    year 9999 (or year 1) before forms refused such years must not break a page."""
    margin = timedelta(days=days)
    before = day - margin if day - date.min >= margin else date.min
    after = day + margin if date.max - day >= margin else date.max
    return before, after
