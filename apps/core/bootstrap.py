"""First-start hooks: apps register functions that `start_portal` runs after migrating."""

from collections.abc import Callable
from typing import TextIO

_hooks: list[Callable[[TextIO], None]] = []


def first_start_hook(func: Callable[[TextIO], None]) -> Callable[[TextIO], None]:
    """Register `func(stdout)` to run at every `start_portal`; it must be idempotent."""
    _hooks.append(func)
    return func


def run_first_start_hooks(stdout: TextIO) -> None:
    for hook in _hooks:
        hook(stdout)
