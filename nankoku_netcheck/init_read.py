"""`init`, step 1: read a folder of configs. Every file is read and detected as `verify` does;
a file no plugin recognises, or that cannot be read, is listed with the reason, never guessed."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from nankoku_netcheck.errors import InputError, InputProblem
from nankoku_netcheck.inputs import InputFile, is_inside, read_input
from nankoku_netcheck.model import Device
from nankoku_netcheck.parse import SUPPORTED, classify, parse_config
from nankoku_netcheck.topology import display_path

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ConfigFile:
    name: str  # the device name the draft gives it (from the file name)
    file_name: str  # relative to the folder
    display: str
    device: Device
    source: InputFile


@dataclass(frozen=True)
class Skipped:
    display: str
    reason: str


@dataclass(frozen=True)
class Folder:
    path: str  # absolute, symbolic links resolved
    configs: tuple[ConfigFile, ...]
    skipped: tuple[Skipped, ...]
    warnings: tuple[InputProblem, ...]


def read_folder(folder: str) -> Folder:
    """Every config in `folder` (not its subfolders, not hidden files), parsed. Raises
    InputError when the folder is missing, empty, holds a link to a file outside it, or
    holds no config a plugin recognises."""
    shown = display_path(folder)
    if not os.path.isdir(folder):
        raise InputError.single(shown, 0, "not a folder (expected the folder holding the device configs)")
    real = os.path.realpath(folder)
    names = sorted(name for name in os.listdir(folder) if not name.startswith("."))
    if not names:
        raise InputError.single(shown, 0, "the folder is empty (expected one config file per device)")
    _refuse_links_out(folder, real, names)
    configs: list[ConfigFile] = []
    skipped: list[Skipped] = []
    for name in names:
        outcome = _read_one(folder, name, {config.name for config in configs})
        if isinstance(outcome, ConfigFile):
            configs.append(outcome)
        else:
            skipped.append(outcome)
    if not configs:
        raise InputError.single(
            shown,
            0,
            f"no device config recognised among {len(names)} file(s) (supported: {', '.join(sorted(SUPPORTED))})",
        )
    return Folder(real, tuple(configs), tuple(skipped), tuple(_duplicate_hostnames(configs)))


def _refuse_links_out(folder: str, real: str, names: list[str]) -> None:
    problems = [
        InputProblem(
            display_path(os.path.join(folder, name)),
            0,
            "is a symbolic link to a file outside the folder (expected the config itself: copy it into the folder)",
        )
        for name in names
        if os.path.islink(os.path.join(folder, name))
        and not is_inside(os.path.realpath(os.path.join(folder, name)), real)
    ]
    if problems:
        raise InputError(problems)


def _read_one(folder: str, name: str, taken: set[str]) -> ConfigFile | Skipped:
    path = os.path.join(folder, name)
    shown = display_path(path)
    if os.path.isdir(path):
        return Skipped(shown, "a folder (init reads the files of one folder only)")
    try:
        source = read_input(path, shown, what="device config")
    except InputError as error:
        return Skipped(shown, error.problems[0].message)
    detection = classify(source.text)
    if detection.vendor is None:
        return Skipped(shown, detection.message())
    try:
        device = parse_config(source.text, shown, detection.vendor)
    except InputError as error:
        return Skipped(shown, str(error.problems[0]))
    device_name = _device_name(name, taken)
    device.name = device_name
    return ConfigFile(device_name, name, shown, device, source)


def _device_name(file_name: str, taken: set[str]) -> str:
    stem = _UNSAFE_NAME.sub("-", os.path.splitext(file_name)[0]).strip("-") or "device"
    name, number = stem, 2
    while name in taken:
        name, number = f"{stem}-{number}", number + 1
    return name


def _duplicate_hostnames(configs: list[ConfigFile]) -> list[InputProblem]:
    first: dict[str, ConfigFile] = {}
    found: list[InputProblem] = []
    for config in configs:
        hostname = config.device.hostname
        if not hostname:
            continue
        if hostname not in first:
            first[hostname] = config
            continue
        source = config.device.mgmt.hostname_source
        found.append(
            InputProblem(
                config.display,
                source.line if source is not None else 0,
                f"hostname '{hostname}' is also the hostname of {first[hostname].display} "
                "(expected one hostname per device: is one config a copy of the other?)",
            )
        )
    return found
