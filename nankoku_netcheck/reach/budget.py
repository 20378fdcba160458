"""The work budget of one search: a safety net, not the guarantee of termination.

Every search already ends by construction (translations are canonical, so its state
space is finite: see nat.compose). The budget bounds how long one may take: past it a
search stops and the rules resting on it are inconclusive (META-003), never "pass".
A unit is one packet set entering one device (ReachEngine) or one device stepped
through (Tracer).
"""

from __future__ import annotations

# The sample city's largest search spends 47 units and the 1,000-device benchmark city's
# a few thousand (measured for issue #13, see tests/test_termination.py): far more than
# 20 times that headroom, while a search that would run for hours still stops in minutes.
DEFAULT_BUDGET = 2_000_000
