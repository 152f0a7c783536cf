"""The actuals models in the Django admin are read-only (issue 17): an Admin user sees each
list, each record and its history, and a POST to a record's page changes nothing."""

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from reserves.actuals import services
from reserves.models import (
    CostCentreMapping,
    LedgerChange,
    LedgerImport,
    LedgerMapping,
    LedgerTransaction,
    StageForecast,
)

pytestmark = pytest.mark.django_db

MODELS = (
    LedgerImport,
    LedgerTransaction,
    LedgerChange,
    LedgerMapping,
    CostCentreMapping,
    StageForecast,
)


@pytest.fixture
def actuals(mapped, upload, confirm, officer):
    confirm(upload(["GL-1,19/07/2022,DT100,5001,100.00,Acme Ltd,Company,Work,0"]))
    confirm(upload(["GL-1,19/07/2022,DT100,5001,150.00,Acme Ltd,Company,Work,0"]))  # a change
    services.stage_forecast_save(
        actor=officer, stage=mapped.stage_one, data={"forecast_to_complete": Decimal("500")}
    )
    assert all(model.objects.exists() for model in MODELS)
    return mapped


def _state(model):
    return [
        (model_to_dict(obj), obj.history.count() if hasattr(obj, "history") else None)
        for obj in model.objects.order_by("pk")
    ]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_actuals_model_is_shown_and_cannot_be_changed_from_the_admin(
    model, actuals, client_for, admin_user
):
    client = client_for(admin_user)
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    obj = model.objects.order_by("pk").first()
    assert client.get(reverse(f"{info}_changelist")).status_code == 200
    change = reverse(f"{info}_change", args=[obj.pk])
    page = client.get(change)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html  # nothing to save
    assert client.get(reverse(f"{info}_history", args=[obj.pk])).status_code == 200

    before = _state(model)
    data = dict.fromkeys(model_to_dict(obj), "1")
    assert client.post(change, data).status_code == 403
    assert client.post(reverse(f"{info}_add"), data).status_code == 403
    assert client.post(reverse(f"{info}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert _state(model) == before
    changelist = reverse(f"{info}_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk]})
    assert _state(model) == before
    if hasattr(obj, "history"):
        record = obj.history.order_by("history_id").first()
        version = reverse(f"{info}_simple_history", args=[obj.pk, record.history_id])
        assert client.get(version).status_code == 200
        assert client.post(version, data).status_code == 405
        assert _state(model) == before
