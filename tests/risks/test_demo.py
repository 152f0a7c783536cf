"""The report's risk table (para 54) loads exactly as written, unscored, and only once."""

import pytest

from risks import demo
from risks.models import Risk, RiskFramework

pytestmark = pytest.mark.django_db

REPORT_TITLES = [
    "The approach outlined in this paper is not supported",
    "The mechanism for funding a key partner is not realised from the council's corporate reserves",
    "The work does not go ahead",
]
REPORT_MITIGATIONS = [
    "The approach is supported by the council's leadership team and regular consultation with "
    "the cabinet portfolio holder is happening",
    "The decision is supported by the council's section 151 officer",
    "The council is at risk of not achieving digital transformation and achieving",
]


def test_load_demo_holds_the_reports_three_risks_verbatim_and_unscored(demo_programme):
    risks = list(Risk.objects.filter(programme=demo_programme).order_by("number"))
    assert [r.title for r in risks] == REPORT_TITLES
    assert [r.mitigation for r in risks] == REPORT_MITIGATIONS
    for risk in risks:
        assert risk.kind == Risk.Kind.RISK
        assert risk.source_reference == "para 54"
        assert (risk.inherent_score, risk.residual_score, risk.target_score) == (None,) * 3
        assert risk.owner is None and risk.review_date is None
    assert [r.quality_flag for r in risks] == [
        "",
        "",
        "Mitigation text is cut off in the report (para 54)",
    ]
    framework = RiskFramework.objects.get(programme=demo_programme)
    assert framework.name == "Performance, Risk and Opportunity Management Framework (PROM)"
    assert framework.source_reference == "para 53"
    assert "financial, legal, and reputation" in framework.statement


def test_the_demo_risks_appear_in_the_data_quality_panel_with_the_flag(
    demo_programme, officer, client_for
):
    from .conftest import register_url

    response = client_for(officer).get(register_url(demo_programme))
    register = response.context["register"]
    assert register.data_quality_count == 3
    assert [r.title for r in register.data_quality] == REPORT_TITLES
    assert set(register.data_quality[0].gaps) >= {"inherent score", "owner", "review date"}
    page = response.content.decode()
    assert "Mitigation text is cut off in the report (para 54)" in page
    assert "Performance, Risk and Opportunity Management Framework (PROM)" in page


def test_loading_the_demo_twice_adds_no_rows_and_no_history(programme):
    demo.load(programme=programme, users={})
    counts = (Risk.objects.count(), Risk.history.count(), RiskFramework.history.count())
    demo.load(programme=programme, users={})
    assert (Risk.objects.count(), Risk.history.count(), RiskFramework.history.count()) == counts
    assert counts[0] == 3


def test_the_demo_leaves_an_edited_report_risk_alone(programme, officer):
    from risks import services

    demo.load(programme=programme, users={})
    risk = Risk.objects.get(programme=programme, number=1)
    services.risk_update(risk=risk, actor=officer, data={"owner": officer})
    demo.load(programme=programme, users={})
    risk.refresh_from_db()
    assert risk.owner == officer
    assert Risk.objects.filter(programme=programme).count() == 3
