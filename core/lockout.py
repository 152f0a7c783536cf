"""Sign-in throttling with django-axes: whose address a request comes from behind the council's
proxies, and the page that tells a locked-out person when to try again (decision 0163).

Failed sign-ins are counted per username and client address; after `AXES_FAILURE_LIMIT` that
pair is locked for `AXES_COOLOFF_TIME`, counted from the last failure before the lock (tries
while locked do not extend it, so the time the page gives holds).
"""

import ipaddress

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from .dates import govuk_date


def _valid_address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The address of the person signing in (django-axes' `AXES_CLIENT_IP_CALLABLE`).

    With no trusted proxy (`AXES_IPWARE_PROXY_COUNT` 0) it is the connection's own address:
    a header is then only what the client claims. Behind N proxies, each appends the address
    it was reached from to X-Forwarded-For, so the client is the N-th entry from the right;
    entries further left were sent by the client and are ignored. A request with fewer entries
    than proxies did not come through them all: the connection's address is used."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT or 0
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    for key in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        if key == "REMOTE_ADDR":
            break
        entries = [part for part in request.META.get(key, "").split(",") if part.strip()]
        if len(entries) >= proxies:
            address = _valid_address(entries[-proxies])
            if address:
                return address
    return remote


def locked_out(request, original_response=None, credentials=None):
    """The lock-out page (django-axes' `AXES_LOCKOUT_CALLABLE`), saying when to try again."""
    cool_off = get_cool_off(request)
    try_again_at = None
    if cool_off:
        last_failure = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=getattr(request, "axes_ip_address", None),
        ).aggregate(last=Max("attempt_time"))["last"]
        try_again_at = (last_failure or timezone.now()) + cool_off
    minutes = None
    if try_again_at:
        minutes = max(1, -(-int((try_again_at - timezone.now()).total_seconds()) // 60))
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {
            "try_again_at": govuk_date(try_again_at) if try_again_at else "",
            "minutes": minutes,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
