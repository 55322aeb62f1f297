"""Probes refuse schemes and addresses the operator has not allowed."""

import pytest

from apps.monitoring.guard import ProbeRefused, check_address, check_url
from apps.monitoring.probes import MonitorSpec, probe_many

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["file://localhost/etc/passwd", "gopher://127.0.0.1/", "ftp://127.0.0.1/", "//no-scheme"],
)
def test_only_http_and_https(url):
    with pytest.raises(ProbeRefused, match="only http and https"):
        check_url(url)


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "100.100.100.200", "fe80::1", "fd00:ec2::254", "::ffff:169.254.169.254"],
)
def test_metadata_and_link_local_refused_by_default(address):
    with pytest.raises(ProbeRefused, match="refused"):
        check_address(address)


def test_loopback_and_private_allowed_by_default():
    for address in ("127.0.0.1", "::1", "10.1.2.3", "192.168.1.10"):
        check_address(address)


def test_unspecified_and_multicast_always_refused(settings):
    settings.MONITORING_ALLOWED_NETWORKS = ["0.0.0.0/0"]
    for address in ("0.0.0.0", "224.0.0.1"):
        with pytest.raises(ProbeRefused, match="not a host address"):
            check_address(address)


def test_lists_are_configurable(settings):
    settings.MONITORING_DENIED_NETWORKS = ["127.0.0.0/8"]
    with pytest.raises(ProbeRefused):
        check_address("127.0.0.1")
    settings.MONITORING_ALLOWED_NETWORKS = ["127.0.0.5/32"]
    check_address("127.0.0.5")
    with pytest.raises(ProbeRefused):
        check_address("127.0.0.6")


def test_denied_loopback_refuses_names_that_resolve_there(settings, target):
    settings.MONITORING_DENIED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    port = target.base.rsplit(":", 1)[1]
    (out,) = probe_many([MonitorSpec(id=1, kind="http", target=f"http://localhost:{port}/x")])
    assert not out.ok and "refused" in out.error
    assert target.hits == []


def test_metadata_address_is_refused_without_sending_anything():
    spec = MonitorSpec(id=1, kind="http", target="http://169.254.169.254/latest/meta-data/")
    (out,) = probe_many([spec])
    assert not out.ok and "169.254.169.254 is refused" in out.error
    tcp = MonitorSpec(id=2, kind="tcp", target="169.254.169.254:80")
    (out,) = probe_many([tcp])
    assert not out.ok and "refused" in out.error
