"""Every fact the demo says comes from the decision report quotes words that are in the part of
the report it cites (the project's copy, programme/seed). A new citation that does not hold, a
paragraph that does not exist, or a reference to the report with no quote fails here."""

import pytest
from django.apps import apps
from django.core.management import call_command

from programme import report_source
from programme.models import Benefit, KeyConsideration, Programme
from reporting.demo import demo_load
from reporting.demo_users import ensure_demo_users


def _cited_rows():
    """(model label, pk, reference, quote) for every row of every model with a citation."""
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if {"source_reference", "source_quote"} <= names and not model.__name__.startswith(
            "Historical"
        ):
            for pk, reference, quote in model.objects.values_list(
                "pk", "source_reference", "source_quote"
            ):
                yield model._meta.label, pk, reference, quote


@pytest.fixture
def demo(db):
    return demo_load(users=ensure_demo_users("x-demo-password"))


def test_every_citation_in_the_loaded_demo_holds(demo):
    rows = list(_cited_rows())
    assert len(rows) > 100
    problems = [
        f"{label} #{pk} ({reference}): {problem}"
        for label, pk, reference, quote in rows
        for problem in report_source.citation_problems(reference, quote)
    ]
    assert problems == []
    # Most facts cite the report with its words; the rest say they are not from it.
    quoted = [row for row in rows if row[3]]
    assert len(quoted) > 100


def test_the_demo_also_holds_without_demo_users(db):
    demo_load(users={})
    problems = [
        problem
        for _label, _pk, reference, quote in _cited_rows()
        for problem in report_source.citation_problems(reference, quote)
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("reference", "quote", "expected"),
    [
        ("para 30", "there are nine call centres", "is not in para 30"),
        ("para 8", "there are nine call centres", None),
        ("para 8", "Across the council there are nine call centres", None),
        ("para 31", "over 700 telephone number", "is not in para 31"),
        ("para 55", "anything", "paragraph 55 does not exist"),
        ("Recommendation(s) b)", "from the Financial Resilience earmarked reserve", "is not in"),
        ("Paragraph 49", "Director for Resources and Assurance", "is not in"),
        ("Paragraph 49", "Director of Assurance and Resources", None),
        ("para 8", "", "quotes none of its words"),
        ("Somewhere else", "words", "names no part of the report"),
        ("Illustrative (demo): invented", "", None),
        ("paras 41 to 46", "section 149 … nine 'protected characteristics'", None),
    ],
)
def test_a_citation_that_does_not_hold_is_caught(reference, quote, expected):
    problems = report_source.citation_problems(reference, quote)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in problem for problem in problems), problems


def test_the_report_copy_has_its_54_paragraphs_and_keeps_the_reports_slips():
    paragraphs = report_source.paragraphs()
    assert sorted(paragraphs) == list(range(1, 55))
    assert "Director of Assurance and Resources" in paragraphs[49]
    assert "over 700 telephone number for the council" in paragraphs[8]
    # Headings between paragraphs are not part of the paragraph before them.
    assert not paragraphs[34].endswith("Community impact")


def test_sections_with_no_home_before_are_on_the_record_in_full(demo):
    placed = set(
        KeyConsideration.objects.filter(programme=demo).values_list("section", "source_reference")
    )
    expected = {
        KeyConsideration.Section.APPROACH: (19, 20, 22, 23, 24, 26),
        KeyConsideration.Section.BENEFITS: (29, 32, 33, 34),
        KeyConsideration.Section.COMMUNITY: (35, 36, 37),
        KeyConsideration.Section.ENVIRONMENT: (39, 40),
        KeyConsideration.Section.EQUALITY: (41, 42, 43, 44, 45),
    }
    for section, numbers in expected.items():
        for number in numbers:
            assert (section, f"para {number}") in placed
    para_41 = KeyConsideration.objects.get(
        programme=demo, section=KeyConsideration.Section.EQUALITY, source_reference="para 41"
    ).text
    assert report_source.normalise(para_41) == report_source.paragraphs()[41]


def test_load_demo_twice_writes_nothing_the_second_time(db):
    call_command("load_demo", verbosity=0)
    counts = {m._meta.label: m.objects.count() for m in apps.get_models()}
    call_command("load_demo", verbosity=0)
    assert {m._meta.label: m.objects.count() for m in apps.get_models()} == counts
    assert Programme.objects.count() == 1


def test_a_database_loaded_by_the_earlier_loader_has_its_benefits_corrected_once(demo):
    """The earlier loader cited para 30 for the call centres; the upgrade corrects the row
    in place (one history row), and a later run writes nothing."""
    row = Benefit.objects.get(programme=demo, title="Number of call centres")
    Benefit.objects.filter(pk=row.pk).update(
        title="One front door instead of nine call centres",
        source_reference="para 30",
        source_quote="",
    )
    history = Benefit.history.count()
    demo_load(users={})
    row.refresh_from_db()
    assert (row.title, row.source_reference) == ("Number of call centres", "para 8")
    assert report_source.citation_problems(row.source_reference, row.source_quote) == []
    assert Benefit.objects.filter(programme=demo).count() == 3
    assert Benefit.history.count() == history + 1
    demo_load(users={})
    assert Benefit.history.count() == history + 1
