from __future__ import annotations

from collections.abc import Iterator

import pytest
from selftest_fakenova import FakeNova


@pytest.fixture
def nova() -> Iterator[FakeNova]:
    with FakeNova() as running:
        yield running
