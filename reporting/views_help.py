"""Short "how to" pages, one per role, with the glossary one click away."""

from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from core.access import Role, roles_of
from programme.access import get_programme_for_user

GUIDES = {
    "officer": (Role.OFFICER, "Programme officers"),
    "finance": (Role.FINANCE, "Finance"),
    "cabinet": (Role.CABINET, "Cabinet members"),
}

# The pages a guide points to; a page another part of the service has not built yet is
# simply not linked.
_PAGES = {
    "dashboard": ("reporting:dashboard", True),
    "record": ("programme:detail", True),
    "stages": ("stages:list", True),
    "my_outputs": ("stages:my_outputs", False),
    "risks": ("risks:register", True),
    "reserves": ("reserves:list", False),
    "drawdowns": ("reserves:drawdown_queue", False),
    "reports": ("reporting:reports", True),
    "audit": ("reporting:audit", True),
}


def _links(programme) -> dict[str, str]:
    links = {}
    for key, (name, needs_slug) in _PAGES.items():
        try:
            links[key] = reverse(name, kwargs={"slug": programme.slug} if needs_slug else None)
        except NoReverseMatch:
            continue
    links["glossary"] = reverse("programme:detail", kwargs={"slug": programme.slug}) + "#glossary"
    return links


def _own_guides(user) -> set[str]:
    roles = roles_of(user)
    return {key for key, (role, _label) in GUIDES.items() if role in roles}


@require_GET
def help_index(request, slug):
    programme = get_programme_for_user(request.user, slug)
    own = _own_guides(request.user)
    guides = [
        {"key": key, "label": label, "own": key in own} for key, (_role, label) in GUIDES.items()
    ]
    return render(
        request,
        "reporting/help/index.html",
        {"programme": programme, "guides": guides, "links": _links(programme)},
    )


@require_GET
def help_role(request, slug, role):
    programme = get_programme_for_user(request.user, slug)
    if role not in GUIDES:
        raise Http404("No guide for that role")
    return render(
        request,
        f"reporting/help/{role}.html",
        {
            "programme": programme,
            "role_key": role,
            "role_label": GUIDES[role][1],
            "own": role in _own_guides(request.user),
            "links": _links(programme),
            "others": [(k, label) for k, (_r, label) in GUIDES.items() if k != role],
        },
    )
