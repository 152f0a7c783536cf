"""The state of the database and the broker, for /healthz. Each check is bounded in time."""

from django.conf import settings
from django.db import connection


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down" to a load balancer
        return "unreachable"
    return "ok"


def broker_state() -> str:
    if not settings.REDIS_URL:
        return "eager"
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    timeout = settings.BROKER_TIMEOUT_SECONDS
    # redis-py retries a failed connection three times with back-off by default: one try only.
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    except (redis.RedisError, OSError):
        return "unreachable"
    finally:
        client.close()
    return "ok"
