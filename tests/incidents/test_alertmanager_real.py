"""A real Alertmanager (Debian's prometheus-alertmanager) posts to the intake endpoint."""

import json
import shutil
import subprocess
import tempfile
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from apps.api.models import ApiToken
from apps.incidents.models import Incident
from tests.conftest import free_port, stop_process, wait_until

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(BINARY is None, reason="prometheus-alertmanager is not installed"),
]

CONFIG = """
route:
  receiver: portal
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: portal
    webhook_configs:
      - url: {url}
        send_resolved: true
        http_config:
          authorization:
            credentials: {token}
"""


def push(port: int, alerts: list[dict]) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v2/alerts",
        data=json.dumps(alerts).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def test_real_alertmanager_opens_and_resolves(live_server, django_user_model, settings):
    settings.RATELIMIT_API = "0"
    user = django_user_model.objects.create_superuser("am", password="x-unused-password-1")
    _, token = ApiToken.issue(user, "alertmanager")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "alertmanager.yml"
        url = f"{live_server.url}/api/v1/intake/alertmanager"
        config.write_text(CONFIG.format(url=url, token=token))
        proc = subprocess.Popen(
            [
                BINARY,
                f"--config.file={config}",
                f"--storage.path={tmp}/data",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until(lambda: _ready(port), timeout=30, what="alertmanager")
            start = datetime.now(UTC)
            alert = {
                "labels": {"alertname": "QueueBacklog", "severity": "warning"},
                "annotations": {"summary": "exports queue is backed up"},
                "startsAt": start.isoformat(),
            }
            push(port, [alert])
            incident = wait_until(
                lambda: Incident.objects.filter(cause__startswith="alertmanager:").first(),
                timeout=30,
                what="the firing alert to open an incident",
            )
            assert incident.title == "exports queue is backed up"
            assert incident.severity == "SEV3" and incident.status == "investigating"
            push(port, [alert | {"endsAt": (start + timedelta(seconds=1)).isoformat()}])
            wait_until(
                lambda: Incident.objects.filter(pk=incident.pk, status="resolved").exists(),
                timeout=30,
                what="the resolved alert to resolve the incident",
            )
            assert Incident.objects.count() == 1
        finally:
            stop_process(proc)


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False
