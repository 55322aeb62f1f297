"""Signals the monitoring app sends; the incident app (and others) listen.

`monitor_state_changed` is sent once per state change of a monitor, after the transaction
that stored it commits, with keyword arguments:
    monitor   -- the Monitor instance
    previous  -- the state before (str, e.g. "up")
    current   -- the state now (str, e.g. "down")
    at        -- when the change happened (aware datetime)
    reason    -- a short human sentence (the error text of the failing result, "late", ...)
"""

from django.dispatch import Signal

monitor_state_changed = Signal()
