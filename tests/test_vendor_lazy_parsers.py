"""Vendor plugins import their parsers when first asked to parse (vendors/__init__.py)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

from nankoku_netcheck.vendors import PLUGINS

REPO = Path(__file__).resolve().parents[1]


def test_each_plugin_is_named_as_its_parser_names_its_devices() -> None:
    for plugin in PLUGINS:
        parser = importlib.import_module(f"{type(plugin).__module__}.parser")
        assert getattr(parser, "VENDOR", plugin.name) == plugin.name
        device = plugin.parse("hostname x\n", "x.cfg") if plugin.name.startswith("cisco") else None
        assert device is None or device.vendor == plugin.name


def test_loading_the_pipeline_imports_no_parser_until_a_config_is_parsed() -> None:
    program = (
        "import sys\n"
        "import nankoku_netcheck.analyze, nankoku_netcheck.diff\n"
        "def loaded():\n"
        "    prefix = 'nankoku_netcheck.vendors.'\n"
        "    return sorted(m for m in sys.modules if m.startswith(prefix) and m.endswith('.parser'))\n"
        "print(loaded())\n"
        "from nankoku_netcheck.vendors import parse_config\n"
        f"parse_config(open({str(REPO / 'device_configs' / 'nankoku' / 'mn-core.cfg')!r}).read(), 'mn-core.cfg')\n"
        "print(loaded())\n"
    )
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=REPO)
    before, after = run.stdout.splitlines()
    assert before == "[]"
    assert "nankoku_netcheck.vendors.cisco_ios.parser" in after
    assert "nankoku_netcheck.vendors.yamaha_rtx.parser" not in after
