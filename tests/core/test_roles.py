"""Role grants leave a trace (issue 16, case 5): who granted or removed which role, to whom and
when, whatever the path, shown in the product's audit log beside other changes."""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse

from core.history import acting_user
from core.models import RoleChange
from core.names import person_name
from tests.conftest import TEST_PASSWORD
from tests.core.html_forms import post_data

pytestmark = pytest.mark.django_db


def changes_for(user):
    return list(
        RoleChange.objects.filter(user=user)
        .order_by("id")
        .values_list("role", "action", "changed_by__username")
    )


def test_an_admin_adding_a_role_in_the_admin_is_in_the_audit_log(
    client_for, admin_user, officer2, cabinet, demo_programme
):
    finance = Group.objects.get_or_create(name="Finance")[0]
    admin = client_for(admin_user)
    url = reverse("admin:auth_user_change", args=[officer2.pk])
    data = post_data(admin.get(url).content.decode(), form_id="user_form")
    data["groups"] = [*data.get("groups", []), str(finance.pk)]
    before = changes_for(officer2)
    assert admin.post(url, data).status_code == 302
    assert set(officer2.groups.values_list("name", flat=True)) == {"Officer", "Finance"}
    assert changes_for(officer2)[len(before) :] == [("Finance", "granted", "admin")]

    log = client_for(cabinet).get(reverse("reporting:audit", args=[demo_programme.slug]))
    page = log.content.decode()
    assert "Finance role granted to officer2" in page
    row = page[page.index("Finance role granted to officer2") - 1500 :][:1600]
    assert person_name(admin_user) in row


def test_removing_roles_in_code_is_recorded_by_the_acting_user(admin_user, officer2, finance):
    finance_group = Group.objects.get_or_create(name="Finance")[0]
    with acting_user(admin_user):
        finance_group.user_set.remove(finance, officer2)  # officer2 is not in Finance
        officer2.groups.add(
            Group.objects.get_or_create(name="Officer")[0]
        )  # already there: no change
        officer2.groups.clear()
    assert changes_for(finance)[-1] == ("Finance", "removed", "admin")
    assert changes_for(officer2)[-1] == ("Officer", "removed", "admin")
    assert [c for c in changes_for(officer2) if c[1] == "removed"] == [
        ("Officer", "removed", "admin")
    ]
    assert ("Officer", "granted", None) in changes_for(officer2)  # made by the fixture


def test_making_a_superuser_is_granting_admin_and_signing_in_is_not(admin_user, officer2):
    with acting_user(admin_user):
        officer2.is_superuser = True
        officer2.save()
    assert changes_for(officer2)[-1] == ("Admin (superuser)", "granted", "admin")
    count = RoleChange.objects.count()
    assert Client().login(username="officer2", password=TEST_PASSWORD)
    officer2.refresh_from_db()
    officer2.first_name = "Renamed"
    officer2.save()
    assert RoleChange.objects.count() == count
    with acting_user(admin_user):
        officer2.is_superuser = False
        officer2.save(update_fields=["is_superuser"])
    assert changes_for(officer2)[-1] == ("Admin (superuser)", "removed", "admin")


def test_a_grant_that_rolls_back_leaves_no_record(admin_user, officer2):
    count = RoleChange.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic(), acting_user(admin_user):
        officer2.groups.add(Group.objects.get_or_create(name="Cabinet")[0])
        raise RuntimeError("the rest of the change failed")
    assert RoleChange.objects.count() == count
    assert not officer2.groups.filter(name="Cabinet").exists()
