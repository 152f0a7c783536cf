"""Every main page, by URL name, with the demo user who would use it: the pages the benchmarks
visit and whose query counts the tests assert. Shared by bench/query_counts.py, bench/load.py
and tests/test_query_counts.py; a main page added to the product belongs here."""

from django.urls import reverse

# (label, URL name, kwargs needed beyond the programme's slug, user who views it)
PAGES = [
    ("Home", "home", (), "officer"),
    ("Dashboard", "reporting:dashboard", ("slug",), "cabinet"),
    ("Programme record", "programme:detail", ("slug",), "admin"),
    ("Programme record (print)", "programme:print", ("slug",), "admin"),
    ("Stage list", "stages:list", ("slug",), "admin"),
    ("Stage page", "stages:detail", ("slug", "number"), "admin"),
    ("Output page", "stages:output_detail", ("slug", "number", "code"), "admin"),
    ("My outputs", "stages:my_outputs", ("slug",), "officer"),
    ("Reserve list", "reserves:list", (), "finance"),
    ("Reserve statement", "reserves:statement", ("pk",), "finance"),
    ("Drawdown queue", "reserves:drawdown_queue", (), "finance"),
    ("Drawdown page", "reserves:drawdown_detail", ("drawdown",), "finance"),
    ("Refused drawdowns", "reserves:refusals", (), "finance"),
    ("Cost profile", "reserves:cost_profile", ("slug",), "finance"),
    ("Stated figures", "reserves:stated_figures", ("slug",), "finance"),
    ("Spend and ceiling", "reserves:programme_spend", ("slug",), "finance"),
    ("Change the ceiling", "reserves:ceiling_change", ("slug",), "cabinet"),
    ("Actual spend", "reserves:actuals", ("slug",), "finance"),
    ("Ledger imports", "reserves:actuals_imports", ("slug",), "finance"),
    ("Risk register", "risks:register", ("slug",), "admin"),
    ("Risk page", "risks:detail", ("slug", "number"), "admin"),
    ("Audit log", "reporting:audit", ("slug",), "admin"),
    (
        "Record history",
        "reporting:object_history",
        ("slug", "app_label", "model_name", "stage"),
        "admin",
    ),
    ("Reports", "reporting:reports", ("slug",), "cabinet"),
    ("Help", "reporting:help", ("slug",), "officer"),
    ("Tolerances", "stages:tolerances", ("slug",), "cabinet"),
    ("Exceptions and escalations", "stages:exceptions", ("slug",), "cabinet"),
]


def page_urls(labels=None) -> list[tuple[str, str, str]]:
    """[(label, url, username)] of the demo programme's pages (`labels`: only those)."""
    from programme.demo import DEMO_SLUG
    from reserves.demo import RESERVE_NAME
    from reserves.models import Drawdown, Reserve
    from stages.models import Output, Stage

    output = (
        Output.objects.filter(stage__programme__slug=DEMO_SLUG, stage__number=1)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    drawdown = Drawdown.objects.filter(programme__slug=DEMO_SLUG).order_by("id").first()
    values = {
        "slug": DEMO_SLUG,
        "number": 1,
        "code": output,
        "pk": Reserve.objects.get(name=RESERVE_NAME).pk,
        "drawdown": drawdown.pk if drawdown else None,
        # The history page of stage 1: a record whose history grows with the demo.
        "app_label": "stages",
        "model_name": "stage",
        "stage": Stage.objects.get(programme__slug=DEMO_SLUG, number=1).pk,
    }
    urls = []
    for label, name, needs, username in PAGES:
        if labels is not None and label not in labels:
            continue
        kwargs = {("pk" if k in ("drawdown", "stage") else k): values[k] for k in needs}
        urls.append((label, reverse(name, kwargs=kwargs), username))
    return urls
