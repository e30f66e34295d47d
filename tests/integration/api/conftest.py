"""The `flow` fixture: the API flow driver of tests/flows.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.flows import Flow


@pytest.fixture()
def flow(api: Any, app: Any, runner: Any) -> Flow:
    return Flow(api, app, runner)


@pytest.fixture()
def frozen_clock(request: pytest.FixtureRequest) -> Any:
    """Run the test at the time of its `clock` mark (default 2026-03-02 09:00 Shanghai, a Monday);
    it may travel on with frozen_at."""
    from tests.flows import at
    from workflows.engine.clock import frozen_at

    mark = request.node.get_closest_marker("clock")
    with frozen_at(at(mark.args[0] if mark else "2026-03-02 09:00")):
        yield
