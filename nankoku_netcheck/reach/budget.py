"""The work budget of one search: a safety net, not the guarantee of termination.

Every search already ends by construction (translations are canonical, so its state
space is finite: see nat.compose). The budget bounds how long one may take: past it a
search stops and the rules resting on it are inconclusive (META-003), never "pass".
A unit is one packet set entering one device (ReachEngine) or one device stepped
through (Tracer).
"""

from __future__ import annotations

# Measured for issue #13 (largest single search, work units): the sample city 54 (57 for
# its broken variant), the benchmark city of 100 devices 382, of 1,000 devices 3,983 (the
# routing-ignored search from the internet zone). 100,000 leaves 25 times the 1,000-device
# city's need, while a search that would run for hours stops far sooner.
DEFAULT_BUDGET = 100_000
