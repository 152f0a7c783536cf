"""Reads for risk pages and the dashboard, each in a fixed number of queries.

Every function here fetches what its page needs with joins, aggregates and subqueries, so
the query count does not grow with the number of risks, actions or reviews (tests measure
it at two sizes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from core.dates import govuk_date
from core.names import person_name
from core.pagination import page_of
from programme.models import Programme
from stages.models import Escalation

from . import scoring
from .filters import RiskFilter
from .models import (
    BASES,
    MitigationAction,
    RaidItem,
    Risk,
    RiskBand,
    RiskCategory,
    RiskFramework,
    RiskReview,
    data_quality_q,
)

PAGE_SIZE = 25
DATA_QUALITY_LIMIT = 25
HISTORY_LIMIT = 20


def load_bands() -> list[scoring.Band]:
    """The configured bands (one query); STYLE.md's defaults if none are configured."""
    bands = [b.as_band() for b in RiskBand.objects.all()]
    return bands or list(scoring.DEFAULT_BANDS)


def live(queryset: QuerySet) -> QuerySet:
    """Risks still being managed: everything not closed."""
    return queryset.exclude(status=Risk.Status.CLOSED)


def with_scores(queryset: QuerySet) -> QuerySet:
    """Annotate inherent_value, residual_value and target_value (likelihood × impact)."""
    return queryset.annotate(
        **{f"{basis}_value": F(f"{basis}_likelihood") * F(f"{basis}_impact") for basis in BASES}
    )


