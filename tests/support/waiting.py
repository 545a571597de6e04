"""Waiting for a condition, said once for tests and benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable


class WaitTimeout(AssertionError):
    """A condition did not hold in time (an AssertionError, so pytest reports a failure, not an error)."""


def wait_for(
    condition: Callable[[], object],
    timeout: float = 10.0,
    what: str | Callable[[], str] = "condition",
    interval: float = 0.05,
    ignore: tuple[type[BaseException], ...] = (Exception,),
) -> object:
    """Poll `condition` until it returns something truthy and return that; raise WaitTimeout after
    `timeout` seconds. Exceptions of the `ignore` types count as "not yet" (a page in the middle of a
    rerun, a database down on purpose) and the last one is named in the failure; others propagate at
    once. `what` names the condition; a callable is asked only on failure (say, for what a page shows)."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value = condition()
        except ignore as e:
            value, last = None, e
        if value:
            return value
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise WaitTimeout(
                f"timed out after {timeout:g} s waiting for {said}"
                + (f" (last error: {last!r})" if last else "")
            )
        time.sleep(interval)
