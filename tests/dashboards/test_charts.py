"""Chart geometry and state classes: pure functions."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from apps.dashboards import charts

START = datetime(2026, 11, 1, tzinfo=UTC)


@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=120))
def test_bars_fit_the_box_and_worse_is_never_taller(ratios: list) -> None:
    bars = charts.uptime_bars([(str(i), r) for i, r in enumerate(ratios)], width=600, height=40)
    assert len(bars) == len(ratios)
    for bar, ratio in zip(bars, ratios, strict=True):
        assert 0 <= bar.x and bar.x + bar.width <= 600.01
        assert bar.y + bar.height == 40
        if ratio is not None and ratio * 100 >= 99.9:
            assert bar.css == "good" and bar.height == 40
        if ratio is not None and ratio < 0.95:
            assert bar.css == "bad" and bar.height < 40


@given(st.lists(st.one_of(st.none(), st.integers(0, 120_000)), min_size=1, max_size=48))
def test_latency_points_stay_inside_the_chart(values: list) -> None:
    samples = [(START + timedelta(hours=i), v) for i, v in enumerate(values)]
    chart = charts.latency_chart(samples, start=START, end=START + timedelta(hours=48))
    assert len(chart.dots) == sum(v is not None for v in values)
    assert all(0 <= x <= 700 and 0 <= y <= 200 for x, y, _ in chart.dots)
    assert chart.max_value >= max([v for v in values if v is not None], default=1)


def test_states_and_labels() -> None:
    assert charts.uptime_class(None) == "nodata"
    assert charts.uptime_class(0.9995, 99.9) == "good"
    assert charts.uptime_class(0.97, 99.9) == "warn"
    assert charts.percent(0.5) == "50.00 %" and charts.percent(None) == "no data"


@given(st.lists(st.dictionaries(st.integers(0, 28), st.integers(1, 10**6), max_size=29)))
def test_merging_packed_histograms_matches_the_monitoring_app(histograms: list) -> None:
    from apps.dashboards.latency import merge_packed
    from apps.monitoring.stats import merge_histograms, pack_histogram

    packed = [pack_histogram(h) for h in histograms]
    assert merge_packed(packed) == merge_histograms(packed)
