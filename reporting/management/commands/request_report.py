"""`request_report --kind highlight --programme <slug>`: what the "Generate report" button does,
from the command line. Prints the new ReportRun's id on the last line of standard output."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from programme.models import Programme
from reporting.models import ReportRun
from reporting.services import report_request


class Command(BaseCommand):
    help = "Request a report, exactly as the reports page does, and print its ReportRun id."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=ReportRun.Kind.values)
        parser.add_argument("--programme", required=True, help="the programme's slug")
        parser.add_argument(
            "--user",
            help="username the request is made as (default: the first active superuser)",
        )

    def handle(self, *args, kind, programme, user=None, **options):
        found = Programme.objects.filter(slug=programme).first()
        if found is None:
            raise CommandError(f"No programme with the slug {programme!r}.")
        User = get_user_model()
        if user:
            acting = User.objects.filter(username=user, is_active=True).first()
            if acting is None:
                raise CommandError(f"No active user {user!r}.")
        else:
            acting = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if acting is None:
            raise CommandError(
                "No active superuser to request the report as: name one with --user."
            )
        try:
            run = report_request(actor=acting, programme=found, kind=kind)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{acting.username} may not request reports: {exc}") from exc
        self.stdout.write(str(run.pk))
