"""Which rules run: `--select` / `--ignore` by rule ID or prefix (as in ruff), and the same
settings in a project file.

Settings are read from `.nankoku-netcheck.yaml` or from the `[tool.nankoku-netcheck]`
table of a `pyproject.toml`, in the topology's folder or the nearest folder above it
that has one (in one folder the YAML file wins). Keys:

    select   = ["ZONE", "MGMT-001"]   # rule IDs or prefixes; default: every rule
    ignore   = ["ACL-003"]            # removed from the selection
    fail-on  = "warning"              # error | warning | info (also spelled fail_on)

Command-line flags win: each flag given replaces that key of the file. A more specific
selector wins over a less specific one (`--select MGMT-001 --ignore MGMT` runs
MGMT-001); between equally specific ones, ignore wins. `ALL` selects every rule. A
selector that matches no rule, an unknown key or a value of the wrong type is an
InputError naming its file and line.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, InputProblem
from .result import SEVERITIES
from .rules.base import Rule

YAML_NAME = ".nankoku-netcheck.yaml"
PYPROJECT_NAME = "pyproject.toml"
TOOL_TABLE = "nankoku-netcheck"
KEYS = ("select", "ignore", "fail-on")
ALL = "ALL"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Selector:
    """A rule ID or ID prefix and where it was written (file "" = the command line)."""

    code: str
    file: str = ""
    line: int = 0

    def where(self) -> str:
        return self.file or COMMAND_LINE


@dataclass(frozen=True)
class Settings:
    """Effective settings. `select` None = every rule; `fail_on` None = the default (error)."""

    select: tuple[Selector, ...] | None = None
    ignore: tuple[Selector, ...] = ()
    fail_on: str | None = None
    path: str | None = None  # the settings file read, None = none found

    def overridden(
        self, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None, fail_on: str | None = None
    ) -> Settings:
        """These settings with the command line's flags applied (None = flag not given).
        Flag values may hold several codes separated by commas."""
        result = self
        if select is not None:
            result = replace(result, select=tuple(Selector(code) for code in split_codes(select)))
        if ignore is not None:
            result = replace(result, ignore=tuple(Selector(code) for code in split_codes(ignore)))
        if fail_on is not None:
            if fail_on not in SEVERITIES:
                raise InputError.single(
                    COMMAND_LINE, 0, f"--fail-on must be one of {', '.join(SEVERITIES)}, not '{fail_on}'"
                )
            result = replace(result, fail_on=fail_on)
        return result


def split_codes(values: Iterable[str]) -> list[str]:
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


# --- selecting rules ------------------------------------------------------------------------------


def select_rules(
    registry: Sequence[Rule], select: Sequence[str | Selector] | None = None, ignore: Sequence[str | Selector] = ()
) -> tuple[Rule, ...]:
    """The rules of `registry` (in registry order) that `select` picks and `ignore` does
    not remove. Raises InputError for selectors that match no rule."""
    selects = [_as_selector(item) for item in select] if select is not None else [Selector(ALL)]
    ignores = [_as_selector(item) for item in ignore]
    ids = [rule.id for rule in registry]
    problems = [
        _unknown_selector(selector, ids)
        for selector in (*selects, *ignores)
        if not any(_matches(selector.code, rule_id) for rule_id in ids)
    ]
    if problems:
        raise InputError(problems)
    chosen = []
    for rule in registry:
        best_select = _most_specific(selects, rule.id)
        best_ignore = _most_specific(ignores, rule.id)
        if best_select is not None and (best_ignore is None or best_select > best_ignore):
            chosen.append(rule)
    return tuple(chosen)


def _as_selector(item: str | Selector) -> Selector:
    return item if isinstance(item, Selector) else Selector(item)


def _normal(code: str) -> str:
    code = code.strip().upper()
    return "" if code == ALL else code


def _matches(code: str, rule_id: str) -> bool:
    return rule_id.upper().startswith(_normal(code))


def _most_specific(selectors: Sequence[Selector], rule_id: str) -> int | None:
    lengths = [len(_normal(s.code)) for s in selectors if _matches(s.code, rule_id)]
    return max(lengths) if lengths else None


def _unknown_selector(selector: Selector, ids: Sequence[str]) -> InputProblem:
    close = difflib.get_close_matches(selector.code.upper(), ids, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return InputProblem(selector.where(), selector.line, f"'{selector.code}' matches no rule ID{hint}")


# --- reading settings files ---------------------------------------------------------------------


def load_settings(topology_path: str | Path) -> Settings:
    """Settings from the nearest settings file at or above the topology's folder; the
    defaults when there is none."""
    folder = Path(topology_path).resolve().parent
    for directory in (folder, *folder.parents):
        yaml_file = directory / YAML_NAME
        if yaml_file.is_file():
            return _from_yaml(yaml_file)
        pyproject = directory / PYPROJECT_NAME
        if pyproject.is_file():
            settings = _from_pyproject(pyproject)
            if settings is not None:
                return settings
    return Settings()


def _from_pyproject(path: Path) -> Settings | None:
    """Settings of the [tool.nankoku-netcheck] table, None when the file has none."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise InputError.single(str(path), int(match.group(1)) if match else 0, f"not valid TOML: {error}") from None
    table = data.get("tool", {}).get(TOOL_TABLE) if isinstance(data.get("tool"), dict) else None
    if table is None:
        return None
    lines = _toml_key_lines(text)
    header = lines.get("", 0)
    if not isinstance(table, dict):
        raise InputError.single(str(path), header, f"tool.{TOOL_TABLE} must be a table")
    values: dict[str, tuple[object, int]] = {}
    problems: list[InputProblem] = []
    for key, value in table.items():
        line = lines.get(key, header)
        if isinstance(value, list):
            value = [(item, line) for item in value]
        _collect(key, value, line, values, problems, str(path))
    return _settings(values, problems, str(path))


