"""The risks part of `load_demo`: the decision report's risk table (para 54) exactly as
written, and the framework it follows (para 53). Idempotent: a second run adds no rows and
no history.

The report's rows have no scores, owners or review dates, so they are loaded without them
and the register's data-quality panel lists them; nothing is invented.
"""

from django.db.models import Max

from programme.report_source import FRAGMENT_SEPARATOR

from .models import Risk, RiskFramework
from .reference import ensure_reference_data

FRAMEWORK_NAME = "Performance, Risk and Opportunity Management Framework (PROM)"
FRAMEWORK_STATEMENT = (
    "There are various categorises of risk, including financial, legal, and reputation. "
    "A list is provided as part of the Performance, Risk and Opportunity Management "
    "Framework (PROM)."
)
FRAGMENT_STATEMENT_QUOTE = FRAMEWORK_STATEMENT
CUT_OFF_NOTE = "Mitigation text is cut off in the report (para 54)"

# (title, mitigation, data-quality note) — verbatim from the table under para 54.
REPORT_RISKS = [
    (
        "The approach outlined in this paper is not supported",
        "The approach is supported by the council's leadership team and regular consultation "
        "with the cabinet portfolio holder is happening",
        "",
    ),
    (
        "The mechanism for funding a key partner is not realised from the council's corporate "
        "reserves",
        "The decision is supported by the council's section 151 officer",
        "",
    ),
    (
        "The work does not go ahead",
        # The sentence ends mid-way in the report; kept as printed and flagged.
        "The council is at risk of not achieving digital transformation and achieving",
        CUT_OFF_NOTE,
    ),
]


def load(*, programme, users) -> None:
    """Load the report's risk table and framework for `programme` (history by the caller's
    `acting_user`)."""
    ensure_reference_data()
    if not RiskFramework.objects.filter(programme=programme).exists():
        RiskFramework.objects.create(
            programme=programme,
            name=FRAMEWORK_NAME,
            statement=FRAMEWORK_STATEMENT,
            source_reference="para 53",
            source_quote=FRAGMENT_STATEMENT_QUOTE,
        )
    existing = set(
        Risk.objects.filter(programme=programme, source_reference="para 54").values_list(
            "title", flat=True
        )
    )
    number = Risk.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0
    for title, mitigation, note in REPORT_RISKS:
        if title in existing:
            continue
        number += 1
        risk = Risk(
            programme=programme,
            number=number,
            kind=Risk.Kind.RISK,
            title=title,
            mitigation=mitigation,
            quality_flag=note,
            source_reference="para 54",
            source_quote=f"{title}{FRAGMENT_SEPARATOR}{mitigation}",
        )
        risk.full_clean()
        risk.save()
