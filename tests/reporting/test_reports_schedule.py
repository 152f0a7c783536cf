"""The beat schedule, working days, the monthly highlight report to Cabinet and the daily
reminders to owners (Django's locmem mail backend)."""

from datetime import date, datetime, timedelta

import pytest
from celery.schedules import crontab
from django.core import mail
from django.utils import timezone

from programme.celery import app
from reporting import calendar, reminders, services
from reporting.models import ReportRun
from tests.conftest import make_user
from tests.reporting.support import make_programme

# gov.uk/bank-holidays, England and Wales.
BANK_HOLIDAYS = {
    2026: {
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),
    },
    2027: {
        date(2027, 1, 1),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 5, 3),
        date(2027, 5, 31),
        date(2027, 8, 30),
        date(2027, 12, 27),
        date(2027, 12, 28),
    },
    2022: {
        date(2022, 1, 3),
        date(2022, 4, 15),
        date(2022, 4, 18),
        date(2022, 5, 2),
        date(2022, 6, 2),
        date(2022, 6, 3),
        date(2022, 8, 29),
        date(2022, 9, 19),
        date(2022, 12, 26),
        date(2022, 12, 27),
    },
}


def test_the_beat_schedule_holds_the_monthly_report_the_reminders_and_the_sweep():
    # What a worker does at start: import every installed app's tasks module.
    app.loader.import_default_modules()

    schedule = app.conf.beat_schedule
    assert set(schedule) == {
        "monthly-highlight-report",
        "daily-overdue-reminders",
        "sweep-queued-reports",
        "sweep-ledger-imports",
        "sweep-outbox",
    }
    assert schedule["sweep-outbox"]["task"] == "core.tasks.sweep_outbox"
    monthly = schedule["monthly-highlight-report"]
    assert monthly["task"] == "reporting.tasks.send_monthly_highlight_reports"
    assert monthly["schedule"] == crontab(hour=7, minute=0)
    assert schedule["daily-overdue-reminders"]["task"] == ("reporting.tasks.send_daily_reminders")
    sweep = schedule["sweep-queued-reports"]
    assert sweep["task"] == "reporting.tasks.sweep_queued_reports"
    assert sweep["schedule"] == 300.0
    assert app.conf.timezone == "Europe/London"
    for entry in schedule.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_the_database_scheduler_copies_the_schedule_into_the_database():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    # What DatabaseScheduler.update_from_dict does with each entry when beat starts.
    for name, entry in app.conf.beat_schedule.items():
        ModelEntry.from_entry(name, app=app, **entry)
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert {"monthly-highlight-report", "daily-overdue-reminders", "sweep-queued-reports"} <= names


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS))
def test_bank_holidays_match_the_published_list(year):
    assert calendar.bank_holidays(year) == BANK_HOLIDAYS[year]


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 1, date(2026, 1, 2)),  # 1 January is a holiday
        (2026, 2, date(2026, 2, 2)),  # 1 February is a Sunday
        (2026, 4, date(2026, 4, 1)),
        (2026, 8, date(2026, 8, 3)),
        (2026, 11, date(2026, 11, 2)),
        (2027, 1, date(2027, 1, 4)),  # holiday Friday, then the weekend
        (2027, 5, date(2027, 5, 4)),  # Saturday, Sunday, then the early May bank holiday
    ],
)
def test_the_first_working_day_skips_weekends_and_bank_holidays(year, month, expected):
    assert calendar.first_working_day(year, month) == expected
    assert calendar.is_first_working_day_of_month(expected)
    assert not calendar.is_first_working_day_of_month(expected + timedelta(days=1))


@pytest.fixture
def programme(db):
    return make_programme()


