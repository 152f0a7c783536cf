"""The demo's illustrative ledger: imported through the real import by the demo Finance user,
labelled illustrative wherever it shows, loaded once however often `load_demo` runs."""

import os
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from programme.demo import DEMO_SLUG
from programme.models import Programme
from reserves.actuals import selectors
from reserves.models import LedgerImport, LedgerTransaction

pytestmark = pytest.mark.django_db


def _load():
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", allow_demo_users=True, stdout=devnull)


def test_the_demo_imports_an_illustrative_ledger_once_and_says_it_is_illustrative():
    _load()
    _load()
    programme = Programme.objects.get(slug=DEMO_SLUG)
    (row,) = LedgerImport.objects.filter(programme=programme)
    assert row.status == "done" and row.is_illustrative
    assert row.uploaded_by.username == "finance"
    assert LedgerTransaction.objects.filter(programme=programme).count() == 11
    a = selectors.programme_actuals(programme)
    assert a.spent == Decimal("219270.00")
    client = Client()
    client.force_login(row.uploaded_by)
    html = client.get(reverse("reserves:actuals", kwargs={"slug": DEMO_SLUG})).content.decode()
    assert "Illustrative (demo)" in html
    assert "the decision report states no actual spend" in html
