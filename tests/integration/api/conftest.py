"""The `flow` fixture: the API flow driver of tests/flows.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.flows import Flow


@pytest.fixture()
def flow(api: Any, app: Any, runner: Any) -> Flow:
    return Flow(api, app, runner)
