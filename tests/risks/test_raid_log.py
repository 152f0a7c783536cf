"""The RAID log beside the risk register (issue 14): issues, assumptions and dependencies with
owner, priority, dates, actions and status; an escalation to Cabinet logged as an issue,
linked back to its progress update, showing Cabinet's decision."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from risks import services
from risks.models import RaidItem
from stages import services as stage_services
from stages.models import Escalation, Stage
from tests.stages.factories import DecisionFactory, ProgrammeFactory, StageFactory


@pytest.fixture
def stages(db):
    """{1: a stage under way} of a programme."""
    programme = ProgrammeFactory(slug="raid-programme")
    one = StageFactory(
        programme=programme,
        number=1,
        status=Stage.Status.IN_PROGRESS,
        actual_start=date(2024, 1, 8),
        approved_by_decision=DecisionFactory(programme=programme),
    )
    return {1: one}


def _escalate(officer, stage):
    stage_services.progress_update_create(
        actor=officer,
        stage=stage,
        data={
            "as_of": date(2024, 3, 1),
            "rag": "amber",
            "percent_complete": 40,
            "narrative": "Stuck",
            "escalation": "Need CLT decision on call centre data owners",
        },
    )
    return Escalation.objects.get()


def test_an_item_is_saved_with_its_fields_and_history_names_the_actor(finance, stages):
    item = services.raid_item_save(
        actor=finance,
        item=RaidItem(programme=stages[1].programme),
        data={
            "kind": "dependency",
            "title": "Telephony contract renewal",
            "owner": finance,
            "priority": "high",
            "raised_on": date(2024, 1, 8),
            "due_date": date(2024, 6, 30),
            "actions": "Agree the renewal date with procurement",
            "status": "open",
        },
    )
    assert item.history.latest().history_user == finance
    assert RaidItem.objects.get().get_kind_display() == "Dependency"


def test_a_due_date_before_it_was_raised_is_a_field_error_and_nothing_is_saved(finance, stages):
    with pytest.raises(ValidationError) as refused:
        services.raid_item_save(
            actor=finance,
            item=RaidItem(programme=stages[1].programme),
            data={
                "kind": "issue",
                "title": "Late",
                "raised_on": date(2024, 5, 1),
                "due_date": date(2024, 4, 1),
            },
        )
    assert "due_date" in refused.value.message_dict
    assert not RaidItem.objects.exists()


def test_cabinet_may_not_edit_the_log(cabinet, stages):
    with pytest.raises(PermissionDenied):
        services.raid_item_save(
            actor=cabinet,
            item=RaidItem(programme=stages[1].programme),
            data={"kind": "issue", "title": "x", "raised_on": date(2024, 1, 1)},
        )


def test_an_escalation_becomes_an_issue_once_linked_back_to_its_update(officer, stages):
    escalation = _escalate(officer, stages[1])
    item = services.raid_issue_from_escalation(actor=officer, escalation=escalation)
    assert (item.kind, item.escalation, item.owner) == ("issue", escalation, officer)
    assert "progress update of 1 March 2024" in item.description
    with pytest.raises(ValidationError):
        services.raid_issue_from_escalation(actor=officer, escalation=escalation)
    assert RaidItem.objects.count() == 1


def test_the_log_page_shows_unlogged_escalations_and_cabinets_decision(
    client_for, officer, cabinet, stages
):
    escalation = _escalate(officer, stages[1])
    slug = stages[1].programme.slug
    log_url = reverse("risks:raid", kwargs={"slug": slug})
    html = client_for(officer).get(log_url).content.decode()
    assert "Escalated to Cabinet, not yet in this log" in html
    add = reverse(
        "risks:raid_from_escalation", kwargs={"slug": slug, "escalation_id": escalation.pk}
    )
    assert client_for(officer).post(add).status_code == 302
    assert not RaidItem.objects.exists()  # no confirmation: nothing logged
    assert client_for(cabinet).post(add, {"confirm": "yes"}).status_code == 403
    assert client_for(officer).post(add, {"confirm": "yes"}).status_code == 302
    stage_services.escalation_decide(
        actor=cabinet, escalation=escalation, data={"decision": "CLT to name owners"}
    )
    html = client_for(officer).get(log_url).content.decode()
    assert "not yet in this log" not in html
    assert "decided by Cabinet Tester: CLT to name owners" in html


def test_the_form_keeps_what_was_typed_and_puts_the_error_by_the_field(client_for, officer, stages):
    slug = stages[1].programme.slug
    response = client_for(officer).post(
        reverse("risks:raid_create", kwargs={"slug": slug}),
        {
            "kind": "issue",
            "title": "Data owners",
            "raised_on": "2024-05-01",
            "due_date": "2024-04-01",
            "priority": "high",
            "status": "open",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The date must be on or after the date raised." in html
    assert 'value="Data owners"' in html
    assert not RaidItem.objects.exists()
