"""Each role × each page and form of the programme record: who may see, who may change.
A refused change is a 403 that changes nothing; an accepted one leaves a history row naming
the user."""

import pytest
from django.urls import reverse

from programme.models import (
    Benefit,
    Consultation,
    GlossaryTerm,
    KeyConsideration,
    Recommendation,
)
from tests.programme.conftest import history_count, latest_history, row_count

pytestmark = pytest.mark.django_db

EVERYONE = {"officer", "finance", "cabinet", "admin"}
EDITORS = {"officer", "admin"}
DECIDERS = {"cabinet", "admin"}


def _pages(p):
    """(url, roles that may open it) for every page of the record."""
    consultation = Consultation.objects.filter(programme=p).first()
    benefit = Benefit.objects.filter(programme=p).first()
    term = GlossaryTerm.objects.filter(programme=p).first()
    rec = Recommendation.objects.filter(programme=p).first()
    consideration = KeyConsideration.objects.filter(programme=p).first()
    s = p.slug
    pages = [
        (reverse("programme:detail", args=[s]), EVERYONE),
        (reverse("programme:print", args=[s]), EVERYONE),
        (reverse("programme:edit", args=[s]), EDITORS),
        # Closing the programme is cabinet's, so cabinet reaches the status page too.
        (reverse("programme:status", args=[s]), EDITORS | DECIDERS),
        (reverse("programme:consultation_add", args=[s]), EDITORS),
        (reverse("programme:consultation_edit", args=[s, consultation.pk]), EDITORS),
        (reverse("programme:review_edit", args=[s, "legal"]), EDITORS),
        (reverse("programme:review_edit", args=[s, "final_approval"]), EDITORS),
        (reverse("programme:benefit_add", args=[s]), EDITORS),
        (reverse("programme:benefit_edit", args=[s, benefit.pk]), EDITORS),
        (reverse("programme:measure_add", args=[s, benefit.pk]), EDITORS),
        (reverse("programme:glossary_add", args=[s]), EDITORS),
        (reverse("programme:glossary_edit", args=[s, term.pk]), EDITORS),
        (reverse("programme:item_edit", args=[s, "considerations", consideration.pk]), EDITORS),
        (reverse("programme:recommendation_decide", args=[s, rec.pk]), DECIDERS),
        (reverse("reserves:ceiling_change", args=[s]), DECIDERS),
    ]
    for kind in ("key-reasons", "recommendations", "options", "objectives", "considerations"):
        pages.append((reverse("programme:item_add", args=[s, kind]), EDITORS))
    for register in ("consultations", "sign-offs", "benefits"):
        for fmt in ("csv", "xlsx"):
            pages.append((reverse("programme:export", args=[s, register, fmt]), EVERYONE))
    pages.append((reverse("programme:export", args=[s, "record", "xlsx"]), EVERYONE))
    return pages


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_sees_exactly_the_record_pages_it_may_use(role, role_users, client_for, record):
    client = client_for(role_users[role])
    for url, allowed in _pages(record):
        response = client.get(url)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (role, url, response.status_code)


