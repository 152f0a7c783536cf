"""The demo users `make run` prints: one per role, and a second officer, Finance and Cabinet
member, so every four-eyes step (drawdown approval, ceiling change) can be tried without the
admin."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.access import Role

DEMO_USERS = [
    # username, first name, last name, role, job title
    ("officer", "Priya", "Shah", Role.OFFICER, "Transformation programme officer"),
    ("officer2", "Tom", "Bevan", Role.OFFICER, "Customer services lead"),
    ("finance", "Ruth", "Okafor", Role.FINANCE, "Strategic finance"),
    ("finance2", "Ravi", "Kaur", Role.FINANCE, "Finance business partner"),
    (
        "cabinet",
        "Alex",
        "Price",
        Role.CABINET,
        "Cabinet member finance, corporate services and planning",
    ),
    ("cabinet2", "Morgan", "Ellis", Role.CABINET, "Leader of the council"),
    ("admin", "Sam", "Lloyd", Role.ADMIN, "System administrator"),
]


def ensure_demo_users(password: str) -> dict[str, object]:
    """Create the demo users if missing; an existing user is left as it is (idempotent)."""
    User = get_user_model()
    users = {}
    for username, first, last, role, _title in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.gov.uk",
                "is_staff": role is Role.ADMIN,
                "is_superuser": role is Role.ADMIN,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            # get_or_create: the role groups come from a migration, but a flushed test
            # database or an admin may have removed one.
            user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        users[username] = user
    return users