def _toml_key_lines(text: str) -> dict[str, int]:
    """Line of each key of the [tool.nankoku-netcheck] table ("" = its header line)."""
    lines: dict[str, int] = {}
    inside = False
    header = re.compile(
        r"^\s*\[\s*tool\s*\.\s*(?:\"nankoku-netcheck\"|'nankoku-netcheck'|nankoku-netcheck)"
        r"\s*(?:\.\s*(?P<sub>[^\]]+?))?\s*\]"
    )
    key = re.compile(r"^\s*(?P<quote>[\"']?)(?P<key>[A-Za-z0-9_-]+)(?P=quote)\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("["):
            found = header.match(line)
            sub = found.group("sub") if found else None
            inside = bool(found) and sub is None
            if sub is not None:
                lines.setdefault(sub.strip().strip("\"'"), number)
            elif found:
                lines.setdefault("", number)
            continue
        found_key = key.match(line) if inside else None
        if found_key:
            lines.setdefault(found_key.group("key"), number)
    return lines


def _from_yaml(path: Path) -> Settings:
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError.single(str(path), mark.line + 1 if mark else 0, f"not valid YAML: {error}") from None
    if root is None:
        return Settings(path=str(path))
    if not isinstance(root, MappingNode):
        raise InputError.single(str(path), root.start_mark.line + 1, "expected a mapping of settings")
    values: dict[str, tuple[object, int]] = {}
    problems: list[InputProblem] = []
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        _collect(str(key_node.value), _yaml_value(value_node), line, values, problems, str(path))
    return _settings(values, problems, str(path))


def _yaml_value(node: Node) -> object:
    """Scalars as text, sequences as [(value, line)], anything else as the node."""
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SequenceNode):
        return [(_yaml_value(item), item.start_mark.line + 1) for item in node.value]
    return node


def _collect(
    key: str, value: object, line: int, values: dict[str, tuple[object, int]], problems: list[InputProblem], path: str
) -> None:
    name = "fail-on" if key == "fail_on" else key
    if name not in KEYS:
        close = difflib.get_close_matches(key, KEYS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(InputProblem(path, line, f"unknown setting '{key}'{hint}; known: {', '.join(KEYS)}"))
    elif name in values:
        problems.append(InputProblem(path, line, f"setting '{key}' is given twice"))
    else:
        values[name] = (value, line)


def _settings(values: dict[str, tuple[object, int]], problems: list[InputProblem], path: str) -> Settings:
    selectors: dict[str, tuple[Selector, ...]] = {}
    for key in ("select", "ignore"):
        if key in values:
            selectors[key] = _selectors(key, *values[key], path, problems)
    fail_on = None
    if "fail-on" in values:
        value, line = values["fail-on"]
        if value in SEVERITIES:
            fail_on = str(value)
        else:
            problems.append(InputProblem(path, line, f"fail-on must be one of {', '.join(SEVERITIES)}"))
    if problems:
        raise InputError(problems)
    return Settings(select=selectors.get("select"), ignore=selectors.get("ignore", ()), fail_on=fail_on, path=path)


def _selectors(key: str, value: object, line: int, path: str, problems: list[InputProblem]) -> tuple[Selector, ...]:
    if not isinstance(value, list):
        problems.append(InputProblem(path, line, f"{key} must be a list of rule IDs or prefixes"))
        return ()
    result = []
    for item, item_line in value:
        if isinstance(item, str) and item.strip():
            result.append(Selector(item.strip(), path, item_line))
        else:
            problems.append(InputProblem(path, item_line, f"{key}: each entry must be a rule ID or prefix"))
    return tuple(result)


__all__ = ["Selector", "Settings", "load_settings", "select_rules", "split_codes"]
