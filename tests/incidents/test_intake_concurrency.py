"""Two workers reporting the same failure at the same moment end on one incident (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from apps.incidents.intake import report_problem
from apps.incidents.models import Incident


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_open_exactly_one_incident():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and unique index waits")
    workers = 8
    for round_ in range(5):
        cause = f"monitor:{round_}"
        barrier = threading.Barrier(workers)
        results, errors = [], []

        def report(cause=cause, barrier=barrier, results=results, errors=errors):
            try:
                barrier.wait()
                results.append(report_problem(cause, "down", detail="refused").pk)
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=report) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(set(results)) == 1 and len(results) == workers
        assert Incident.objects.filter(cause=cause).count() == 1
