import pytest
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import strategies as st

from apps.core.clientip import client_ip
from apps.core.ratelimit import Rate, hit, parse_rate


@given(count=st.integers(1, 10_000), unit=st.sampled_from(["s", "m", "h"]))
def test_parse_rate_round_trip(count, unit):
    rate = parse_rate(f"{count}/{unit}")
    assert rate.count == count
    assert rate.seconds == {"s": 1, "m": 60, "h": 3600}[unit]


@pytest.mark.parametrize("text", ["60", "x/m", "60/d", "-1/m", "0/m"])
def test_bad_rates_are_explained(text):
    with pytest.raises(ValueError, match="a rate looks like 60/m"):
        parse_rate(text)


def test_empty_or_zero_means_no_limit():
    assert parse_rate("") is None
    assert parse_rate("0") is None


def test_counter_is_shared_in_the_cache_and_resets_per_window(settings):
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower(), "make test runs on Redis"
    rate = Rate(3, 60)
    key = "198.51.100.7"
    now = 1_000_020.0
    results = [hit("test", key, rate, now=now)[0] for _ in range(4)]
    assert results == [True, True, True, False]
    assert hit("test", key, rate, now=now + 60)[0] is True


@pytest.mark.django_db
def test_api_and_ping_limits_answer_429_with_retry_after():
    with override_settings(RATELIMIT_API="2/m", RATELIMIT_PING="1/m"):
        client = Client(REMOTE_ADDR="203.0.113.9")
        statuses = [client.get("/api/v1/me").status_code for _ in range(3)]
        assert statuses == [401, 401, 429]
        refused = client.get("/api/v1/me")
        assert refused["Retry-After"].isdigit()
        assert "rate limit exceeded: 2 requests per minute" in refused.json()["error"]
        other = Client(REMOTE_ADDR="203.0.113.10")
        assert other.get("/api/v1/me").status_code == 401
        # Health endpoints are never limited.
        assert all(client.get("/health/live").status_code == 200 for _ in range(5))


def test_forwarded_for_is_believed_only_from_trusted_proxies(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    direct = rf.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(direct) == "198.51.100.1"
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.9")
    assert client_ip(proxied) == "1.2.3.4"
