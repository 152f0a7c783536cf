"""Who may do what: the roles of DESIGN.md §2 as one table, and the access helper views use.

Roles are Django groups (created by migration 0002_roles of the programme app); Admin is a
superuser. Every view asks `require(user, Capability.X)` or an app's object helper (such as
`programme.access.get_programme_for_user`); a refusal is PermissionDenied (403) raised before
anything changes.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied


class Role(StrEnum):
    OFFICER = "Officer"
    FINANCE = "Finance"
    CABINET = "Cabinet"
    ADMIN = "Admin"


class Capability(StrEnum):
    VIEW = "view"
    EDIT_PROGRAMME = "edit_programme"
    UPDATE_STAGES = "update_stages"
    EDIT_RISKS = "edit_risks"
    REQUEST_DRAWDOWN = "request_drawdown"
    APPROVE_DRAWDOWN = "approve_drawdown"
    EDIT_RESERVES = "edit_reserves"
    RECORD_DECISION = "record_decision"
    GENERATE_REPORTS = "generate_reports"
    IMPORT_ACTUALS = "import_actuals"


_ALL = frozenset(Role)
CAPABILITIES: dict[Capability, frozenset[Role]] = {
    Capability.VIEW: _ALL,
    Capability.EDIT_PROGRAMME: frozenset({Role.OFFICER, Role.ADMIN}),
    Capability.UPDATE_STAGES: frozenset({Role.OFFICER, Role.ADMIN}),
    Capability.EDIT_RISKS: frozenset({Role.OFFICER, Role.FINANCE, Role.ADMIN}),
    Capability.REQUEST_DRAWDOWN: frozenset({Role.OFFICER, Role.FINANCE, Role.ADMIN}),
    # Finance never approves their own request: reserves.services checks that per drawdown.
    Capability.APPROVE_DRAWDOWN: frozenset({Role.FINANCE, Role.ADMIN}),
    Capability.EDIT_RESERVES: frozenset({Role.FINANCE, Role.ADMIN}),
    Capability.RECORD_DECISION: frozenset({Role.CABINET, Role.ADMIN}),
    Capability.GENERATE_REPORTS: _ALL,
    # Importing the finance ledger's actual spend and mapping its columns and cost centres.
    Capability.IMPORT_ACTUALS: frozenset({Role.FINANCE, Role.ADMIN}),
}


def roles_of(user) -> frozenset[Role]:
    """The roles a user holds; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_tracker_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(r for r in Role if r.value in names)
        if user.is_superuser:
            cached = cached | {Role.ADMIN}
        user._tracker_roles = cached
    return cached


def can(user, capability: Capability) -> bool:
    return bool(roles_of(user) & CAPABILITIES[capability])


# What each capability lets a person do, in the words a refusal uses (never the code name).
CAPABILITY_WORDS: dict[Capability, str] = {
    Capability.VIEW: "see the programme's pages",
    Capability.EDIT_PROGRAMME: "change the programme record",
    Capability.UPDATE_STAGES: "update stages, outputs and progress",
    Capability.EDIT_RISKS: "change risks and their reviews",
    Capability.REQUEST_DRAWDOWN: "ask for a drawdown from a reserve",
    Capability.APPROVE_DRAWDOWN: "approve, reject or mark drawn a drawdown",
    Capability.EDIT_RESERVES: "change reserves and the cost profile",
    Capability.RECORD_DECISION: "record a decision",
    Capability.GENERATE_REPORTS: "generate reports",
    Capability.IMPORT_ACTUALS: "import actuals from the finance ledger",
}
_ROLE_ORDER = (Role.OFFICER, Role.FINANCE, Role.CABINET, Role.ADMIN)


def refusal(capability: Capability) -> str:
    """`Only Finance and Admin users can approve, reject or mark drawn a drawdown.`"""
    roles = [role.value for role in _ROLE_ORDER if role in CAPABILITIES[capability]]
    who = " and ".join([", ".join(roles[:-1]), roles[-1]] if len(roles) > 1 else roles)
    return f"Only {who} users can {CAPABILITY_WORDS.get(capability, 'do this')}."


def require(user, capability: Capability) -> None:
    if not can(user, capability):
        raise PermissionDenied(refusal(capability))


def primary_role(user) -> Role | None:
    """The role that decides a user's home page: Admin, then Finance, Cabinet, Officer."""
    roles = roles_of(user)
    for role in (Role.ADMIN, Role.FINANCE, Role.CABINET, Role.OFFICER):
        if role in roles:
            return role
    return None
