"""Recording a stage gate goes through GOV.UK's "check your answers": the answers and what
recording them will do are shown first, nothing is recorded until the button on that page is
pressed, and the answers can be changed on the way."""

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.models import Decision
from stages.models import Output

pytestmark = pytest.mark.django_db

ANSWERS = {
    "decided_on_day": "3",
    "decided_on_month": "6",
    "decided_on_year": "2024",
    "decision_maker": "Cabinet member for finance",
    "summary": "Stage 1 outputs reviewed",
    "source_reference": "Notice 42",
}


@pytest.fixture
def gate_url(programme, stages):
    return reverse("stages:gate", kwargs={"slug": programme.slug, "number": 2})


@pytest.fixture
def all_accepted(stage1_outputs, cabinet):
    Output.objects.filter(pk__in=[o.pk for o in stage1_outputs]).update(
        status=Output.Status.ACCEPTED, accepted_by=cabinet, accepted_at=timezone.now()
    )


def test_the_gate_shows_its_answers_and_effect_before_recording_anything(
    gate_url, stages, all_accepted, client_for, cabinet
):
    decisions = Decision.objects.count()
    response = client_for(cabinet).post(gate_url, ANSWERS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Check your answers before you record the gate decision" in html
    assert "3 June 2024" in html and "Cabinet member for finance" in html
    assert "Stage 1 has 3 of 3 outputs accepted: stage 2 can then be started." in html
    # The answers travel with the confirming button; nothing is recorded yet.
    assert '<input type="hidden" name="decided_on_day" value="3">' in html
    assert Decision.objects.count() == decisions
    stages[2].refresh_from_db()
    assert stages[2].gate_decision_id is None


def test_changing_the_answers_shows_the_form_filled_in(gate_url, all_accepted, client_for, cabinet):
    response = client_for(cabinet).post(gate_url, ANSWERS | {"change": "yes"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="decision_maker" value="Cabinet member for finance"' in html
    assert 'name="decided_on_month" type="text" inputmode="numeric" value="6"' in html
    assert "Check your answers" not in html


def test_confirming_records_the_gate(gate_url, stages, all_accepted, client_for, cabinet):
    response = client_for(cabinet).post(gate_url, ANSWERS | {"confirm": "yes"})
    assert response.status_code == 302
    stages[2].refresh_from_db()
    gate = stages[2].gate_decision
    assert (gate.decision_maker, gate.recorded_by) == ("Cabinet member for finance", cabinet)
    assert gate.history.latest().history_user == cabinet


def test_the_effect_warns_when_the_gate_will_be_refused(
    gate_url, stage1_outputs, client_for, cabinet
):
    html = client_for(cabinet).post(gate_url, ANSWERS).content.decode()
    assert "Stage 1 has 0 of 3 outputs accepted, so the gate will be refused" in html
    response = client_for(cabinet).post(gate_url, ANSWERS | {"confirm": "yes"})
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
