"""The programme part of `load_demo`: the decision report's record. Idempotent."""

from datetime import date
from decimal import Decimal

from .models import Programme

DEMO_SLUG = "digital-customer-services-transformation"


def load(*, users) -> Programme:
    programme = Programme.objects.filter(slug=DEMO_SLUG).first()
    if programme is None:
        programme = Programme.objects.create(
            slug=DEMO_SLUG,
            name="Digital and customer services transformation",
            council="Herefordshire Council",
            purpose=(
                "To gain authorisation to draw up to £490,000 from the council's corporate "
                "reserves in the 2022/23 financial year to enable the commissioning and award, "
                "following a compliant tendering process of a contract to support the "
                "development and delivery of a digital and customer services strategy to "
                "accelerate the council's digital transformation journey."
            ),
            decision_maker="Cabinet member finance, corporate services and planning",
            decision_date=date(2022, 7, 19),
            report_author="Head of chief executive's office",
            classification=Programme.Classification.OPEN,
            is_key_decision=True,
            key_decision_threshold=Decimal("500000.00"),
            spending_ceiling=Decimal("490000.00"),
            wards_affected="(All Wards)",
            status=Programme.Status.IN_DELIVERY,
            source_reference="Purpose",
        )
    return programme