@pytest.mark.django_db
def test_the_monthly_report_waits_for_the_first_working_day(programme, cabinet):
    assert services.monthly_highlight_reports(today=date(2026, 1, 1)) == []
    assert not ReportRun.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_monthly_report_goes_to_the_cabinet_group_once(programme, cabinet, officer):
    second = make_user("cabinet2", "Cabinet")
    make_user("retired", "Cabinet", is_active=False)
    done = services.monthly_highlight_reports(today=date(2026, 1, 2))
    assert len(done) == 1
    run = ReportRun.objects.get(pk=done[0])
    assert run.status == ReportRun.Status.DONE and run.requested_by is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.bcc) == sorted([cabinet.email, second.email])
    assert officer.email not in message.recipients()
    assert "Test programme" in message.subject
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF") and name.endswith(".pdf")
    assert f"/programmes/{programme.slug}/reports/" in message.body
    # Beat delivers twice, or a worker re-runs the task: no second report, no second email.
    # It was made on that day (the test runs on another).
    ReportRun.objects.filter(pk=run.pk).update(
        created_at=timezone.make_aware(datetime(2026, 1, 2, 7, 0))
    )
    assert services.monthly_highlight_reports(today=date(2026, 1, 2)) == done
    assert ReportRun.objects.count() == 1
    assert len(mail.outbox) == 1
    assert run.history.filter(history_change_reason=services.EMAILED_TO_CABINET).count() == 1


# Reminders -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_owner_gets_only_their_own_overdue_items(programme, officer, officer2, finance):
    today = date(2026, 11, 30)
    leaver = make_user("leaver", "Officer", is_active=False)

    def source(prog, day):
        return [
            reminders.ReminderItem(officer, "Output", "a) Review of services", day, prog),
            reminders.ReminderItem(officer, "Risk review", "R1: Not supported", day, prog),
            reminders.ReminderItem(officer2, "Mitigation action", "Brief the CLT", day, prog),
            reminders.ReminderItem(leaver, "Output", "Old output", day, prog),
            reminders.ReminderItem(None, "Output", "Unowned output", day, prog),
        ]

    assert reminders.send_reminders(today=today, sources=[source]) == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {officer.email, officer2.email}
    mine = by_recipient[officer.email].body
    assert "a) Review of services" in mine and "R1: Not supported" in mine
    assert "Brief the CLT" not in mine and "Old output" not in mine
    assert "Brief the CLT" in by_recipient[officer2.email].body
    assert finance.email not in by_recipient


@pytest.mark.django_db
def test_overdue_outputs_remind_their_owner_and_nobody_else(officer, officer2, finance):
    from stages.models import Output, Stage

    programme = make_programme()
    stage = Stage.objects.create(programme=programme, number=1, name="Diagnostics")
    today = date(2026, 11, 30)
    Output.objects.create(
        stage=stage,
        code="a",
        title="Late output",
        owner=officer,
        due_date=today - timedelta(days=3),
    )
    Output.objects.create(
        stage=stage,
        code="b",
        title="Not yet due",
        owner=officer2,
        due_date=today + timedelta(days=3),
    )
    assert reminders.send_reminders(today=today, sources=[reminders.overdue_outputs]) == 1
    (message,) = mail.outbox
    assert message.to == [officer.email]
    assert "Late output" in message.body and "Not yet due" not in message.body


@pytest.mark.django_db
def test_overdue_risk_reviews_and_actions_remind_their_owners(officer, officer2, finance):
    from risks.models import MitigationAction, Risk

    programme = make_programme()
    today = date(2026, 11, 30)
    risk = Risk.objects.create(
        programme=programme,
        kind=Risk.Kind.RISK,
        number=1,
        title="The approach is not supported",
        owner=officer,
        review_date=today - timedelta(days=1),
    )
    MitigationAction.objects.create(
        risk=risk, description="Brief the CLT", owner=officer2, due_date=today - timedelta(days=2)
    )
    MitigationAction.objects.create(
        risk=risk, description="Done already", owner=finance, due_date=today, done=True
    )
    assert reminders.send_reminders(today=today, sources=[reminders.overdue_risk_work]) == 2
    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert set(by_recipient) == {officer.email, officer2.email}
    assert "Risk review" in by_recipient[officer.email]
    assert "Mitigation action" in by_recipient[officer2.email]
