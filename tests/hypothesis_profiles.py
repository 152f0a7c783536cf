"""Hypothesis settings profiles, chosen by HYPOTHESIS_PROFILE (`.ci/run` sets "ci").

- "ci": every property test runs the example counts it names (the counts the suite was
  written with); no deadline, since a shared CI machine makes timings meaningless.
- "dev" (the default): about a tenth of those counts, for a quick local run. A failure found
  by either profile is replayed first on the next run from the local example database.

Tests write `settings(max_examples=examples(100), ...)`: the number is the CI count.
"""

import os

from hypothesis import HealthCheck, settings

PROFILES = ("ci", "dev")
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or "dev"
if PROFILE not in PROFILES:
    raise RuntimeError(f"HYPOTHESIS_PROFILE={PROFILE!r}: use one of {', '.join(PROFILES)}")

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile("ci", max_examples=100, print_blob=True, **_COMMON)
settings.register_profile("dev", max_examples=10, **_COMMON)
settings.load_profile(PROFILE)


def examples(ci_count: int) -> int:
    """`ci_count` under the ci profile; a tenth of it (at least 2, at most itself) under dev."""
    if PROFILE == "ci":
        return ci_count
    return min(ci_count, max(2, ci_count // 10))
