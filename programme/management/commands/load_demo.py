"""Loads the seed decision report (and, in development, the demo users). Idempotent."""

import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from programme import demo as programme_demo
from programme.demo_users import DEMO_USERS, ensure_demo_users
from programme.history import acting_user

# Used only when DEBUG is on; a production run needs DEMO_PASSWORD or gets a random one.
DEVELOPMENT_DEMO_PASSWORD = "transform-demo-2022"  # noqa: S105


def _app_loaders():
    """Each app owns the part of the report it models."""
    from reserves import demo as reserves_demo
    from risks import demo as risks_demo
    from stages import demo as stages_demo

    return [reserves_demo.load, stages_demo.load, risks_demo.load]


class Command(BaseCommand):
    help = "Load the seed programme (the decision report) and, with DEBUG on, the demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-demo-users",
            action="store_true",
            help="Create demo users with DEBUG off (password: DEMO_PASSWORD, else random).",
        )

    def handle(self, *args, allow_demo_users=False, **options):
        make_users = settings.DEBUG or allow_demo_users
        password = os.environ.get("DEMO_PASSWORD") or (
            DEVELOPMENT_DEMO_PASSWORD if settings.DEBUG else secrets.token_urlsafe(12)
        )
        if not settings.DEBUG and not allow_demo_users:
            self.stdout.write("DEBUG is off: demo users are not created (use --allow-demo-users).")
        with transaction.atomic():
            users = ensure_demo_users(password) if make_users else {}
            with acting_user(users.get("admin")):
                programme = programme_demo.load(users=users)
                for load in _app_loaders():
                    load(programme=programme, users=users)
        self.stdout.write(self.style.SUCCESS(f"Demo programme loaded: {programme.name}"))
        if make_users:
            self.stdout.write("Demo logins (new users only get this password):")
            for username, _first, _last, role, title in DEMO_USERS:
                self.stdout.write(f"  {username:<9} {role.value:<8} {title}")
            self.stdout.write(f"  password: {password}")
