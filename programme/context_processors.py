"""Wiring: what every page's layout needs — service name, council, and the role's navigation."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from core.access import Capability, can, primary_role

from .demo import is_demo
from .models import Programme

# (label, url name, needs the programme slug, capability). Items whose page does not exist
# yet (NoReverseMatch) are left out, so the menu only ever links to real pages.
NAVIGATION = [
    ("Home", "home", False, Capability.VIEW),
    ("Dashboard", "reporting:dashboard", True, Capability.VIEW),
    ("Programme record", "programme:detail", True, Capability.VIEW),
    ("Stages", "stages:list", True, Capability.VIEW),
    ("My outputs", "stages:my_outputs", True, Capability.UPDATE_STAGES),
    ("Risks", "risks:register", True, Capability.VIEW),
    ("Reserves", "reserves:list", False, Capability.VIEW),
    ("Drawdowns", "reserves:drawdown_queue", False, Capability.VIEW),
    ("Reports", "reporting:reports", True, Capability.VIEW),
    ("Audit log", "reporting:audit", True, Capability.VIEW),
    ("Help", "reporting:help", True, Capability.VIEW),
]


def _current_programme_slug(request):
    match = getattr(request, "resolver_match", None)
    if (
        match
        and "slug" in match.kwargs
        and match.namespace in ("programme", "reporting", "stages", "risks", "reserves")
    ):
        return match.kwargs["slug"]
    return Programme.objects.order_by("id").values_list("slug", flat=True).first()


def tracker(request):
    context = {"SERVICE_NAME": settings.SERVICE_NAME, "COUNCIL_NAME": settings.COUNCIL_NAME}
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return context
    slug = _current_programme_slug(request)
    items = []
    for label, url_name, needs_slug, capability in NAVIGATION:
        if not can(user, capability) or (needs_slug and not slug):
            continue
        try:
            url = reverse(url_name, kwargs={"slug": slug} if needs_slug else None)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "current": request.path == url})
    role = primary_role(user)
    context.update(
        {
            "nav_items": items,
            "nav_programme_slug": slug,
            "user_role": role.value if role else "",
            # The demo programme is identified by its slug: no query beyond the one above.
            "demo_loaded": is_demo(slug),
        }
    )
    return context
