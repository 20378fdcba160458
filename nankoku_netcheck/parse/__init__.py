"""The parse stage: one configuration text in, one vendor-neutral `Device` out.

Which syntax a text is written in, and how each is read, is the vendor plugins' business
(`nankoku_netcheck.vendors`); this module is the stage's entry point for the pipeline.
"""

from __future__ import annotations

from nankoku_netcheck.vendors import (
    DETECTION_ORDER,
    SUPPORTED,
    VENDORS,
    Detection,
    classify,
    detect_vendor,
    parse_config,
)

__all__ = ["DETECTION_ORDER", "SUPPORTED", "VENDORS", "Detection", "classify", "detect_vendor", "parse_config"]
