"""The benchmark's yardstick: a minimal one-query Django view, served by the same gunicorn as
the pages in `bench/load.py`. It is in the URL map only when BENCH_MINIMAL_VIEW=1
(`programme/urls.py`), never in a normal run.

It passes through the same middleware as every page (session, login, CSP, history), so the
ratio the load script prints is the cost of the page itself.
"""

from django.http import HttpResponse

from programme.models import Programme


def minimal(request):
    name = Programme.objects.order_by("id").values_list("name", flat=True).first()
    return HttpResponse(name or "", content_type="text/plain; charset=utf-8")
