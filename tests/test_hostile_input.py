"""Issue 16's property test: hostile text and extreme dates typed into every form of the
product, then every page opened by every role and a highlight report produced.

Hostile text: TeX between dollar signs, template syntax, CSS and HTML that try to escape their
place, bidi and control characters, spreadsheet formulas, 10,000 characters. Dates: the edges
of what forms accept (1 January 2000, 31 December 2100) and what they must refuse (year 1,
1999, 2101, 9999, 10000). Each form is filled as a browser would post it (its own choices and
amounts kept, every text and date field hostile), as an Admin, who may use every form.

Whatever is typed: no request answers 5xx, and the highlight report is produced.

Each example is slow (about 40 forms posted, then about 380 pages); the count is modest and
explicit (HOSTILE_EXAMPLES in the environment raises it).
"""

import os

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.models import ReportRun
from tests.core.html_forms import Form, page_forms
from tests.hypothesis_profiles import examples
from tests.test_permission_matrix import (  # noqa: F401 (fixtures: the matrix's demo world)
    DOWNLOADS,
    EXPECTED,
    clients,
    matrix_db,
    url_for,
    world,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES") or examples(3))

HOSTILE_PARTS = [
    r"$\frac{a}{$",
    r"$x^2$ costs $5",
    r"\(\alpha\)",
    "{{ request.user.password }}",
    "{% debug %}",
    "{% load static %}{% static '../../settings.py' %}",
    "{{ 7|add:7 }}",
    '"; } @import url(http://127.0.0.1:9/x.css); #section-stages { display: none } /*',
    "\n}} @page { @bottom-left { content: url(http://127.0.0.1:9/p.png) } }",
    "</style><style>body{display:none}</style>",
    "url(javascript:alert(1))",
    "<script>alert(1)</script>",
    '<img src="http://127.0.0.1:9/i.png" onerror="alert(1)">',
    "&amp; &lt;b&gt;",
    "\u202ereversed\u202c \u2066isolate\u2069 \u200f\u061c\u200b",
    "\x01\x07\x1b[31mred\x7f",
    "\r\n\t\u2028\u2029",
    '=HYPERLINK("http://127.0.0.1:9/","click")',
    "+1+1",
    "@SUM(A1:A9)",
    "%s %(name)s {0} {name}",
    "../../etc/passwd",
    "\\",
    "'",
    '"',
    "Ωmega שלום مرحبا 漢字 👩🏽‍💻 Z̷̛̗a̵l̷g̶o̸",
]
LONG_TEXT = ("".join(HOSTILE_PARTS) * 20)[:10_000]

hostile_text = st.one_of(
    st.lists(
        st.one_of(st.sampled_from(HOSTILE_PARTS), st.text(min_size=1, max_size=12)),
        min_size=1,
        max_size=8,
    ).map("".join),
    st.just(LONG_TEXT),
)
# The edges forms accept, and what they must refuse (as typed into a date box).
extreme_dates = st.sampled_from(
    [
        "2000-01-01",
        "2100-12-31",
        "2022-07-19",
        "0001-01-01",
        "1999-12-31",
        "2101-01-01",
        "9999-12-31",
        "10000-01-01",
    ]
)

storable_dates = st.sampled_from(["2000-01-01", "2100-12-31", "2022-07-19"])
# The longest text the programme record's forms keep (programme.forms.TEXT_MAX).
STORABLE_LENGTH = 4000

# Actions have no page of their own: their form is on the page named here.
ACTION_PAGES = {
    "reporting:report_request": "reporting:reports",
    "stages:output_status": "stages:output_detail",
    "stages:exception_report": "stages:exception",
    "stages:exception_decide": "stages:exception",
    "stages:escalation_decide": "stages:escalation",
    "risks:raid_from_escalation": "risks:raid",
    "reserves:drawdown_approve": "reserves:drawdown_detail",
    "reserves:actuals_import_confirm": "reserves:actuals_import",
    "reserves:actuals_import_discard": "reserves:actuals_import",
    "reserves:actuals_cost_centre_remove": "reserves:actuals_cost_centres",
    "reserves:drawdown_reject": "reserves:drawdown_detail",
    "reserves:drawdown_schedule": "reserves:drawdown_detail",
    "reserves:drawdown_mark_drawn": "reserves:drawdown_detail",
    "reserves:drawdown_cancel": "reserves:drawdown_detail",
    "reserves:ceiling_withdraw": "reserves:ceiling_change",
}
NOT_DATA_FORMS = {"login", "logout", "reserves:cost_line_delete"}


def form_names() -> list[str]:
    """Every URL that takes a form an Admin may post: pages with a form, and actions."""
    names = [
        name
        for name, answers in EXPECTED.items()
        if name not in NOT_DATA_FORMS | DOWNLOADS
        and answers["POST"]["admin"] not in (403, 405)
        and (answers["GET"]["admin"] == 200 or name in ACTION_PAGES)
    ]
    return sorted(names)


def fill(form: Form, draw, *, storable: bool = False) -> dict[str, list[str]]:
    """The form as posted by someone typing hostile text into every text box and extreme
    dates into every date input (its day, month and year boxes); choices, amounts and links
    keep what the form shows.

    `storable`: the same person trying again within the limits the form has just given
    (text no longer than a form keeps, no NUL, dates from 2000 to 2100), so that hostile
    values are stored, not only refused."""
    data = form.data()
    radios = {}
    for f in form.fields:
        if f.name.endswith("_year") and f.inputmode == "numeric":
            # A GOV.UK date input (day, month and year boxes): the date typed into its boxes.
            year, month, day = draw(storable_dates if storable else extreme_dates).split("-")
            base = f.name.removesuffix("_year")
            data.update({f"{base}_day": [day], f"{base}_month": [month], f.name: [year]})
            continue
        if f.name.endswith(("_day", "_month")) and f.inputmode == "numeric":
            continue  # filled with its year
        if f.kind == "radio":
            radios.setdefault(f.name, f.value)  # the first choice, if none is checked
            continue
        if f.kind == "date":
            data[f.name] = [draw(storable_dates if storable else extreme_dates)]
        elif f.kind in ("text", "textarea", "search") and f.inputmode != "decimal":
            text = draw(hostile_text)
            if storable:
                text = text.replace("\x00", "")[:STORABLE_LENGTH]
            data[f.name] = [text[: f.maxlength] if f.maxlength else text]
        elif f.kind == "select" and not f.selected:
            data[f.name] = [next((o for o in f.options if o), "")]
    for name, first in radios.items():
        data.setdefault(name, [first])
    return data


def the_form(html: str, action: str) -> Form | None:
    """The page's form that posts to `action` (a form with no action posts to its page)."""
    for form in page_forms(html):
        if form.method == "post" and form.action in ("", action):
            return form
    return None


HOSTILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HOSTILE
@given(draw=st.data())
def test_hostile_input_through_every_form_breaks_no_page_for_any_role_nor_the_report(
    draw,
    matrix_db,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    with transaction.atomic():
        logged_in = clients(matrix_db)
        admin = logged_in["admin"]
        problems, saved = [], []
        for name in form_names():
            url = url_for(matrix_db, name)
            page = url_for(matrix_db, ACTION_PAGES[name]) if name in ACTION_PAGES else url
            shown = admin.get(page)
            if shown.status_code >= 500:
                problems.append(f"GET {page}: {shown.status_code}")
                continue
            form = the_form(shown.content.decode(), url)
            if form is None:
                continue  # the action is not open for this object now (e.g. already decided)
            for storable in (False, True):
                with django_capture_on_commit_callbacks(execute=True):
                    response = admin.post(url, fill(form, draw.draw, storable=storable))
                if response.status_code >= 500:
                    problems.append(f"POST {url}: {response.status_code}")
                if response.status_code != 200:  # 200: refused, shown again with errors
                    break
            if response.status_code == 302:
                saved.append(name)
        assert not problems, problems
        # The hostile values were really stored, not only refused.
        assert len(saved) >= 8, saved

        for name in sorted(EXPECTED):
            if name == "logout":
                continue
            url = url_for(matrix_db, name)
            for role, client in logged_in.items():
                if role == "anon":
                    continue  # sent to sign in before anything is read
                status = client.get(url).status_code
                if status >= 500:
                    problems.append(f"GET {url} as {role}: {status}")
        assert not problems, problems

        cabinet = logged_in["cabinet"]
        with django_capture_on_commit_callbacks(execute=True):
            requested = cabinet.post(
                url_for(matrix_db, "reporting:report_request"), {"kind": "highlight"}
            )
        assert requested.status_code == 302
        run = ReportRun.objects.filter(kind=ReportRun.Kind.HIGHLIGHT).latest("created_at")
        assert run.status == ReportRun.Status.DONE, run.error
        with default_storage.open(run.file.name, "rb") as produced:
            assert produced.read(5) == b"%PDF-"
        transaction.set_rollback(True)


def test_every_form_of_the_product_is_in_the_hostile_input_test():
    names = form_names()
    assert len(names) >= 30, names
    expected_actions = {n for n, a in EXPECTED.items() if a["GET"]["admin"] == 405}
    assert expected_actions - {"logout"} <= set(ACTION_PAGES), "an action whose page is unknown"
