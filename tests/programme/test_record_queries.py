"""The record page reads in a fixed number of queries, whatever the size of the record."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from programme.models import ReportReview
from tests.helpers import query_count
from tests.programme.conftest import (
    BenefitFactory,
    BenefitMeasureFactory,
    ConsultationFactory,
    GlossaryTermFactory,
    RecommendationFactory,
    ReportReviewFactory,
)

pytestmark = pytest.mark.django_db


def _grow(programme, n):
    for _ in range(n):
        ConsultationFactory(programme=programme)
        RecommendationFactory(programme=programme)
        GlossaryTermFactory(programme=programme)
        benefit = BenefitFactory(programme=programme)
        for day in range(3):
            BenefitMeasureFactory(benefit=benefit, measured_on=date(2023, 1, 1) + timedelta(day))
    areas = list(ReportReview.Area)[: min(n, len(ReportReview.Area))]
    for area in areas:
        if not programme.reviews.filter(area=area).exists():
            ReportReviewFactory(programme=programme, area=area, reviewed_on=date(2022, 7, 1))


@pytest.mark.parametrize("url_name", ["programme:detail", "programme:print"])
def test_the_record_page_query_count_does_not_grow_with_the_record(
    url_name, client_for, officer, programme
):
    client = client_for(officer)
    url = reverse(url_name, args=[programme.slug])
    _grow(programme, 2)
    client.get(url)  # warm the session and role caches alike for both sizes
    small = query_count(client, url)
    _grow(programme, 20)
    large = query_count(client, url)
    assert small == large, (small, large)
    assert small <= 30