def with_action_counts(queryset: QuerySet, today: date) -> QuerySet:
    """Open and overdue action counts and the last review date, as subqueries (no fan-out)."""
    open_actions = (
        MitigationAction.objects.filter(risk=OuterRef("pk"), done=False)
        .order_by()
        .values("risk")
        .annotate(n=Count("pk"))
        .values("n")
    )
    overdue_actions = (
        MitigationAction.objects.filter(risk=OuterRef("pk"), done=False, due_date__lt=today)
        .order_by()
        .values("risk")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_review = (
        RiskReview.objects.filter(risk=OuterRef("pk"))
        .order_by("-reviewed_on", "-id")
        .values("reviewed_on")[:1]
    )
    return queryset.annotate(
        open_actions=Coalesce(Subquery(open_actions, output_field=IntegerField()), 0),
        overdue_actions=Coalesce(Subquery(overdue_actions, output_field=IntegerField()), 0),
        last_reviewed_on=Subquery(last_review),
    )


def decorate(risks: Iterable[Risk], bands: list[scoring.Band], today: date) -> list[Risk]:
    """Attach each score's band and the overdue flags the templates show (no queries)."""
    risks = list(risks)
    for risk in risks:
        for basis in BASES:
            value = getattr(risk, f"{basis}_score")
            setattr(risk, f"{basis}_band", scoring.band_for(value, bands))
        risk.is_review_overdue = risk.review_overdue(today)
        risk.gaps = risk.missing()
    return risks


# Heat map ------------------------------------------------------------------------------


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    score: int
    band: scoring.Band | None
    count: int
    url: str


@dataclass
class HeatRow:
    likelihood: int
    label: str
    cells: list[HeatCell]


@dataclass
class HeatMap:
    basis: str
    kind: str
    rows: list[HeatRow]
    impacts: list[tuple[int, str]]
    total: int
    unscored: int
    register_url: str = ""

    @property
    def counts(self) -> dict[tuple[int, int], int]:
        return {(c.likelihood, c.impact): c.count for row in self.rows for c in row.cells}

    @property
    def kind_label(self) -> str:
        return "opportunities" if self.kind == Risk.Kind.OPPORTUNITY else "risks"


def heat_map(
    programme: Programme,
    *,
    basis: str = "residual",
    kind: str = Risk.Kind.RISK,
    bands: list[scoring.Band] | None = None,
) -> HeatMap:
    """Counts of live risks by likelihood × impact for one basis (inherent, residual, target).

    Two queries (one if `bands` is given). Each cell links to the register filtered to it.
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}")
    bands = bands if bands is not None else load_bands()
    lk, im = f"{basis}_likelihood", f"{basis}_impact"
    grouped = (
        live(Risk.objects.filter(programme=programme, kind=kind))
        .order_by()
        .values(lk, im)
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[int | None, int | None], int] = {}
    for row in grouped:
        counts[(row[lk], row[im])] = row["n"]
    register = reverse("risks:register", kwargs={"slug": programme.slug})
    rows = []
    for likelihood in reversed(scoring.SCALE):
        cells = []
        for impact in scoring.SCALE:
            value = likelihood * impact
            query = urlencode(
                {
                    "kind": kind,
                    "status": "live",
                    "basis": basis,
                    "likelihood": likelihood,
                    "impact": impact,
                }
            )
            cells.append(
                HeatCell(
                    likelihood=likelihood,
                    impact=impact,
                    score=value,
                    band=scoring.band_for(value, bands),
                    count=counts.get((likelihood, impact), 0),
                    url=f"{register}?{query}",
                )
            )
        rows.append(HeatRow(likelihood, scoring.LIKELIHOOD_LABELS[likelihood], cells))
    unscored = sum(n for (a, b), n in counts.items() if a is None or b is None)
    return HeatMap(
        basis=basis,
        kind=kind,
        rows=rows,
        impacts=list(scoring.IMPACT_LABELS.items()),
        total=sum(counts.values()) - unscored,
        unscored=unscored,
        register_url=register,
    )


# Dashboard -----------------------------------------------------------------------------


def top_risks(programme: Programme, limit: int = 5, *, bands=None, today=None) -> list[Risk]:
    """The highest live threats by residual score (then inherent), unscored ones last.

    Two queries (one if `bands` is given).
    """
    today = today or timezone.localdate()
    bands = bands if bands is not None else load_bands()
    queryset = (
        with_scores(live(Risk.objects.filter(programme=programme, kind=Risk.Kind.RISK)))
        .select_related("owner", "category", "programme")
        .order_by(
            F("residual_value").desc(nulls_last=True),
            F("inherent_value").desc(nulls_last=True),
            "number",
        )[:limit]
    )
    return decorate(queryset, bands, today)


@dataclass
class Overdue:
    reviews: list[Risk] = field(default_factory=list)
    actions: list[MitigationAction] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.reviews or self.actions)


def overdue_reviews_and_actions(programme: Programme | None, *, today: date) -> Overdue:
    """Live risks whose review date has passed and open actions past their due date, with
    their owners (two queries). `programme=None` covers every programme (daily reminder)."""
    risks = live(Risk.objects.all())
    actions = MitigationAction.objects.filter(done=False).exclude(risk__status=Risk.Status.CLOSED)
    if programme is not None:
        risks = risks.filter(programme=programme)
        actions = actions.filter(risk__programme=programme)
    reviews = list(
        risks.filter(review_date__lt=today)
        .select_related("owner", "programme", "category")
        .order_by("review_date", "number")
    )
    overdue_actions = list(
        actions.filter(due_date__lt=today)
        .select_related("owner", "risk", "risk__owner", "risk__programme")
        .order_by("due_date", "id")
    )
    return Overdue(reviews=reviews, actions=overdue_actions)


# Register page -------------------------------------------------------------------------


@dataclass
class RegisterPage:
    filterset: object
    page: Page
    risks: list[Risk]
    heat_maps: list[HeatMap]
    data_quality: list[Risk]
    data_quality_count: int
    framework: RiskFramework | None
    bands: list[scoring.Band]
    query_without_page: str


def register_queryset(programme: Programme, today: date) -> QuerySet:
    return with_action_counts(
        with_scores(Risk.objects.filter(programme=programme)), today
    ).select_related("category", "owner", "programme")


def register_page(
    programme: Programme, *, params: QueryDict, today: date, user=None
) -> RegisterPage:
    """Everything the register page shows, in a fixed number of queries."""
    bands = load_bands()
    filterset = RiskFilter(
        params or None,
        queryset=register_queryset(programme, today),
        programme=programme,
        bands=bands,
        today=today,
    )
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    risks = decorate(page.object_list, bands, today)
    kind = filterset.heat_map_kind()
    heat_maps = [
        heat_map(programme, basis=b, kind=kind, bands=bands) for b in ("inherent", "residual")
    ]
    quality = data_quality(programme)
    remaining = params.copy()
    remaining.pop("page", None)
    return RegisterPage(
        filterset=filterset,
        page=page,
        risks=risks,
        heat_maps=heat_maps,
        data_quality=decorate(quality[:DATA_QUALITY_LIMIT], bands, today),
        data_quality_count=quality.count(),
        framework=RiskFramework.objects.filter(programme=programme).first(),
        bands=bands,
        query_without_page=remaining.urlencode(),
    )


def data_quality(programme: Programme) -> QuerySet:
    return (
        live(Risk.objects.filter(programme=programme))
        .filter(data_quality_q())
        .select_related("owner", "category", "programme")
        .order_by("number")
    )


def export_rows(programme: Programme, *, params: QueryDict, today: date):
    """The filtered register for CSV / Excel: every matching row, not just one page."""
    bands = load_bands()
    filterset = RiskFilter(
        params or None,
        queryset=register_queryset(programme, today).prefetch_related("stages"),
        programme=programme,
        bands=bands,
        today=today,
    )
    return decorate(filterset.qs, bands, today)


# Risk page -----------------------------------------------------------------------------


@dataclass
class RiskPage:
    risk: Risk
    actions: list[MitigationAction]
    reviews: list[RiskReview]
    history: list[dict]
    bands: list[scoring.Band]


def risk_page(programme: Programme, number: int, *, today: date) -> RiskPage:
    """The risk, its stages, actions, reviews (with their bands) and recent history."""
    bands = load_bands()
    risk = get_object_or_404(
        with_action_counts(Risk.objects.filter(programme=programme), today)
        .select_related("category", "owner", "programme")
        .prefetch_related(
            "stages",
            Prefetch("actions", queryset=MitigationAction.objects.select_related("owner")),
            Prefetch("reviews", queryset=RiskReview.objects.select_related("reviewed_by")),
        ),
        number=number,
    )
    decorate([risk], bands, today)
    actions = list(risk.actions.all())
    for action in actions:
        action.is_overdue = action.overdue(today)
    reviews = list(risk.reviews.all())
    for review in reviews:
        review.inherent_band = scoring.band_for(review.inherent_score, bands)
        review.residual_band = scoring.band_for(review.residual_score, bands)
    history = history_entries(risk)
    return RiskPage(risk=risk, actions=actions, reviews=reviews, history=history, bands=bands)


_HISTORY_SKIP = {"id", "programme", "number", "created_at", "updated_at"}


def history_entries(risk: Risk, limit: int = HISTORY_LIMIT) -> list[dict]:
    """The risk's latest changes, newest first: who, when, and each field's old → new.

    Three queries whatever the length: the history rows (one extra, to diff the oldest shown),
    then the names of the owners and categories they mention.
    """
    rows = list(
        risk.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    fields = [f for f in Risk._meta.concrete_fields if f.name not in _HISTORY_SKIP]
    user_ids, category_ids = set(), set()
    for row in rows:
        user_ids.add(row.owner_id)
        category_ids.add(row.category_id)
    users = {
        u.pk: person_name(u) for u in get_user_model().objects.filter(pk__in=user_ids - {None})
    }
    categories = dict(
        RiskCategory.objects.filter(pk__in=category_ids - {None}).values_list("pk", "name")
    )

    def shown(field, value):
        if value is None or value == "":
            return ""
        if field.name == "owner":
            return users.get(value, f"user {value}")
        if field.name == "category":
            return categories.get(value, f"category {value}")
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, date):
            return govuk_date(value)
        return value

    entries = []
    for index, row in enumerate(rows[:limit]):
        before = rows[index + 1] if index + 1 < len(rows) else None
        changes = []
        if before is not None and row.history_type != "+":
            for field in fields:
                old, new = getattr(before, field.attname), getattr(row, field.attname)
                if old != new:
                    changes.append(
                        {
                            "field": str(field.verbose_name).capitalize(),
                            "old": shown(field, old),
                            "new": shown(field, new),
                        }
                    )
        user = row.history_user
        entries.append(
            {
                "when": row.history_date,
                "who": person_name(user, nobody=""),
                "created": row.history_type == "+",
                "changes": changes,
                "reason": row.history_change_reason or "",
            }
        )
    return entries


# The RAID log ------------------------------------------------------------------------------

RAID_PER_PAGE = 25


def raid_log(programme, *, page=None, kind: str | None = None) -> dict:
    """A page of the RAID log (open first), with the escalations awaiting Cabinet that are
    not yet logged (at most ten, with their count): four queries however many there are."""
    items = RaidItem.objects.filter(programme=programme).select_related(
        "owner", "escalation", "escalation__decided_by"
    )
    if kind in RaidItem.Kind.values:
        items = items.filter(kind=kind)
    awaiting = Escalation.objects.filter(
        stage__programme=programme, status=Escalation.Status.AWAITING, raid_item__isnull=True
    ).select_related("stage", "raised_by")
    return {
        "items": page_of(items.order_by("status", "-raised_on", "-id"), page),
        "unlogged": list(awaiting.order_by("raised_at", "id")[:10]),
        "unlogged_count": awaiting.count(),
    }
