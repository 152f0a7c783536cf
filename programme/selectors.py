"""Reads for the programme record pages: everything a page needs in a fixed number of queries,
and the figures derived from it (what is missing before approval, each benefit's progress)."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch

from core.dates import govuk_date

from .models import (
    Benefit,
    BenefitMeasure,
    Consultation,
    Decision,
    KeyConsideration,
    Programme,
    Recommendation,
    ReportReview,
)

ONE_DP = Decimal("0.1")


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(ONE_DP, rounding=ROUND_HALF_UP)


# Sign-offs ---------------------------------------------------------------------------------


@dataclass
class SignOffs:
    areas: list[ReportReview]
    final_approval: ReportReview
    gaps: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.gaps

    @property
    def signed_count(self) -> int:
        return sum(1 for r in self.areas if r.is_signed)


def sign_offs(programme: Programme, reviews: list[ReportReview]) -> SignOffs:
    """The seven areas in the report's order and the final approval; an area with no row yet
    appears unsigned (unsaved), so the page always lists all eight."""
    by_area = {r.area: r for r in reviews}
    areas = [
        by_area.get(area) or ReportReview(programme=programme, area=area)
        for area in ReportReview.SIGN_OFF_AREAS
    ]
    final = by_area.get(ReportReview.Area.FINAL_APPROVAL) or ReportReview(
        programme=programme, area=ReportReview.Area.FINAL_APPROVAL
    )
    return SignOffs(areas=areas, final_approval=final, gaps=approval_gaps(reviews))


def approval_gaps(reviews: list[ReportReview]) -> list[str]:
    """What stops the report being marked approved, in words; empty when nothing does."""
    by_area = {r.area: r for r in reviews}
    gaps = []
    final = by_area.get(ReportReview.Area.FINAL_APPROVAL)
    for area in ReportReview.SIGN_OFF_AREAS:
        review = by_area.get(area)
        if review is None or not review.is_signed:
            gaps.append(f"{area.label}: not signed off")
        elif final is not None and final.is_signed and review.reviewed_on > final.reviewed_on:
            gaps.append(
                f"{area.label}: signed {govuk_date(review.reviewed_on)}, after the final "
                f"approval on {govuk_date(final.reviewed_on)}"
            )
    if final is None or not final.is_signed:
        gaps.append("Final approval: not recorded")
    return gaps


# Benefits ----------------------------------------------------------------------------------


@dataclass
class BenefitRow:
    benefit: Benefit
    measures: list[BenefitMeasure]

    @property
    def latest(self) -> BenefitMeasure | None:
        return self.measures[-1] if self.measures else None

    @property
    def progress(self) -> Decimal | None:
        """How far the latest actual has moved from the baseline to the target, in percent
        (0 at the baseline, 100 at the target); None without an actual or a target."""
        b = self.benefit
        if self.latest is None or b.target_value is None or b.target_value == b.baseline_value:
            return None
        return _percent(self.latest.value - b.baseline_value, b.target_value - b.baseline_value)


def number_text(value: Decimal | None, unit: str = "") -> str:
    """A measure's value as people write it: `16%`, `700`, `2.5 hours`."""
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if unit == "%":
        return f"{text}%"
    if value == 1 and unit.endswith("s"):
        unit = unit[:-1]  # "1 call centre"
    return f"{text} {unit}".strip() if unit and unit != "numbers" else text


# The whole record page ---------------------------------------------------------------------


@dataclass
class ProgrammeRecord:
    programme: Programme
    key_reasons: list
    recommendations: list[Recommendation]
    options: list
    objectives: list
    considerations: list[tuple[str, list[KeyConsideration]]]
    consultations: list[Consultation]
    sign_offs: SignOffs
    benefits: list[BenefitRow]
    glossary: list
    decisions: list[Decision]

    @property
    def decided_count(self) -> int:
        return sum(1 for r in self.recommendations if r.is_decided)


def programme_record(programme: Programme) -> ProgrammeRecord:
    """Everything the programme record page shows, in a fixed number of queries (one per
    list, whatever its length)."""
    considerations = list(programme.considerations.all())
    sections = [
        (label, [c for c in considerations if c.section == value])
        for value, label in KeyConsideration.Section.choices
    ]
    reviews = list(programme.reviews.select_related("signed_by"))
    return ProgrammeRecord(
        programme=programme,
        key_reasons=list(programme.key_reasons.all()),
        recommendations=list(programme.recommendations.select_related("decided_by")),
        options=list(programme.alternative_options.all()),
        objectives=list(programme.objectives.all()),
        considerations=[(label, items) for label, items in sections if items],
        consultations=list(programme.consultations.all()),
        sign_offs=sign_offs(programme, reviews),
        benefits=programme_record_benefits(programme),
        glossary=list(programme.glossary.all()),
        decisions=list(programme.decisions.select_related("recorded_by")),
    )


# Exports -----------------------------------------------------------------------------------


def consultation_rows(programme: Programme) -> tuple[list[str], list[list]]:
    headers = ["Consultee", "Date consulted", "Outcome", "Stance", "Report reference"]
    rows = [
        [c.body, c.consulted_on, c.outcome, c.get_stance_display(), c.source_reference]
        for c in programme.consultations.all()
    ]
    return headers, rows


def sign_off_rows(programme: Programme) -> tuple[list[str], list[list]]:
    headers = [
        "Area",
        "Signed by",
        "Role",
        "Date signed",
        "Status",
        "How it was recorded",
        "Report reference",
    ]
    signs = sign_offs(programme, list(programme.reviews.select_related("signed_by")))
    rows = [
        [
            r.get_area_display(),
            r.signer_name,
            r.reviewer_role,
            r.reviewed_on,
            "Signed" if r.is_signed else "Missing",
            _how_signed(r),
            r.source_reference,
        ]
        for r in [*signs.areas, signs.final_approval]
    ]
    return headers, rows


def _how_signed(review: ReportReview) -> str:
    if review.is_from_report:
        return "As recorded in the report"
    if review.signed_by_id:
        return "Signed in the tracker by the signed-in user"
    return ""


def benefit_rows(programme: Programme) -> tuple[list[str], list[list]]:
    headers = [
        "Benefit",
        "Kind",
        "Measure",
        "Baseline (as the report states it)",
        "Baseline",
        "Baseline reference",
        "Target",
        "Target date",
        "Target is a demo figure",
        "Latest actual",
        "Date of latest actual",
        "Progress to target (%)",
    ]
    rows = []
    for row in programme_record_benefits(programme):
        b = row.benefit
        rows.append(
            [
                b.title,
                b.get_kind_display(),
                b.measure,
                b.baseline_text,
                number_text(b.baseline_value, b.unit),
                b.baseline_source,
                number_text(b.target_value, b.unit),
                b.target_date,
                b.target_is_demo,
                number_text(row.latest.value, b.unit) if row.latest else "",
                row.latest.measured_on if row.latest else None,
                str(row.progress) if row.progress is not None else "",
            ]
        )
    return headers, rows


def programme_record_benefits(programme: Programme) -> list[BenefitRow]:
    benefits = programme.benefits.prefetch_related(
        Prefetch("measures", queryset=BenefitMeasure.objects.order_by("measured_on", "id"))
    )
    return [BenefitRow(b, list(b.measures.all())) for b in benefits]
