"""Loads the seed decision report (and, in development, the demo users). Idempotent."""

import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from reporting.demo import demo_load
from reporting.demo_users import DEMO_USERS, ensure_demo_users

# Used only when DEBUG is on; a production run needs DEMO_PASSWORD or gets a random one.
DEVELOPMENT_DEMO_PASSWORD = "transform-demo-2022"  # noqa: S105


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
            programme = demo_load(users=users)
        self.stdout.write(self.style.SUCCESS(f"Demo programme loaded: {programme.name}"))
        if make_users:
            self.stdout.write("Demo logins (new users only get this password):")
            for username, _first, _last, role, title in DEMO_USERS:
                self.stdout.write(f"  {username:<9} {role.value:<8} {title}")
            self.stdout.write(f"  password: {password}")
