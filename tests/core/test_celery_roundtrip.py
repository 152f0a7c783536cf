"""A real round trip: a task sent through Redis, run by a real worker, its result stored."""

import pytest

from core.tasks import ping


@pytest.mark.redis
@pytest.mark.postgres
def test_a_task_goes_through_redis_and_a_real_worker(celery_worker):
    from django_celery_results.models import TaskResult

    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert "ready." in celery_worker.output()
