"""The model's classes are slotted (no instance `__dict__`: a third of a loaded city's objects
were those dicts), and stay so through the cache's decoders, pickling (parse workers send
devices), `dataclasses.replace` and the codec's other, unslotted, dataclasses."""

from __future__ import annotations

import copy
import copyreg
import dataclasses
import enum
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO

from nankoku_netcheck import model
from nankoku_netcheck.cache import device_codec
from nankoku_netcheck.codec import Codec
from nankoku_netcheck.errors import InputError
from nankoku_netcheck.model import AclLine, Device, Interface, Source, Wildcard
from nankoku_netcheck.parse import parse_config


def sample_devices() -> list[Device]:
    paths = sorted((REPO / "device_configs").rglob("*.cfg"))
    devices = [device for device in map(parsed, paths) if device is not None]
    # Not vacuous: the samples hold every kind of object the walk below checks.
    assert len(devices) >= 10 and any(device.acls for device in devices)
    return devices


def parsed(path: Path) -> Device | None:
    try:
        return parse_config(path.read_bytes().decode("utf-8", "replace"), str(path), None)
    except InputError:
        return None


def model_objects(value: object) -> Iterator[object]:
    """Every model object reachable from `value` (each shared one once)."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, str | int | bool | enum.Enum | None):
            continue
        seen.add(id(item))
        if dataclasses.is_dataclass(item):
            yield item
            stack.extend(getattr(item, field.name) for field in dataclasses.fields(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def test_every_model_dataclass_is_slotted() -> None:
    classes = [value for value in vars(model).values() if isinstance(value, type) and dataclasses.is_dataclass(value)]
    assert len(classes) >= 40
    assert [cls.__name__ for cls in classes if "__slots__" not in vars(cls)] == []


@pytest.mark.parametrize("decoder", ["loads", "loads_trusted"])
def test_a_decoded_device_has_no_instance_dict(decoder: str) -> None:
    codec = device_codec()
    kinds: set[type] = set()
    for device in sample_devices():
        decoded = getattr(codec, decoder)(codec.dumps(device))
        assert decoded == device
        for item in model_objects(decoded):
            kinds.add(type(item))
            assert not hasattr(item, "__dict__"), type(item).__name__
    assert {Device, Source, AclLine, Interface, Wildcard, model.Match, model.NamedReference} <= kinds


def test_a_device_pickles_and_unpickles_equal() -> None:
    for device in sample_devices():
        for protocol in (pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL):
            copy = pickle.loads(pickle.dumps(device, protocol))
            assert copy == device and type(copy) is Device
            assert all(not hasattr(item, "__dict__") for item in model_objects(copy))


def test_frozen_model_objects_pickle_by_their_slots_and_copy_equal() -> None:
    """Not through dataclasses' __getstate__, which calls `fields()` for every object."""
    frozen = [
        cls
        for cls in vars(model).values()
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    ]
    assert len(frozen) >= 40 and set(frozen) <= set(copyreg.dispatch_table)
    line = AclLine(model.Action.PERMIT, (model.Match(src=(Wildcard.any(),)),), Source("a.cfg", 2, "permit ip any any"))
    assert copyreg.dispatch_table[AclLine](line)[1] == (
        AclLine,
        (*(getattr(line, f.name) for f in dataclasses.fields(line)),),
    )
    for device in sample_devices()[:3]:
        assert copy.copy(device) == device and copy.deepcopy(device) == device


def test_replace_and_hash_work_on_slotted_objects() -> None:
    source = Source("a.cfg", 3, "permit ip any any")
    moved = dataclasses.replace(source, file="b.cfg")
    assert moved == Source("b.cfg", 3, "permit ip any any") and hash(source) == hash(
        Source(*dataclasses.astuple(source))
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        source.line = 4  # type: ignore[misc]
    device = Device("r1", "x", "r1.cfg")
    with pytest.raises(AttributeError):
        device.not_a_field = 1  # type: ignore[attr-defined]


@dataclasses.dataclass(frozen=True)
class Plain:
    name: str
    count: int


@dataclasses.dataclass(frozen=True, slots=True)
class Slotted:
    name: str
    count: int


@dataclasses.dataclass(frozen=True)
class Mixed(Slotted):
    """Its base's fields in slots, its own in its `__dict__`: set by `object.__setattr__`."""

    extra: str


@dataclasses.dataclass(frozen=True)
class Holder:
    plain: tuple[Plain, ...]
    slotted: tuple[Slotted, ...]
    mixed: Mixed


@pytest.mark.parametrize("decoder", ["loads", "loads_trusted"])
def test_the_codec_fills_slotted_unslotted_and_mixed_dataclasses(decoder: str) -> None:
    value = Holder((Plain("a", 1), Plain("a", 1)), (Slotted("b", 2), Slotted("b", 2)), Mixed("c", 3, "d"))
    codec = Codec(Holder)
    decoded = getattr(codec, decoder)(codec.dumps(value))
    assert decoded == value
    assert decoded.plain[0] is decoded.plain[1] and decoded.slotted[0] is decoded.slotted[1]  # leaves shared
    assert vars(decoded.plain[0]) == {"name": "a", "count": 1}
    assert not hasattr(decoded.slotted[0], "__dict__")
    assert vars(decoded.mixed) == {"extra": "d"} and (decoded.mixed.name, decoded.mixed.count) == ("c", 3)
