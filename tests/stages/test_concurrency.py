"""Two officers acting on the same output at the same moment, on real PostgreSQL: the row
lock makes one of them see the other's change, so the rules still hold."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from stages import services
from stages.models import Output

from .factories import OutputFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "ok"
        except ValidationError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_an_output_sent_back_while_being_accepted_ends_in_one_consistent_state(
    stages, officer, officer2, admin_user
):
    for attempt in range(5):
        output = OutputFactory(
            stage=stages[1],
            code=f"r{attempt}",
            owner=officer,
            status="submitted",
            submitted_by=officer,
            evidence_url="https://intranet.example.gov.uk/e",
        )
        outcomes = _race(
            lambda o=output: services.output_accept(output=o, actor=officer2),
            lambda o=output: services.output_transition(
                output=o, actor=admin_user, to_status="in_progress"
            ),
        )
        # Accepted is final and only a submitted output can be accepted: whichever comes
        # second must be refused. Without the row lock both read "submitted" and both pass.
        assert outcomes.count("ok") == 1, outcomes
        row = Output.objects.get(pk=output.pk)
        if outcomes[0] == "ok":
            assert (row.status, row.accepted_by) == ("accepted", officer2)
        else:
            assert (row.status, row.accepted_by) == ("in_progress", None)
