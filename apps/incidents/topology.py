"""Walking service dependencies (`Service.depends_on`) in SQL, one query per level."""

from apps.monitoring.models import Service

MAX_DEPTH = 20  # a guard against pathological graphs; cycles are handled by `seen`


def _walk(start: set[int], forward: bool) -> set[int]:
    through = Service.depends_on.through
    here, there = ("from_service_id", "to_service_id")
    if not forward:
        here, there = there, here
    seen: set[int] = set()
    frontier = set(start)
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        found = set(
            through.objects.filter(**{f"{here}__in": frontier}).values_list(there, flat=True)
        )
        frontier = found - seen - set(start)
        seen |= frontier
    return seen


def dependencies_of(ids: set[int]) -> set[int]:
    """Every service the given ones depend on, directly or transitively."""
    return _walk(set(ids), forward=True)


def dependents_of(ids: set[int]) -> set[int]:
    """Every service that depends on the given ones, directly or transitively."""
    return _walk(set(ids), forward=False)
