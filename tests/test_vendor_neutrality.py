"""Vendor knowledge stays in its plugin: nothing outside nankoku_netcheck/vendors/ names a
vendor, imports a plugin's modules, or reads a vendor-specific model field."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from nankoku_netcheck.vendors import PLUGINS

PACKAGE = Path(__file__).resolve().parent.parent / "nankoku_netcheck"
VENDOR_NAMES = frozenset(plugin.name for plugin in PLUGINS)
# Fields the model carried for one vendor before the neutral policy model.
VENDOR_FIELDS = frozenset(
    {"nameif", "security_level", "same_security_inter_interface", "same_security_intra_interface", "global_acl"}
)


def outside_vendors() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "vendors" not in path.relative_to(PACKAGE).parts)


def offences(relative: Path, text: str) -> list[str]:
    """What in `text` (the module at `relative` inside the package) names a vendor."""
    found = []
    for node in ast.walk(ast.parse(text)):
        where = f"{relative}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in VENDOR_NAMES:
            found.append(f"{where}: names vendor {node.value!r}")
        elif isinstance(node, ast.Attribute) and node.attr in VENDOR_FIELDS:
            found.append(f"{where}: reads vendor field .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            if node.level:  # relative: resolve against the file's package
                base = list(relative.parent.parts)
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join(["nankoku_netcheck", *base, module])
            parts = module.split(".")
            if parts[:2] == ["nankoku_netcheck", "vendors"] and len(parts) > 2:
                found.append(f"{where}: imports plugin module {module}")
    return found


def test_the_scan_finds_what_it_looks_for() -> None:
    text = (
        "from nankoku_netcheck.vendors.cisco_ios.parser import parse\n"
        "from ..vendors.cisco_asa import CiscoAsa\n"
        "from nankoku_netcheck.vendors import plugin_for\n"
        "X = 'cisco_asa'\n"
        "y = z.nameif\n"
    )
    assert offences(Path("rules/probe.py"), text) == [
        "rules/probe.py:1: imports plugin module nankoku_netcheck.vendors.cisco_ios.parser",
        "rules/probe.py:2: imports plugin module nankoku_netcheck.vendors.cisco_asa",
        "rules/probe.py:4: names vendor 'cisco_asa'",
        "rules/probe.py:5: reads vendor field .nameif",
    ]


@pytest.mark.parametrize("path", outside_vendors(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_module_names_no_vendor(path: Path) -> None:
    assert offences(path.relative_to(PACKAGE), path.read_text(encoding="utf-8")) == []
