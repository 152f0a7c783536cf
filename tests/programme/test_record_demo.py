"""`load_demo` reproduces every programme-record fact of the decision report, once."""

import os
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from programme.demo import DEMO_SLUG
from programme.models import (
    AlternativeOption,
    Benefit,
    Consultation,
    Decision,
    GlossaryTerm,
    KeyConsideration,
    KeyDecisionReason,
    Objective,
    Programme,
    Recommendation,
    ReportReview,
)
from tests.programme.conftest import history_count, row_count

pytestmark = pytest.mark.django_db


def _load(*args):
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", *args, stdout=devnull)


def test_load_demo_reproduces_the_decision_summary_of_the_report():
    _load()
    p = Programme.objects.get(slug=DEMO_SLUG)
    assert p.report_title == "Transformation Programme"
    assert p.decision_maker == "Cabinet member finance, corporate services and planning"
    assert p.decision_date == date(2022, 7, 19)
    assert p.report_author == "Head of chief executive's office"
    assert p.classification == Programme.Classification.OPEN
    assert p.is_key_decision
    assert p.spending_ceiling == Decimal("490000.00")
    assert p.key_decision_threshold == Decimal("500000.00")
    assert p.wards_affected == "(All Wards)"
    assert p.purpose.startswith("To gain authorisation to draw up to £490,000")
    assert "Part 3, Section 9" in p.notice_served
    assert p.appendices == "None"
    assert p.background_papers == "None Identified"
    reasons = list(KeyDecisionReason.objects.filter(programme=p))
    assert [r.test for r in reasons] == ["expenditure", "community"]
    assert "A threshold of £500,000 is regarded as significant." in reasons[0].text
    assert "(two or more wards)" in reasons[1].text
    key = Decision.objects.get(programme=p, kind=Decision.Kind.KEY_DECISION)
    assert key.decided_on == date(2022, 7, 19)
    assert key.new_spending_ceiling == Decimal("490000.00")


def test_load_demo_reproduces_the_recommendations_options_and_objectives():
    _load()
    p = Programme.objects.get(slug=DEMO_SLUG)
    recs = list(Recommendation.objects.filter(programme=p))
    assert [r.label for r in recs] == ["a", "b", "c"]
    assert recs[1].text == (
        "The Cabinet member for finance, corporate services and planning approves expenditure "
        "up to the value of £490,000 from the council's corporate revenue reserves to fund all "
        "necessary steps of the digital and customer services transformation approach;"
    )
    assert recs[2].text.startswith(
        "The Cabinet member for finance, corporate services and "
        "planning authorises the Director for Resources and Assurance"
    )
    assert all(r.source_reference == f"Recommendation(s) {r.label})" for r in recs)
    option = AlternativeOption.objects.get(programme=p)
    assert (option.number, option.title, option.is_recommended) == (1, "Do nothing", False)
    assert option.reason.startswith("This is not recommended because the customer journey")
    objectives = Objective.objects.filter(programme=p)
    assert [o.source_reference for o in objectives] == ["para 10", "para 11", "para 12", "para 13"]
    sections = {
        s: KeyConsideration.objects.filter(programme=p, section=s).count()
        for s in KeyConsideration.Section.values
    }
    assert sections == {
        "driver": 8,  # paras 2-9
        "current_position": 5,  # paras 14-18
        "county_plan": 4,  # vision (para 35) and three themes (para 36)
        "value": 6,  # para 38 I-VI
        "legal": 4,  # paras 49-52
        "approach": 10,  # paras 19-28, whole
        "benefits": 6,  # paras 29-34
        "community": 3,  # paras 35-37
        "environment": 2,  # paras 39-40
        "equality": 6,  # paras 41-46
    }


def test_load_demo_reproduces_the_consultees_with_their_stance():
    _load()
    rows = [
        (c.body, c.consulted_on, c.outcome, c.stance)
        for c in Consultation.objects.filter(programme__slug=DEMO_SLUG)
    ]
    assert rows == [
        (
            "Council Leadership Team (CLT)",
            date(2022, 6, 21),
            "Agreed to make some changes and sign off by proxy",
            "supportive",
        ),
        (
            "Cabinet member finance, corporate services and planning",
            date(2022, 6, 28),
            "supportive of the proposal",
            "supportive",
        ),
        (
            "Political Groups Consultation",
            date(2022, 7, 6),
            "Mixed views were received but in general supportive of the proposal",
            "mixed",
        ),
    ]


