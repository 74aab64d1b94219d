"""Hypothesis profiles for the fuzz tests: `short` by default (derandomized, fast enough for every CI run),
`long` when the run selects the fuzz marker (`pytest -m fuzz`), or any profile named by --hypothesis-profile.

Every test module in this folder sets `pytestmark = pytest.mark.fuzz`; what selecting the marker changes is
how hard each property is tried.
Examples share no database (derandomized runs replay the same examples; the long run prints a reproduction
blob for any failure instead).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings

# function_scoped_fixture: the suite-wide autouse fixture only points HOME and the cache at a temp directory,
# which every example may share. too_slow: one example writes files and runs a whole scan (tens of ms).
_SHARED = {
    "database": None,
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile(
    "short", max_examples=12, derandomize=True, phases=[Phase.explicit, Phase.generate, Phase.shrink], **_SHARED
)
settings.register_profile("long", max_examples=400, print_blob=True, **_SHARED)


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("hypothesis_profile", None):
        return
    chosen = (
        "long" if "fuzz" in (config.option.markexpr or "") and "not fuzz" not in config.option.markexpr else "short"
    )
    settings.load_profile(chosen)
