"""Bad input on every record form: a message next to the field, what was typed kept, nothing
saved, no 500. And a good change leaves a history row naming the user."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from programme.models import (
    Benefit,
    Consultation,
    GlossaryTerm,
    Programme,
    Recommendation,
    ReportReview,
)
from tests.programme.conftest import history_count, row_count
from tests.reserves.factories import second_cabinet_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomorrow() -> str:
    """Computed when the test runs (a module constant went stale in runs crossing midnight)."""
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def _refused(client, url, data, field, message):
    rows, history = row_count(), history_count()
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field]), form.errors[field]
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert f'id="id_{field}-error"' in html or f"{field}-error" in html
    assert (row_count(), history_count()) == (rows, history)
    return html


def test_an_empty_consultation_is_refused_field_by_field(client_for, officer, record):
    url = reverse("programme:consultation_add", args=[record.slug])
    response = client_for(officer).post(url, {"body": "", "outcome": "Typed outcome"})
    errors = response.context["form"].errors
    assert {"body", "consulted_on", "stance"} <= set(errors)
    assert "Typed outcome" in response.content.decode()
    assert Consultation.objects.filter(programme=record).count() == 3


def test_a_consultation_dated_in_the_future_is_refused(client_for, officer, record, tomorrow):
    url = reverse("programme:consultation_add", args=[record.slug])
    data = {"body": "Scrutiny", "consulted_on": tomorrow, "outcome": "x", "stance": "mixed"}
    html = _refused(client_for(officer), url, data, "consulted_on", "today or in the past")
    assert "Scrutiny" in html


def test_an_over_long_outcome_is_refused_and_kept(client_for, officer, record):
    consultation = Consultation.objects.filter(programme=record).first()
    url = reverse("programme:consultation_edit", args=[record.slug, consultation.pk])
    data = {
        "body": consultation.body,
        "consulted_on": "2022-06-21",
        "outcome": "word " * 1000,
        "stance": "supportive",
    }
    _refused(client_for(officer), url, data, "outcome", "at most 4000 characters")
    consultation.refresh_from_db()
    assert consultation.outcome == "Agreed to make some changes and sign off by proxy"


def test_an_unknown_stance_is_refused(client_for, officer, record):
    url = reverse("programme:consultation_add", args=[record.slug])
    data = {"body": "X", "consulted_on": "2022-06-01", "outcome": "x", "stance": "furious"}
    _refused(client_for(officer), url, data, "stance", "Select a valid choice")


def test_a_decision_date_in_the_future_is_refused_on_the_record(
    client_for, officer, record, tomorrow
):
    url = reverse("programme:edit", args=[record.slug])
    data = {
        "name": record.name,
        "decision_maker": record.decision_maker,
        "decision_date": tomorrow,
        "classification": "open",
        "purpose": record.purpose,
    }
    _refused(client_for(officer), url, data, "decision_date", "today or in the past")


def test_an_empty_decision_maker_and_purpose_are_refused(client_for, officer, record):
    url = reverse("programme:edit", args=[record.slug])
    data = {"name": record.name, "decision_date": "2022-07-19", "classification": "open"}
    response = client_for(officer).post(url, data)
    assert {"decision_maker", "purpose"} <= set(response.context["form"].errors)


def test_editing_the_record_cannot_change_the_ceiling_or_the_status(client_for, officer, record):
    url = reverse("programme:edit", args=[record.slug])
    data = {
        "name": record.name,
        "decision_maker": record.decision_maker,
        "decision_date": "2022-07-19",
        "classification": "open",
        "purpose": record.purpose,
        "spending_ceiling": "9999999",
        "status": "closed",
        "wards_affected": "Hereford wards",
    }
    response = client_for(officer).post(url, data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.wards_affected == "Hereford wards"
    assert str(record.spending_ceiling) == "490000.00"
    assert record.status == Programme.Status.IN_DELIVERY
    assert record.history.latest().history_user == officer


def test_signing_an_area_after_the_approval_is_refused_next_to_the_confirmation(
    client_for, officer, record
):
    ReportReview.objects.filter(programme=record, area="legal").delete()
    url = reverse("programme:review_edit", args=[record.slug, "legal"])
    _refused(
        client_for(officer), url, {"confirm": "on"}, "confirm", "on or before the final approval"
    )


def test_a_sign_off_needs_the_signers_confirmation(client_for, officer, programme):
    url = reverse("programme:review_edit", args=[programme.slug, "risk"])
    _refused(client_for(officer), url, {"reviewer_role": "Head of Risk"}, "confirm", "Confirm")


def test_a_recommendation_decided_in_the_future_is_refused(client_for, cabinet, record, tomorrow):
    rec = Recommendation.objects.filter(programme=record).first()
    url = reverse("programme:recommendation_decide", args=[record.slug, rec.pk])
    data = {"outcome": "rejected", "decided_on": tomorrow, "notes": "typed note"}
    html = _refused(client_for(cabinet), url, data, "decided_on", "today or in the past")
    assert "typed note" in html
    rec.refresh_from_db()
    assert rec.outcome == "approved"


def test_a_recommendation_needs_a_decision(client_for, cabinet, record):
    rec = Recommendation.objects.filter(programme=record).first()
    url = reverse("programme:recommendation_decide", args=[record.slug, rec.pk])
    _refused(
        client_for(cabinet),
        url,
        {"outcome": "pending", "decided_on": "2022-07-19"},
        "outcome",
        "Select a valid choice",
    )


def test_cabinet_records_a_decision_naming_themselves(client_for, cabinet, record):
    rec = Recommendation.objects.filter(programme=record, label="c").get()
    url = reverse("programme:recommendation_decide", args=[record.slug, rec.pk])
    response = client_for(cabinet).post(
        url, {"outcome": "deferred", "decided_on": "2022-07-20", "notes": "Wait for stage 1"}
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert (rec.outcome, str(rec.decided_on), rec.decided_by) == ("deferred", "2022-07-20", cabinet)
    assert rec.decided_by_name == "Cabinet Tester"
    latest = rec.history.latest()
    assert latest.history_user == cabinet
    assert "Approved → Deferred" in latest.history_change_reason


def test_a_ceiling_above_the_threshold_without_a_key_decision_is_refused(
    client_for, cabinet, record
):
    url = reverse("reserves:ceiling_change", args=[record.slug])
    data = {
        "new_ceiling": "£600,000",
        "title": "Raise",
        "decided_on": "2023-01-10",
        "decision_maker": "Cabinet member",
        "decision_reference": "Minute 12",
        "reason": "More money",
    }
    html = _refused(
        client_for(cabinet), url, data, "key_decision_reference", "only a new key decision"
    )
    assert "£600,000" in html
    record.refresh_from_db()
    assert str(record.spending_ceiling) == "490000.00"


@pytest.mark.parametrize("amount", ["-5", "abc", "1000000000000", "0"])
def test_absurd_ceilings_are_refused(client_for, cabinet, record, amount):
    url = reverse("reserves:ceiling_change", args=[record.slug])
    data = {
        "new_ceiling": amount,
        "title": "x",
        "decided_on": "2023-01-10",
        "decision_maker": "x",
        "decision_reference": "x",
        "reason": "x",
    }
    _refused(client_for(cabinet), url, data, "new_ceiling", "")


def test_a_key_decision_may_raise_the_ceiling_above_the_threshold_with_two_people(
    client_for, cabinet, record
):
    url = reverse("reserves:ceiling_change", args=[record.slug])
    data = {
        "new_ceiling": "600000",
        "title": "Stage 3 funding",
        "decided_on": "2023-01-10",
        "decision_maker": "Cabinet",
        "decision_reference": "Minute 45",
        "key_decision_reference": "KD/2023/07",
        "reason": "A new key decision: expenditure over £500,000.",
    }
    second = second_cabinet_member()
    assert client_for(second).post(url, data).status_code == 302
    record.refresh_from_db()
    assert str(record.spending_ceiling) == "490000.00"  # one person changes nothing
    proposal = record.ceiling_proposals.get()
    approve = reverse("reserves:ceiling_approve", args=[record.slug, proposal.pk])
    # The proposer cannot approve their own: the page says so and the POST is refused.
    assert "a different Cabinet member must approve" in client_for(second).get(approve).text
    assert client_for(second).post(approve).status_code == 403
    record.refresh_from_db()
    assert str(record.spending_ceiling) == "490000.00"
    page = client_for(cabinet).get(approve)
    assert "goes from £490,000 to £600,000" in page.text
    assert client_for(cabinet).post(approve).status_code == 302
    record.refresh_from_db()
    assert str(record.spending_ceiling) == "600000.00"
    latest = record.history.latest()
    assert latest.history_user == cabinet
    assert "£490,000 → £600,000" in latest.history_change_reason
    assert "proposed by Cabinet2 Tester, approved by Cabinet Tester" in (
        latest.history_change_reason
    )


def test_a_duplicate_glossary_term_is_refused_next_to_the_term(client_for, officer, record):
    url = reverse("programme:glossary_add", args=[record.slug])
    _refused(
        client_for(officer),
        url,
        {"term": "clt", "meaning": "again"},
        "term",
        "already in the glossary",
    )
    assert GlossaryTerm.objects.filter(programme=record, term__iexact="clt").count() == 1


def test_a_benefit_target_on_the_wrong_side_of_the_baseline_is_refused(client_for, officer, record):
    benefit = Benefit.objects.filter(programme=record).first()
    url = reverse("programme:benefit_edit", args=[record.slug, benefit.pk])
    data = {
        "title": benefit.title,
        "kind": "non_financial",
        "measure": benefit.measure,
        "direction": "decrease",
        "baseline_text": "nine",
        "baseline_value": "9",
        "baseline_source": "para 8",
        "target_value": "12",
    }
    _refused(client_for(officer), url, data, "target_value", "below the baseline")


def test_an_actual_twice_on_one_date_or_in_the_future_is_refused(
    client_for, officer, record, tomorrow
):
    benefit = Benefit.objects.filter(programme=record).first()
    url = reverse("programme:measure_add", args=[record.slug, benefit.pk])
    client = client_for(officer)
    assert client.post(url, {"measured_on": "2023-03-31", "value": "7"}).status_code == 302
    _refused(
        client, url, {"measured_on": "2023-03-31", "value": "6"}, "measured_on", "already an actual"
    )
    _refused(
        client, url, {"measured_on": tomorrow, "value": "6"}, "measured_on", "today or in the past"
    )
    _refused(client, url, {"measured_on": "2023-04-30", "value": "-1"}, "value", "greater than")
    assert benefit.measures.get().recorded_by == officer


def test_the_status_cannot_be_approved_while_sign_offs_are_missing(client_for, officer, programme):
    url = reverse("programme:status", args=[programme.slug])
    html = _refused(
        client_for(officer), url, {"status": "approved"}, "status", "cannot be marked approved"
    )
    assert "Governance: not signed off" in html
    assert "Final approval: not recorded" in html
    programme.refresh_from_db()
    assert programme.status == "draft"


def test_the_future_date_rule_turns_over_at_london_midnight_not_utc(client_for, officer, record):
    """At 23:59:59 London time tomorrow is refused; a second after midnight it is today. In
    July London is an hour ahead of UTC, so a rule reading the UTC date would fail here."""
    benefit = Benefit.objects.filter(programme=record).first()
    url = reverse("programme:measure_add", args=[record.slug, benefit.pk])
    london = zoneinfo.ZoneInfo("Europe/London")
    with time_machine.travel(datetime(2026, 7, 14, 23, 59, 59, tzinfo=london), tick=False):
        client = client_for(officer)
        _refused(
            client, url, {"measured_on": "2026-07-15", "value": "6"}, "measured_on", "in the past"
        )
        assert client.post(url, {"measured_on": "2026-07-14", "value": "6"}).status_code == 302
    with time_machine.travel(datetime(2026, 7, 15, 0, 0, 1, tzinfo=london), tick=False):
        assert client.post(url, {"measured_on": "2026-07-15", "value": "5"}).status_code == 302
    assert sorted(str(m.measured_on) for m in benefit.measures.all()) == [
        "2026-07-14",
        "2026-07-15",
    ]