def _forms(p):
    """(url, valid POST data, roles that may submit) for every form of the record."""
    consultation = Consultation.objects.filter(programme=p).first()
    benefit = Benefit.objects.filter(programme=p).first()
    term = GlossaryTerm.objects.filter(programme=p).first()
    rec = Recommendation.objects.filter(programme=p).first()
    s = p.slug
    return [
        (
            reverse("programme:edit", args=[s]),
            {
                "report_title": "Transformation Programme",
                "name": p.name,
                "council": p.council,
                "decision_maker": p.decision_maker,
                "decision_date": "2022-07-19",
                "report_author": "Head of the chief executive's office",
                "classification": "open",
                "is_key_decision": "on",
                "notice_served": p.notice_served,
                "wards_affected": "(All Wards)",
                "purpose": p.purpose,
                "appendices": "None",
                "background_papers": "None Identified",
            },
            EDITORS,
        ),
        (
            reverse("programme:consultation_edit", args=[s, consultation.pk]),
            {
                "body": consultation.body,
                "consulted_on": "2022-06-21",
                "outcome": "Agreed with changes",
                "stance": "supportive",
                "source_reference": "Consultees table",
            },
            EDITORS,
        ),
        (
            reverse("programme:consultation_add", args=[s]),
            {
                "body": "Scrutiny committee",
                "consulted_on": "2022-07-01",
                "outcome": "Noted",
                "stance": "mixed",
                "source_reference": "",
            },
            EDITORS,
        ),
        (
            reverse("programme:benefit_edit", args=[s, benefit.pk]),
            {
                "title": benefit.title,
                "description": "",
                "kind": "non_financial",
                "measure": benefit.measure,
                "unit": benefit.unit,
                "direction": benefit.direction,
                "baseline_text": benefit.baseline_text,
                "baseline_value": "9",
                "baseline_date": "2022-07-19",
                "baseline_source": "para 8",
                "target_value": "2",
                "target_date": "2025-03-31",
                "target_is_demo": "on",
                "source_reference": "para 30",
            },
            EDITORS,
        ),
        (
            reverse("programme:measure_add", args=[s, benefit.pk]),
            {"measured_on": "2023-03-31", "value": "7", "note": "Two call centres merged"},
            EDITORS,
        ),
        (
            reverse("programme:glossary_edit", args=[s, term.pk]),
            {"term": term.term, "meaning": "A changed meaning.", "source_reference": "para 1"},
            EDITORS,
        ),
        (
            reverse("programme:item_add", args=[s, "objectives"]),
            {"position": "14", "text": "A new objective.", "source_reference": "officer"},
            EDITORS,
        ),
        (
            reverse("programme:status", args=[s]),
            {"status": "approved"},
            EDITORS,
        ),
        (
            reverse("programme:recommendation_decide", args=[s, rec.pk]),
            {"outcome": "approved_with_changes", "decided_on": "2022-07-19", "notes": ""},
            DECIDERS,
        ),
        (
            reverse("reserves:ceiling_change", args=[s]),
            {
                # The first of two people: a proposal (reserves.services.ceiling_propose).
                "new_ceiling": "495,000",
                "title": "Raise the ceiling for stage 2",
                "decided_on": "2023-01-10",
                "decision_maker": "Cabinet member",
                "decision_reference": "Minute 12",
                "reason": "Stage 2 costs more than estimated.",
            },
            DECIDERS,
        ),
        # Closing the programme is a decision too (signing off: test_sign_offs_and_closing,
        # as every area of the seed report is signed as the report records it).
        (reverse("programme:status", args=[s]), {"status": "closed"}, DECIDERS),
    ]


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_changes_only_what_it_may_and_history_names_it(
    role, role_users, client_for, record
):
    user = role_users[role]
    client = client_for(user)
    for url, data, allowed in _forms(record):
        rows, history = row_count(), history_count()
        response = client.post(url, data)
        if role in allowed:
            assert response.status_code == 302, (role, url, response.content.decode()[:3000])
            assert history_count() > history, url
            assert latest_history().history_user == user, url
        else:
            assert response.status_code == 403, (role, url)
            assert (row_count(), history_count()) == (rows, history), url


def test_anonymous_users_are_sent_to_sign_in_from_every_record_page(client, record):
    for url, _allowed in _pages(record):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_record_rows_of_another_programme_are_not_found(client_for, officer, record, programme):
    consultation = Consultation.objects.filter(programme=record).first()
    url = reverse("programme:consultation_edit", args=[programme.slug, consultation.pk])
    assert client_for(officer).get(url).status_code == 404


def test_unknown_parts_and_exports_are_not_found(client_for, officer, record):
    client = client_for(officer)
    s = record.slug
    assert client.get(reverse("programme:item_add", args=[s, "nonsense"])).status_code == 404
    assert client.get(reverse("programme:review_edit", args=[s, "nonsense"])).status_code == 404
    assert client.get(reverse("programme:export", args=[s, "record", "csv"])).status_code == 404
    assert client.get(reverse("programme:export", args=[s, "risks", "pdf"])).status_code == 404
