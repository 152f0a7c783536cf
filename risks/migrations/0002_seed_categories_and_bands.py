"""Seed the risk categories and STYLE.md's default score bands (admins change them later)."""

from django.db import migrations

CATEGORIES = [
    ("Financial", "Money: costs, funding, savings and reserves"),
    ("Legal", "Law, regulation, contracts and procurement rules"),
    ("Reputational", "How residents, partners and the press see the council"),
    ("Operational", "Day-to-day delivery of services and the programme"),
    ("Strategic", "The council's direction, plans and political support"),
]

# key, label, colour, lowest, highest — STYLE.md "Conventions of the field".
BANDS = [
    ("low", "Low", "green", 1, 4),
    ("medium", "Medium", "yellow", 5, 9),
    ("high", "High", "amber", 10, 14),
    ("very-high", "Very high", "red", 15, 25),
]


def seed(apps, schema_editor):
    RiskCategory = apps.get_model("risks", "RiskCategory")
    RiskBand = apps.get_model("risks", "RiskBand")
    for name, description in CATEGORIES:
        RiskCategory.objects.get_or_create(name=name, defaults={"description": description})
    for key, label, colour, lowest, highest in BANDS:
        RiskBand.objects.get_or_create(
            key=key,
            defaults={"label": label, "colour": colour, "lowest": lowest, "highest": highest},
        )


def unseed(apps, schema_editor):
    # Categories may be in use; only the bands are safe to remove on the way back.
    apps.get_model("risks", "RiskBand").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_risk_register")]

    operations = [migrations.RunPython(seed, unseed)]
