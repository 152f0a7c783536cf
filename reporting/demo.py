"""The demo loader: the seed decision report, each app loading the part it models, in one
transaction. Idempotent: a second load changes nothing."""

from django.db import transaction

from core.history import acting_user
from programme import demo as programme_demo
from programme.models import Programme
from reserves import demo as reserves_demo
from reserves.actuals import demo as actuals_demo
from risks import demo as risks_demo
from stages import demo as stages_demo

# Stages before reserves would do as well: each loader finds what it needs by the report's
# own keys (stage numbers, the reserve's name), not by the order of loading.
APP_LOADERS = (reserves_demo.load, stages_demo.load, risks_demo.load, actuals_demo.load)


def demo_load(*, users: dict) -> Programme:
    """Load the seed programme; history rows name the demo admin when there is one."""
    with transaction.atomic(), acting_user(users.get("admin")):
        programme = programme_demo.load(users=users)
        for load in APP_LOADERS:
            load(programme=programme, users=users)
    return programme
