"""The daily reminder: each owner of an overdue output, risk review or mitigation action gets
one email listing theirs, and nobody gets anyone else's.

Each source turns one app's selector into `ReminderItem`s; adding a kind of reminder is adding
a source to `SOURCES`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import NoReverseMatch

from core.dates import govuk_date
from core.names import person_name
from programme.models import Programme
from risks.selectors import overdue_reviews_and_actions
from stages.selectors import outputs_due

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderItem:
    owner: object  # a user
    kind: str  # "Output", "Risk review", "Mitigation action"
    title: str
    due: date | None
    programme: Programme
    path: str = ""


def _path(obj) -> str:
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return ""


def overdue_outputs(programme: Programme, today: date) -> list[ReminderItem]:
    """Outputs past their due date and not accepted (stages' own reading of "overdue")."""
    items = []
    for due in outputs_due(programme, today=today, within_days=0).overdue:
        output = due.output
        items.append(
            ReminderItem(
                owner=output.owner,
                kind="Output",
                title=str(output),
                due=output.due_date,
                programme=programme,
                path=_path(output),
            )
        )
    return items


def overdue_risk_work(programme: Programme, today: date) -> list[ReminderItem]:
    """Live risks past their review date, and open mitigation actions past their due date."""
    data = overdue_reviews_and_actions(programme, today=today)
    items = [
        ReminderItem(
            owner=risk.owner,
            kind="Risk review",
            title=str(risk),
            due=risk.review_date,
            programme=programme,
            path=_path(risk),
        )
        for risk in data.reviews
    ]
    items += [
        ReminderItem(
            owner=action.owner,
            kind="Mitigation action",
            title=str(action),
            due=action.due_date,
            programme=programme,
            path=_path(action.risk),
        )
        for action in data.actions
    ]
    return items


Source = Callable[[Programme, date], list[ReminderItem]]
SOURCES: list[Source] = [overdue_outputs, overdue_risk_work]


def reminders_by_owner(
    programmes: Iterable[Programme], today: date, sources: Iterable[Source] | None = None
) -> dict[object, list[ReminderItem]]:
    """Overdue items grouped by their owner; items with no owner, or an owner who cannot be
    emailed (inactive, no address), are logged instead."""
    grouped: dict[object, list[ReminderItem]] = defaultdict(list)
    for programme in programmes:
        for source in sources if sources is not None else SOURCES:
            for item in source(programme, today):
                owner = item.owner
                if owner is None or not owner.is_active or not owner.email:
                    logger.info("No one to remind about %s %r", item.kind, item.title)
                    continue
                grouped[owner].append(item)
    return grouped


def site_url() -> str:
    """The address links in emails start with (SITE_URL, else the first allowed host)."""
    configured = getattr(settings, "SITE_URL", "")
    if configured:
        return configured.rstrip("/")
    host = next((h for h in settings.ALLOWED_HOSTS if h and h not in ("*",)), "localhost")
    return f"https://{host.lstrip('.')}"


def reminder_message(owner, items: list[ReminderItem], today: date) -> EmailMessage:
    lines = [
        f"Dear {person_name(owner)},",
        "",
        f"As of {govuk_date(today)}, these are overdue and yours to act on:",
        "",
    ]
    for item in sorted(items, key=lambda i: (i.due or today, i.kind, i.title)):
        due = govuk_date(item.due) if item.due else "no date"
        link = f" – {site_url()}{item.path}" if item.path else ""
        lines.append(f"- {item.kind}: {item.title} (due {due}; {item.programme.name}){link}")
    lines += ["", f"{settings.SERVICE_NAME}"]
    subject = f"{len(items)} overdue item{'s' if len(items) != 1 else ''} in the programme tracker"
    return EmailMessage(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [owner.email])


def send_reminders(*, today: date, sources: Iterable[Source] | None = None) -> int:
    """Email every owner their overdue items; returns how many emails were sent."""
    programmes = Programme.objects.exclude(status=Programme.Status.CLOSED).order_by("id")
    sent = 0
    for owner, items in reminders_by_owner(programmes, today, sources).items():
        sent += reminder_message(owner, items, today).send()
    return sent
