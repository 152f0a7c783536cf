"""The pages the benchmarks visit, by URL name, so a page added later (the dashboard) is
picked up as soon as its URL name resolves. Shared by bench/query_counts.py, bench/load.py
and tests/test_query_counts.py."""

from django.urls import NoReverseMatch, reverse

# (label, URL name, kwargs needed beyond the programme's slug, user who views it)
PAGES = [
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
    ("Risk register", "risks:register", ("slug",), "admin"),
    ("Risk page", "risks:detail", ("slug", "number"), "admin"),
    ("Audit log", "reporting:audit", ("slug",), "admin"),
    ("Reports", "reporting:reports", ("slug",), "cabinet"),
    ("Help", "reporting:help", ("slug",), "officer"),
]
# The four pages the load benchmark measures.
LOAD_PAGES = ["Dashboard", "Reserve statement", "Risk register", "Stage page"]


def page_urls(labels=None) -> list[tuple[str, str, str]]:
    """[(label, url, username)] for the demo programme, skipping URL names not (yet) wired."""
    from programme.demo import DEMO_SLUG
    from reserves.demo import RESERVE_NAME
    from reserves.models import Drawdown, Reserve
    from stages.models import Output

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
    }
    urls = []
    for label, name, needs, username in PAGES:
        if labels is not None and label not in labels:
            continue
        kwargs = {("pk" if k == "drawdown" else k): values[k] for k in needs}
        try:
            urls.append((label, reverse(name, kwargs=kwargs), username))
        except NoReverseMatch:
            continue  # not wired yet (e.g. the dashboard while it is being built)
    return urls
