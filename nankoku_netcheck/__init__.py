"""nankoku-netcheck: proves 三層の対策 zone segmentation from router and firewall configs."""

__version__ = "0.1.0"
