"""What awaits each person on their home page: the drawdowns Finance must decide, the outputs
an officer owes or must accept, the reviews and actions due, and the decisions and exceptions
for Cabinet, each with a count and a link to where it is done. One aggregate query per kind of
record, whatever the amount of data."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.urls import reverse

from core.access import Capability, can
from programme.models import Recommendation
from reserves.models import Drawdown
from risks.models import MitigationAction, Risk
from stages.models import Output

SOON = timedelta(days=30)


@dataclass(frozen=True)
class Waiting:
    """One line of "What awaits you": `count` things, said in words, and where to do them."""

    count: int
    words: str  # "drawdown to approve or reject" (singular; the page adds the plural)
    plural: str
    url: str
    urgent: bool = False


def awaiting(user, slug: str | None, today: date) -> list[Waiting]:
    """What awaits `user` across the programmes, most urgent first; things at zero are left
    out. `slug` is the programme whose pages the links open."""
    found: list[Waiting] = []
    if can(user, Capability.APPROVE_DRAWDOWN):
        drawdowns = Drawdown.objects.aggregate(
            to_decide=Count(
                "id", filter=Q(status=Drawdown.Status.REQUESTED) & ~Q(requested_by=user)
            ),
            to_draw=Count(
                "id", filter=Q(status__in=[Drawdown.Status.APPROVED, Drawdown.Status.SCHEDULED])
            ),
        )
        queue = reverse("reserves:drawdown_queue")
        found += [
            Waiting(
                drawdowns["to_decide"],
                "drawdown to approve or reject",
                "drawdowns to approve or reject",
                queue,
                urgent=True,
            ),
            Waiting(
                drawdowns["to_draw"],
                "approved drawdown to mark drawn when the money moves",
                "approved drawdowns to mark drawn when the money moves",
                queue,
            ),
        ]
    if slug and can(user, Capability.UPDATE_STAGES):
        open_outputs = ~Q(status=Output.Status.ACCEPTED)
        mine = Q(owner=user) & open_outputs & Q(due_date__isnull=False)
        outputs = Output.objects.filter(stage__programme__slug=slug).aggregate(
            overdue=Count("id", filter=mine & Q(due_date__lt=today)),
            due_soon=Count("id", filter=mine & Q(due_date__gte=today, due_date__lte=today + SOON)),
            to_accept=Count(
                "id",
                filter=Q(status=Output.Status.SUBMITTED)
                & ~Q(owner=user)
                & (Q(submitted_by__isnull=True) | ~Q(submitted_by=user)),
            ),
        )
        my_outputs = reverse("stages:my_outputs", kwargs={"slug": slug})
        found += [
            Waiting(
                outputs["overdue"],
                "of your outputs is overdue",
                "of your outputs are overdue",
                my_outputs,
                urgent=True,
            ),
            Waiting(
                outputs["to_accept"],
                "output submitted by another officer to accept",
                "outputs submitted by other officers to accept",
                reverse("stages:list", kwargs={"slug": slug}),
            ),
            Waiting(
                outputs["due_soon"],
                "of your outputs is due in the next 30 days",
                "of your outputs are due in the next 30 days",
                my_outputs,
            ),
        ]
    if slug and can(user, Capability.EDIT_RISKS):
        live = ~Q(status=Risk.Status.CLOSED)
        reviews = Risk.objects.filter(programme__slug=slug).aggregate(
            overdue=Count("id", filter=live & Q(owner=user, review_date__lt=today)),
        )
        actions = MitigationAction.objects.filter(risk__programme__slug=slug).aggregate(
            due=Count("id", filter=Q(owner=user, done=False, due_date__lte=today + timedelta(7))),
        )
        register = reverse("risks:register", kwargs={"slug": slug})
        found += [
            Waiting(
                reviews["overdue"],
                "of your risks is overdue for review",
                "of your risks are overdue for review",
                register,
                urgent=True,
            ),
            Waiting(
                actions["due"],
                "of your mitigation actions is due within a week",
                "of your mitigation actions are due within a week",
                register,
            ),
        ]
    if slug and can(user, Capability.RECORD_DECISION):
        pending = Recommendation.objects.filter(
            programme__slug=slug, outcome=Recommendation.Outcome.PENDING
        ).count()
        escalated = Risk.objects.filter(programme__slug=slug, status=Risk.Status.ESCALATED).count()
        found += [
            Waiting(
                pending,
                "recommendation awaiting a decision",
                "recommendations awaiting a decision",
                reverse("programme:detail", kwargs={"slug": slug}),
                urgent=True,
            ),
            Waiting(
                escalated,
                "risk escalated to you",
                "risks escalated to you",
                reverse("risks:register", kwargs={"slug": slug}) + "?status=escalated",
            ),
        ]
    return sorted((w for w in found if w.count), key=lambda w: not w.urgent)
