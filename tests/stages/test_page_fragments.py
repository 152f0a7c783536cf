"""Page fragments (core/fragments.py, decision 0086) on the stage page: shared by people with
the same roles, never by people with different ones, renewed by any committed change, and
never a way round the access check."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.fragments import data_version
from stages.models import ProgressUpdate

from .conftest import url
from .factories import OutputFactory

pytestmark = pytest.mark.django_db


def _get(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_a_second_officer_gets_the_first_officers_fragment_without_the_page_being_drawn(
    client_for, officer, officer2, stages
):
    path = url(stages[1].programme, "detail", number=1)
    first, drawn = _get(client_for(officer), path)
    second, shared = _get(client_for(officer2), path)
    assert shared < drawn - 5, (shared, drawn)
    # The page around the fragment is each person's own (their name, their form token).
    assert _main(second) == _main(first)
    assert "Officer2 Tester" in second


def test_people_with_other_roles_never_see_an_officers_buttons(
    client_for, officer, cabinet, stages
):
    path = url(stages[1].programme, "detail", number=1)
    as_officer, _ = _get(client_for(officer), path)
    as_cabinet, _ = _get(client_for(cabinet), path)
    assert "Post a progress update" in as_officer
    assert "Post a progress update" not in as_cabinet


def test_a_progress_update_shows_at_once_on_a_stage_page_already_cached(
    client_for, officer, cabinet, stages
):
    path = url(stages[1].programme, "detail", number=1)
    before, _ = _get(client_for(cabinet), path)
    assert "Interviews with every service done" not in before
    response = client_for(officer).post(
        url(stages[1].programme, "update_new", number=1),
        {
            "as_of": "2024-02-01",
            "rag": "amber",
            "percent_complete": "40",
            "narrative": "Interviews with every service done",
        },
    )
    assert response.status_code == 302
    after, _ = _get(client_for(cabinet), path)
    assert "Interviews with every service done" in after


def test_a_change_rolled_back_leaves_the_data_version_as_it_was(stages, officer):
    before = data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        OutputFactory(stage=stages[1], code="z", title="Never kept", owner=officer)
        raise RuntimeError("roll back")
    assert data_version() == before
    OutputFactory(stage=stages[1], code="y", title="Kept", owner=officer)
    assert data_version() != before


def test_a_cached_page_still_refuses_who_may_not_see_it(client_for, officer, stages):
    from tests.conftest import make_user

    path = url(stages[1].programme, "detail", number=1)
    _get(client_for(officer), path)
    nobody = make_user("no-role", None)
    assert client_for(nobody).get(path).status_code == 403
    anonymous = client_for(None).get(path)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert ProgressUpdate.objects.count() == 0