def test_load_demo_reproduces_the_seven_sign_offs_and_the_final_approval():
    _load()
    reviews = {r.area: r for r in ReportReview.objects.filter(programme__slug=DEMO_SLUG)}
    assert {a: (r.reviewer, r.reviewed_on) for a, r in reviews.items()} == {
        "governance": ("John Coleman", date(2022, 7, 7)),
        "finance": ("Jo Moore", date(2022, 7, 8)),
        "legal": ("Alice McAlpine", date(2022, 7, 6)),
        "communications": ("Luenne Featherstone", date(2022, 6, 28)),
        "equality_duty": ("Carol Trachonitis", date(2022, 6, 28)),
        "procurement": ("Lee Robertson", date(2022, 6, 28)),
        "risk": ("Kevin Lloyd", date(2022, 7, 5)),
        "final_approval": ("Joanne Moore", date(2022, 7, 11)),
    }
    assert (
        reviews["final_approval"].reviewer_role
        == "Interim Head of Strategic Finance (Deputy S151 Officer)"
    )


def test_load_demo_reproduces_the_three_benefit_baselines_with_demo_targets():
    _load()
    benefits = list(Benefit.objects.filter(programme__slug=DEMO_SLUG))
    assert [(b.baseline_value, b.unit) for b in benefits] == [
        (Decimal("9"), "call centres"),
        (Decimal("16"), "%"),
        (Decimal("700"), "numbers"),
    ]
    assert "over 700" in benefits[2].baseline_text
    assert "Blueschool House" in benefits[1].measure
    assert all(b.baseline_source == "para 8" for b in benefits)
    assert all(b.target_is_demo for b in benefits)


def test_load_demo_gives_the_glossary_the_report_asks_for():
    _load()
    terms = set(
        GlossaryTerm.objects.filter(programme__slug=DEMO_SLUG).values_list("term", flat=True)
    )
    assert {
        "S151 officer",
        "CLT",
        "MTFS",
        "PROM",
        "BAU",
        "EIA",
        "RAG",
        "County Plan",
        "Key decision",
        "Earmarked reserve",
        "PCR 2015",
    } <= terms
    assert not GlossaryTerm.objects.filter(source_reference="").exists()


def test_every_seeded_fact_keeps_its_report_reference():
    _load()
    for model in (
        KeyDecisionReason,
        Recommendation,
        AlternativeOption,
        Objective,
        KeyConsideration,
        Consultation,
        ReportReview,
        Benefit,
        GlossaryTerm,
    ):
        assert not model.objects.filter(source_reference="").exists(), model.__name__


def test_a_second_load_demo_adds_no_rows_and_no_history(settings):
    settings.DEBUG = True
    _load()
    rows, history = row_count(), history_count()
    _load()
    assert (row_count(), history_count()) == (rows, history)


def test_load_demo_history_names_the_demo_admin(settings):
    settings.DEBUG = True
    _load()
    p = Programme.objects.get(slug=DEMO_SLUG)
    assert p.history.earliest().history_user.username == "admin"
    assert Consultation.history.filter(history_user__username="admin").count() == 3


def test_load_demo_makes_no_demo_users_when_debug_is_off(settings):
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    _load()
    assert not get_user_model().objects.filter(username="officer").exists()
    assert Programme.objects.filter(slug=DEMO_SLUG).exists()


def test_the_demo_record_page_shows_every_count_and_figure(client_for, admin_user):
    _load()
    response = client_for(admin_user).get(f"/programmes/{DEMO_SLUG}/")
    text = response.content.decode()
    for fact in (
        "19 July 2022",
        "£490,000",
        "£500,000",
        "(All Wards)",
        "Head of chief executive&#x27;s office",
        "3 of 3 recommendations decided",
        "7 of 7 areas signed",
        "Joanne Moore",
        "11 July 2022",
        "Nothing is missing",
        "para 10",
        "Consultees table",
        "over 700 telephone number",
        "Demo target",
        "PCR 2015",
    ):
        assert fact in text, fact
