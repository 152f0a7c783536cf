"""Dates as GOV.UK writes them: `19 July 2022`, and `19 July 2022 at 14:05` for a moment
(shown in the council's time zone); and the ways people may type a date into a form."""

from datetime import date, datetime

from django.utils import timezone

# What a date box accepts: the date picker's ISO form, `19/07/2022`, `19 July 2022`, `19 Jul 2022`.
DATE_INPUT_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y")


def govuk_date(value: date | datetime | None) -> str:
    """`19 July 2022`; a datetime adds its local time, `19 July 2022 at 14:05`; None is ""."""
    if not value:
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"
    return f"{value.day} {value:%B %Y}"
