"""Every main page asks the database the same number of questions however much data there is:
the benchmark generator's data at scale 1 and again at scale 3 (bench/generate.py), each page
counted with an empty cache and again warm, by the demo user who would use it.

The benchmark itself (bench/query_counts.py) prints the same counts at scale 1 and 100.
"""

import pytest

from bench.generate import generate
from bench.pages import PAGES, page_urls
from bench.query_counts import count_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def role_groups():
    """The role groups a migration makes; a browser test's flush may have removed them."""
    from django.contrib.auth.models import Group

    from core.access import Role

    for role in Role:
        Group.objects.get_or_create(name=role.value)


# Pages that must be wired; the dashboard joins the count as soon as its URL name resolves.
REQUIRED = {label for label, *_ in PAGES} - {"Dashboard"}


def test_every_main_page_is_in_the_count():
    generate(scale=1)
    labels = {label for label, _url, _user in page_urls()}
    assert labels >= REQUIRED, REQUIRED - labels


def test_each_page_asks_the_same_number_of_queries_at_scale_1_and_scale_3():
    generate(scale=1)
    small = count_pages(page_urls())
    generate(scale=3)
    large = count_pages(page_urls())
    assert set(small) == set(large)
    grew = {label: (small[label], large[label]) for label in small if small[label] != large[label]}
    assert not grew, f"query counts (cold, warm) that grew with the data: {grew}"


def test_scale_3_really_has_more_to_show():
    """Without this the equality above could pass on pages that show nothing."""
    from reserves.models import Drawdown
    from risks.models import Risk, RiskReview
    from stages.models import Output, ProgressUpdate

    generate(scale=1)
    before = [m.objects.count() for m in (Drawdown, Risk, RiskReview, Output, ProgressUpdate)]
    generate(scale=3)
    after = [m.objects.count() for m in (Drawdown, Risk, RiskReview, Output, ProgressUpdate)]
    assert all(b > a for a, b in zip(before, after, strict=True)), (before, after)
