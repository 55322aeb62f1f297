"""Geometry of the server-rendered SVG charts: pure functions from values to shapes.

Templates draw what these return; no JavaScript chart library. Every shape carries a text
(`label`) for its <title>, and "bad" bars a pattern as well as a colour, so the charts read
without colour too.
"""

from dataclasses import dataclass
from datetime import datetime

GOOD, WARN, BAD, NODATA = "good", "warn", "bad", "nodata"


def uptime_class(ratio: float | None, slo_percent: float = 99.9) -> str:
    """good at or above the SLO, warn above 95 %, bad below, nodata when nothing was counted."""
    if ratio is None:
        return NODATA
    if ratio * 100 >= slo_percent:
        return GOOD
    return WARN if ratio >= 0.95 else BAD


def percent(ratio: float | None, digits: int = 2) -> str:
    return "no data" if ratio is None else f"{ratio * 100:.{digits}f} %"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    label: str


def uptime_bars(
    days: list[tuple[str, float | None]],
    *,
    width: float = 600,
    height: float = 40,
    gap: float = 1,
    slo_percent: float = 99.9,
) -> list[Bar]:
    """One bar per (label, ratio); worse days are shorter as well as differently filled."""
    if not days:
        return []
    step = width / len(days)
    bars = []
    for index, (day, ratio) in enumerate(days):
        css = uptime_class(ratio, slo_percent)
        # Height shows the state without colour: full when good, 60 % when degraded, 30 % bad.
        share = {GOOD: 1.0, WARN: 0.6, BAD: 0.3, NODATA: 0.15}[css]
        h = height * share
        bars.append(
            Bar(
                round(index * step, 2),
                round(height - h, 2),
                round(max(step - gap, 1), 2),
                round(h, 2),
                css,
                f"{day}: {percent(ratio, 3)} up",
            )
        )
    return bars


@dataclass(frozen=True)
class LineChart:
    points: str  # the polyline's "x,y x,y ..." (empty when no data)
    dots: list[tuple[float, float, str]]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    width: float
    height: float
    max_value: int


def latency_chart(
    samples: list[tuple[datetime, int | None]],
    *,
    start: datetime,
    end: datetime,
    width: float = 700,
    height: float = 200,
    x_format: str = "%H:%M",
) -> LineChart:
    """A line over the periods that have a value; gaps (no data) simply have no point."""
    span = (end - start).total_seconds() or 1.0
    values = [v for _, v in samples if v is not None]
    top = _nice_ceiling(max(values) if values else 1)

    def xy(at: datetime, value: int) -> tuple[float, float]:
        x = (at - start).total_seconds() / span * width
        return round(x, 1), round(height - value / top * height, 1)

    dots = []
    for at, value in samples:
        if value is not None:
            x, y = xy(at, value)
            dots.append((x, y, f"{at:%Y-%m-%d %H:%M} UTC: p95 {value} ms"))
    y_ticks = [(round(height - f * height, 1), f"{round(top * f)} ms") for f in (0, 0.5, 1)]
    x_ticks = [
        (round(f * width, 1), (start + (end - start) * f).strftime(x_format))
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    points = " ".join(f"{x},{y}" for x, y, _ in dots)
    return LineChart(points, dots, y_ticks, x_ticks, width, height, top)


def _nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5 x 10^n that is >= value (a readable axis maximum)."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10
