"""The email outbox (issue 14): Cabinet members are emailed, with a link, when an exception or
an escalation is raised; the email is a row written in the same transaction, sent once after
commit, and sent again by the sweep when the broker was away."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from core import outbox
from core.models import OutboxEmail
from stages import services
from stages.models import Stage
from tests.conftest import make_user
from tests.stages.factories import DecisionFactory, ProgrammeFactory, StageFactory


@pytest.fixture
def stage(db):
    programme = ProgrammeFactory(slug="outbox", name="Customer access")
    return StageFactory(
        programme=programme,
        number=1,
        name="Diagnostics",
        status=Stage.Status.IN_PROGRESS,
        actual_start=date(2024, 1, 8),
        approved_by_decision=DecisionFactory(programme=programme),
    )


def _post(officer, stage, **data):
    return services.progress_update_create(
        actor=officer,
        stage=stage,
        data={
            "as_of": date(2024, 3, 1),
            "rag": "amber",
            "percent_complete": 40,
            "narrative": "x",
            **data,
        },
    )


def test_cabinet_is_emailed_with_links_once_the_update_commits(
    officer, cabinet, stage, django_capture_on_commit_callbacks
):
    make_user("cabinet2", "Cabinet")
    services.tolerances_set(
        actor=cabinet,
        programme=stage.programme,
        stage=stage,
        data={
            "budget": Decimal("200000"),
            "cost_tolerance_percent": Decimal("5"),
            "decided_on": date(2024, 1, 5),
        },
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _post(officer, stage, forecast_cost=Decimal("230000"), escalation="Need CLT decision")
    email = OutboxEmail.objects.get()
    assert email.sent_at is None and not mail.outbox  # nothing leaves before the commit
    assert email.to.split("\n") == ["cabinet2@example.gov.uk", "cabinet@example.gov.uk"]
    assert "£20,000 over" in email.body and "Need CLT decision" in email.body
    assert "/stages/exceptions/" in email.body and "/stages/escalations/" in email.body
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].bcc) == {"cabinet@example.gov.uk", "cabinet2@example.gov.uk"}
    assert OutboxEmail.objects.get().sent_at is not None
    assert outbox.outbox_deliver(email.pk) == "skipped"  # a second delivery sends nothing
    assert len(mail.outbox) == 1


def test_an_update_that_raises_nothing_emails_no_one(officer, cabinet, stage):
    _post(officer, stage)
    assert not OutboxEmail.objects.exists()


def test_the_sweep_sends_what_the_broker_never_took(db, settings):
    email = OutboxEmail.objects.create(
        to="cabinet@example.gov.uk",
        subject="For Cabinet",
        body="An exception",
        created_at=timezone.now() - timedelta(minutes=10),
    )
    fresh = OutboxEmail.objects.create(to="cabinet@example.gov.uk", subject="New", body="b")
    assert outbox.outbox_sweep() == 1
    email.refresh_from_db()
    fresh.refresh_from_db()
    assert email.sent_at is not None and fresh.sent_at is None
    assert [m.subject for m in mail.outbox] == ["For Cabinet"]
