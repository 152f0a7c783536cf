"""Each person's home says what awaits them, with counts and links to where it is done:
Finance the drawdowns to decide (never their own request), officers their overdue outputs and
the outputs others submitted, Cabinet the recommendations awaiting a decision."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.history import acting_user
from programme.models import Recommendation
from reserves.models import Drawdown, Reserve
from stages.models import Output

pytestmark = pytest.mark.django_db


def awaiting(client) -> tuple[str, str]:
    """The home page's "what awaits you" part: as words, and as HTML (for its links)."""
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="awaiting"')
    end = html.find("</ul>", start)
    part = html[start : end if end != -1 else start + 400]
    return " ".join(re.sub(r"<[^>]+>", " ", part.split(">", 1)[1]).split()), part


def test_finance_sees_the_drawdowns_to_decide_but_not_their_own_request(
    demo_programme, client_for, officer, finance, finance2
):
    reserve = Reserve.objects.get(pk=demo_programme.funding_reserve_id)
    with acting_user(officer):
        for requester in (officer, finance):
            Drawdown.objects.create(
                reserve=reserve,
                programme=None,
                purpose="Home page test",
                amount=Decimal("1000.00"),
                status=Drawdown.Status.REQUESTED,
                requested_by=requester,
            )
    queue = reverse("reserves:drawdown_queue")
    waiting = Drawdown.objects.filter(status=Drawdown.Status.REQUESTED)
    words, html = awaiting(client_for(finance2))
    assert f"{waiting.count()} drawdowns to approve or reject" in words
    assert f'href="{queue}"' in html
    own_excluded = waiting.exclude(requested_by=finance).count()
    noun = "drawdown" if own_excluded == 1 else "drawdowns"
    words, _html = awaiting(client_for(finance))
    assert f"{own_excluded} {noun} to approve or reject" in words


def test_an_officer_sees_their_overdue_outputs_first(demo_programme, client_for, officer):
    today = timezone.localdate()
    output = (
        Output.objects.filter(stage__programme=demo_programme)
        .exclude(status=Output.Status.ACCEPTED)
        .first()
    )
    Output.objects.filter(pk=output.pk).update(owner=officer, due_date=today - timedelta(days=3))
    words, html = awaiting(client_for(officer))
    assert words.startswith("1 of your outputs is overdue")
    my_outputs = reverse("stages:my_outputs", kwargs={"slug": demo_programme.slug})
    assert f'href="{my_outputs}"' in html


def test_cabinet_sees_the_recommendations_awaiting_a_decision(demo_programme, client_for, cabinet):
    Recommendation.objects.filter(programme=demo_programme).update(
        outcome=Recommendation.Outcome.PENDING
    )
    total = Recommendation.objects.filter(programme=demo_programme).count()
    words, html = awaiting(client_for(cabinet))
    assert words.startswith(f"{total} recommendations awaiting a decision")
    assert f'href="{demo_programme.get_absolute_url()}"' in html
    Recommendation.objects.filter(programme=demo_programme).update(
        outcome=Recommendation.Outcome.APPROVED
    )
    words, _html = awaiting(client_for(cabinet))
    assert "recommendation" not in words


def test_nothing_waiting_is_said_in_words(demo_programme, client_for, officer2):
    Output.objects.filter(owner=officer2).update(owner=None)
    Output.objects.filter(status=Output.Status.SUBMITTED).update(status=Output.Status.IN_PROGRESS)
    words, _html = awaiting(client_for(officer2))
    assert words.startswith("Nothing awaits you now")
