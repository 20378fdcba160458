"""A plain-data serialisation of the model, for the cache: JSON that can only ever become
the model's own types, never run code (unlike pickle).

The encoding is driven by the dataclasses' field type hints (`typing.get_type_hints`):
a dataclass is a JSON array of its fields in declaration order, an enum its value, a
tuple or list an array, a dict an array of [key, value] pairs, `X | None` null or X.
Decoding is strict: a wrong type, a wrong length, an unknown enum value, a repeated dict
key all reject the whole value (`DecodeError`); nothing else is ever constructed, and the
nesting depth is bounded by the types (the model has no recursive types: a recursive one
is refused when the codec is built). Encoding is as strict (`EncodeError`): a value that
would not come back as the same thing (a list where the type says tuple, a bool where it
says int) is not encoded at all, so a cached object always equals the one that was put.

Speed: per type, a decoder and an encoder are generated as Python source once (from the
type hints only, never from data) so that the per-value work is a few inlined type tests;
objects are built without calling `__init__` (as pickle does), filling their slots through
each slot's own setter, bound once per field (the model's classes are slotted; a dataclass
without slots gets its `__dict__` filled, a mixed one `object.__setattr__`).
Three things keep a device close to its pickle in size and load time:
- a `Source` that quotes the device's own config at one of its `lines` is written as the
  line number (`line_type`), and equal ones come back as one object;
- equal leaves (dataclasses of str/int/bool/enum fields) come back as one object, as
  the parser had shared them;
- a tuple of int-only leaves (address patterns, port ranges) is one flat array of ints,
  checked as a whole; equal ones in one value come back as one tuple (one dict lookup);
- a tuple of str, int or bool is checked and copied by C code (no Python frame per item).
Decoding the 1,000-device city's entries (json.loads aside, 0.5 s): 1.35 s CPU before the
last two points and the `_LineSources` lookup, 1.1 s after (best of five).
Measured on the 1,000-device benchmark city (200,000 ACL lines), warm load of every
device from the cache: 2.6 s, peak RSS 725 MiB, 84 MB of entries; with the pickles it
replaces 1.5 s, 672 MiB, 100 MB (best of six runs each on a shared, busy machine).

`loads_trusted` decodes what this very code encoded (the parse cache's entries, whose MAC
covers codec.py and model.py): the same decoders without their type and length checks,
every line's source made in one pass (`_line_sources`), a one-item tuple without a
comprehension. The same objects, shared alike (tests/test_codec_trusted.py). On the
city's 1,000 entries (CPU, collector off, best of two): `loads` 1.41 s, `loads_trusted`
1.07 s, of which json.loads 0.43 s; `load_network` from the cache 2.43 s -> 1.76 s.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

import orjson

# Bumped whenever the encoding of a type changes meaning (the field order and types of
# the model are covered separately: the cache key includes the model's source hash).
CODEC_VERSION = 1


class DecodeError(ValueError):
    """The data is not an encoding of the expected type."""


class EncodeError(ValueError):
    """The value does not have the types its annotations promise."""


def _fail(*_: object) -> Any:
    raise DecodeError("value does not match its type")


def _efail(*_: object) -> Any:
    raise EncodeError("value does not match its type")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A dict from decoded pairs; a repeated key would silently drop a value: rejected."""
    result = dict(pairs)
    if len(result) != len(pairs):
        raise DecodeError("repeated key")
    return result


def _primitive(tp: object) -> bool:
    """A str, int, bool or enum, or None or one of those."""
    arguments = [argument for argument in typing.get_args(tp) if argument is not type(None)]
    if typing.get_origin(tp) in (types.UnionType, typing.Union) and len(arguments) == 1:
        tp = arguments[0]
    return tp in (str, int, bool) or (isinstance(tp, type) and issubclass(tp, enum.Enum))


class _LineSources(dict[int, Any]):
    """Line number -> the compact form of a line source: the source quoting the root's
    `lines` there, made on first use (a miss calls `__missing__`, a hit is one subscript).
    Equal sources come back as one object (as pickle kept them)."""

    def __init__(self, line_type: type) -> None:
        super().__init__()
        self.line_type = line_type
        self.setters = _setters(line_type, ("file", "line", "text"))
        self.file: str | None = None
        self.lines: tuple[str, ...] | None = None

    def __missing__(self, line: int) -> Any:
        lines = self.lines
        if lines is None:
            raise DecodeError("a line number outside a value with lines")
        if not 0 < line <= len(lines):
            raise DecodeError(f"line {line} out of range")
        source: Any = object.__new__(self.line_type)
        self[line] = source
        set_file, set_line, set_text = self.setters
        set_file(source, self.file)
        set_line(source, line)
        set_text(source, lines[line - 1])
        return source


def _class_attribute(cls: type, name: str) -> object:
    """What `cls` (or a base) itself holds under `name`, looked up as attribute access does."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def _slot(cls: type, name: str) -> Any:
    """The member descriptor of the slot that holds attribute `name` of `cls`'s instances,
    or None (a `__dict__` entry, or another kind of descriptor)."""
    found = _class_attribute(cls, name)
    return found if isinstance(found, types.MemberDescriptorType) else None


def _slotted(cls: type, names: Sequence[str]) -> bool:
    """Every one of `names` is a slot of `cls` (a `dataclass(slots=True)`)."""
    return all(_slot(cls, name) is not None for name in names)


def _has_dict(cls: type, names: Sequence[str]) -> bool:
    """`cls`'s instances keep every one of `names` in their `__dict__`: none is a data
    descriptor (a slot, a property), so that writing the dict is what setting them does."""
    return cls.__dictoffset__ != 0 and not any(hasattr(type(_class_attribute(cls, name)), "__set__") for name in names)


def _setters(cls: type, names: Sequence[str]) -> list[Callable[[Any, Any], None]]:
    """A function per name that sets that attribute of a `cls` made without `__init__`:
    its slot's own setter (a C call, the fastest way into a frozen slotted object, measured
    against `object.__setattr__`: 0.35 against 0.52 us for a 3-field object), else
    `object.__setattr__`, which gets past a frozen dataclass's `__setattr__`."""
    setters: list[Callable[[Any, Any], None]] = []
    for name in names:
        slot = _slot(cls, name)
        setters.append(slot.__set__ if slot is not None else functools.partial(_set_attribute, name=name))
    return setters


def _set_attribute(obj: object, value: object, name: str) -> None:
    object.__setattr__(obj, name, value)


def _line_sources(line_type: type, file: str, lines: tuple[str, ...]) -> list[Any]:
    """The source quoting each of the root's `lines`, at the index of its line number: what
    `_LineSources` makes one at a time, in one pass (a miss there is a Python call from C)."""
    sources: list[Any] = [None]
    append = sources.append
    new = object.__new__
    set_file, set_line, set_text = _setters(line_type, ("file", "line", "text"))
    for line, text in enumerate(lines, 1):
        source: Any = new(line_type)
        set_file(source, file)
        set_line(source, line)
        set_text(source, text)
        append(source)
    return sources


def _flat_tuple(value: list[int], memo: dict[Any, Any], table: int, width: int, make: Callable[..., Any]) -> Any:
    """The tuple of leaves that `value` (checked: ints only, a multiple of `width` of
    them) writes flat. Equal ones come back as one tuple: ACL lines repeat their
    addresses and ports, and a tuple of ints hashes faster than the leaves are made."""
    key = tuple(value)
    tuples = memo[table + 1]
    found = tuples.get(key)
    if found is None:
        leaves = memo[table]
        if len(key) == width:  # one leaf (most addresses and port ranges): no slicing
            found = tuples[key] = (leaves.get(key) or make(key, memo),)
        else:
            found = tuples[key] = tuple(
                [leaves.get(item) or make(item, memo) for item in zip(*[iter(key)] * width, strict=True)]
            )
    return found


class _Builder:
    """Generates the decoder and encoder functions of every type reachable from a root."""

    def __init__(self, root: type, line_type: type | None, trusted: bool = False) -> None:
        self.root = root
        self.line_type = line_type
        # Decoders for data this very code encoded (`Codec.loads_trusted`): no type checks.
        self.trusted = trusted
        self.namespace: dict[str, Any] = {
            "_fail": _fail,
            "_efail": _efail,
            "_new": object.__new__,
            "_setattr": object.__setattr__,
            "_list": list,
            "_tuple": tuple,
            "_str": str,
            "_int": int,
            "_dict": dict,
            "_type": type,
            "_len": len,
            "_pairs": _pairs,
            "_flat_tuple": _flat_tuple,
            "_line_sources": _line_sources,
            "_zip": zip,
            "_iter": iter,
            "_set": set,
            "_map": map,
            "_ints": frozenset({int}),
        }
        self.names: dict[object, str] = {}
        self.sources: list[str] = []
        self.building: set[object] = set()
        self.count = 0
        self.tables = 0
        self.flat_tables: dict[object, int] = {}
        self.starting: dict[object, str] = {}  # names of the types being built

    def constant(self, value: object) -> str:
        name = f"_c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def assign(self, cls: object, fields: Sequence[str], expressions: Sequence[str], indent: str) -> str:
        """Lines that set each of `fields` of `obj` (made without `__init__`) to its expression,
        in order: through the slots' setters (bound once, here), else into its `__dict__`
        (the fastest way into a dataclass without slots), else by `object.__setattr__`."""
        assert isinstance(cls, type)
        pairs = list(zip(fields, expressions, strict=True))
        if _slotted(cls, fields):
            return "".join(
                f"{indent}{self.constant(_slot(cls, field).__set__)}(obj, {expression})\n"
                for field, expression in pairs
            )
        if _has_dict(cls, fields):
            return f"{indent}attributes = obj.__dict__\n" + "".join(
                f"{indent}attributes[{field!r}] = {expression}\n" for field, expression in pairs
            )
        return "".join(f"{indent}_setattr(obj, {field!r}, {expression})\n" for field, expression in pairs)

    def function(self, tp: object) -> str:
        """The name pair (dec_N / enc_N) of the functions for a dataclass or a fixed tuple."""
        if tp in self.names:
            return self.names[tp]
        if tp in self.building:
            raise TypeError(f"recursive type {tp!r}: the codec only takes types of bounded depth")
        self.building.add(tp)
        self.count += 1
        name = self.starting[tp] = f"_{self.count}"
        if dataclasses.is_dataclass(tp):
            assert isinstance(tp, type)
            hints = typing.get_type_hints(tp)
            fields = [field.name for field in dataclasses.fields(tp)]
            if tp is self.root and self.line_type is not None:
                # The lines first: the compact sources inside the rest refer to them.
                fields = ["source_file", "lines", *(field for field in fields if field not in ("source_file", "lines"))]
            types_ = [hints[field] for field in fields]
            cls = self.constant(tp)
        else:
            fields = [f"i{index}" for index in range(len(typing.get_args(tp)))]
            types_ = list(typing.get_args(tp))
            cls = ""
        variables = [f"v{index}" for index in range(len(fields))]
        decoded = [self.decode(field_type, variable, 1) for field_type, variable in zip(types_, variables, strict=True)]
        unpack = f"    {', '.join(variables)}, = value\n" if variables else ""
        prelude = ""
        if tp is self.root and self.line_type is not None and self.trusted:
            # Every line's source made at once (most lines are quoted): a list indexed by line.
            unpack += (
                f"    file = {decoded[0]}\n"
                f"    lines = {decoded[1]}\n"
                f"    memo['sources'] = _line_sources({self.constant(self.line_type)}, file, lines)\n"
            )
        elif tp is self.root and self.line_type is not None:
            unpack += (
                f"    sources = memo['sources']\n"
                f"    sources.file = file = {decoded[0]}\n"
                f"    sources.lines = lines = {decoded[1]}\n"
            )
            decoded[:2] = ["file", "lines"]
            prelude = (
                "    ctx['file'] = value.source_file\n"
                "    ctx['lines'] = value.lines\n"
                "    ctx['count'] = _len(value.lines)\n"
            )
        if cls and tp is not self.root and all(_primitive(field_type) for field_type in types_):
            # Equal leaves (an address pattern, a port range) become one shared object, as
            # in the parsed device: checked first, then looked up by their checked fields.
            table = self.tables
            self.tables += 1
            build = (
                f"    key = ({''.join(f'{expression}, ' for expression in decoded)})\n"
                f"    obj = memo[{table}].get(key)\n"
                f"    if obj is None:\n"
                f"        obj = memo[{table}][key] = _new({cls})\n"
                + self.assign(tp, fields, [f"key[{index}]" for index in range(len(fields))], "        ")
                + "    return obj\n"
            )
        elif cls:
            build = f"    obj = _new({cls})\n" + self.assign(tp, fields, decoded, "    ") + "    return obj\n"
        if cls:
            values = [f"value.{field}" for field in fields]
            check = f"    if _type(value) is not {cls}: _efail()\n"
        else:
            build = f"    return ({''.join(f'{expression}, ' for expression in decoded)})\n"
            values = [f"value[{index}]" for index in range(len(fields))]
            check = f"    if _type(value) is not _tuple or _len(value) != {len(fields)}: _efail()\n"
        shape = "" if self.trusted else f"    if _type(value) is not _list or _len(value) != {len(fields)}: _fail()\n"
        self.sources.append(f"def dec{name}(value, memo):\n" + shape + unpack + build)
        encoded = ", ".join(self.encode(field_type, value) for field_type, value in zip(types_, values, strict=True))
        self.sources.append(f"def enc{name}(value, ctx):\n" + check + prelude + f"    return [{encoded}]\n")
        if cls and self.flat_leaf(tp) is not None:
            fields_tuple = "".join(f"item.{field}, " for field in fields)
            self.sources.append(
                f"def flat{name}(value):\n"
                f"    out = []\n"
                f"    for item in value:\n"
                f"        if _type(item) is not {cls}: _efail()\n"
                f"        out += ({fields_tuple})\n"
                f"    if not _set(_map(_type, out)) <= _ints: _efail()\n"
                f"    return out\n"
            )
            # A leaf from already checked fields (a tuple of ints), kept for its equals.
            self.sources.append(
                f"def make{name}(key, memo):\n"
                f"    obj = memo[{self.flat_leaf(tp)[0]}][key] = _new({cls})\n"  # type: ignore[index]
                + self.assign(tp, fields, [f"key[{index}]" for index in range(len(fields))], "    ")
                + "    return obj\n"
            )
        self.building.discard(tp)
        self.names[tp] = name
        return name

    def flat_leaf(self, tp: object) -> tuple[int, int, str] | None:
        """For a dataclass of ints only (an address pattern, a port range): its leaf table,
        its number of fields and its maker. A tuple of them is written as one flat array of
        ints: the items the JSON parser makes and the calls that check them are the bulk of
        a device's load time."""
        if not (dataclasses.is_dataclass(tp) and isinstance(tp, type)) or tp is self.root:
            return None
        hints = typing.get_type_hints(tp)
        fields = [field.name for field in dataclasses.fields(tp)]
        if not fields or any(hints[field] is not int for field in fields):
            return None
        if tp not in self.flat_tables:
            # Two tables: the leaves, and the tuples of them (`_flat_tuple`).
            self.flat_tables[tp] = self.tables
            self.tables += 2
        name = self.starting[tp] if tp in self.building else self.function(tp)
        return self.flat_tables[tp], len(fields), f"make{name}"

    def decode(self, tp: object, value: str, depth: int) -> str:
        """A Python expression: `value` (a variable name) decoded as `tp`, or a raise."""
        if self.trusted:
            return self.decode_trusted(tp, value, depth)
        origin = typing.get_origin(tp)
        arguments = typing.get_args(tp)
        item = f"x{depth}"
        if tp is str:
            return f"({value} if _type({value}) is _str else _fail())"
        if tp is int:
            return f"({value} if _type({value}) is _int else _fail())"
        if tp is bool:
            return f"({value} if {value} is True or {value} is False else _fail())"
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            members = self.constant({member.value: member for member in tp})
            return f"({members}[{value}] if _type({value}) is _str or _type({value}) is _int else _fail())"
        if origin in (types.UnionType, typing.Union) and len(arguments) == 2 and type(None) in arguments:
            (inner,) = [argument for argument in arguments if argument is not type(None)]
            return f"(None if {value} is None else {self.decode(inner, value, depth)})"
        if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis and arguments[0] in (str, int, bool):
            # Checked and copied by C code: no Python frame per item.
            only = self.constant(frozenset({arguments[0]}))
            return f"(_tuple({value}) if _type({value}) is _list and _set(_map(_type, {value})) <= {only} else _fail())"
        if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
            flat = self.flat_leaf(arguments[0])
            if flat is not None:
                table, width, make = flat
                # Checked as a whole (every item an int), then looked up as a tuple (a tuple
                # seen before is one dict lookup), else cut into leaves.
                key = f"k{depth}"
                return (
                    f"(memo[{table + 1}].get({key} := _tuple({value})) "
                    f"or _flat_tuple({key}, memo, {table}, {width}, {make}) "
                    f"if _type({value}) is _list and _len({value}) % {width} == 0 "
                    f"and _set(_map(_type, {value})) <= _ints else _fail())"
                )
            return (
                f"(_tuple([{self.decode(arguments[0], item, depth + 1)} for {item} in {value}]) "
                f"if _type({value}) is _list else _fail())"
            )
        if origin is list:
            return (
                f"([{self.decode(arguments[0], item, depth + 1)} for {item} in {value}] "
                f"if _type({value}) is _list else _fail())"
            )
        if origin is dict and arguments[0] is str:
            pair = f"p{depth}"
            return (
                f"(_pairs([({self.decode(str, f'{pair}[0]', depth + 1)}, "
                f"{self.decode(arguments[1], f'{pair}[1]', depth + 1)}) "
                f"for {pair} in {value} if (_type({pair}) is _list and _len({pair}) == 2) or _fail()]) "
                f"if _type({value}) is _list else _fail())"
            )
        return self.decode_structure(tp, value)

    def decode_trusted(self, tp: object, value: str, depth: int) -> str:
        """`decode` without its checks: the same objects from an encoding this code made."""
        origin = typing.get_origin(tp)
        arguments = typing.get_args(tp)
        item = f"x{depth}"
        if tp in (str, int, bool):
            return value
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return f"{self.constant({member.value: member for member in tp})}[{value}]"
        if origin in (types.UnionType, typing.Union) and len(arguments) == 2 and type(None) in arguments:
            (inner,) = [argument for argument in arguments if argument is not type(None)]
            if inner in (str, int, bool):
                return value
            return f"(None if {value} is None else {self.decode_trusted(inner, value, depth)})"
        if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis and arguments[0] in (str, int, bool):
            return f"_tuple({value})"
        if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
            flat = self.flat_leaf(arguments[0])
            if flat is not None:
                table, width, make = flat
                key = f"k{depth}"
                return (
                    f"(memo[{table + 1}].get({key} := _tuple({value})) "
                    f"or _flat_tuple({key}, memo, {table}, {width}, {make}))"
                )
            # Most such tuples (an ACL line's matches) hold one item: no comprehension for it.
            first = self.decode_trusted(arguments[0], f"{value}[0]", depth + 1)
            return (
                f"(({first},) if _len({value}) == 1 "
                f"else _tuple([{self.decode_trusted(arguments[0], item, depth + 1)} for {item} in {value}]))"
            )
        if origin is list:
            return f"[{self.decode_trusted(arguments[0], item, depth + 1)} for {item} in {value}]"
        if origin is dict and arguments[0] is str:
            pair = f"p{depth}"
            return (
                f"{{{self.decode_trusted(str, f'{pair}[0]', depth + 1)}: "
                f"{self.decode_trusted(arguments[1], f'{pair}[1]', depth + 1)} for {pair} in {value}}}"
            )
        return self.decode_structure(tp, value)

    def decode_structure(self, tp: object, value: str) -> str:
        """A line source (a line number or a whole one), a dataclass or a fixed tuple."""
        origin = typing.get_origin(tp)
        if tp is self.line_type and tp is not None:
            full = self.function(tp)
            return f"(memo['sources'][{value}] if _type({value}) is _int else dec{full}({value}, memo))"
        if dataclasses.is_dataclass(tp) or origin is tuple:
            return f"dec{self.function(tp)}({value}, memo)"
        raise TypeError(f"the codec does not handle {tp!r}")

    def encode(self, tp: object, value: str, depth: int = 1) -> str:
        """A Python expression: `value` (any expression without side effects) as JSON data."""
        origin = typing.get_origin(tp)
        arguments = typing.get_args(tp)
        item = f"x{depth}"
        if tp in (str, int):
            return f"({value} if _type({value}) is {'_str' if tp is str else '_int'} else _efail())"
        if tp is bool:
            return f"({value} if {value} is True or {value} is False else _efail())"
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            values = {type(member.value) for member in tp}
            if not values <= {str, int} or len({member.value for member in tp}) != len(tp):
                raise TypeError(f"the codec only handles enums of distinct str or int values: {tp!r}")
            return f"({value}.value if _type({value}) is {self.constant(tp)} else _efail())"
        if origin in (types.UnionType, typing.Union) and len(arguments) == 2 and type(None) in arguments:
            (inner,) = [argument for argument in arguments if argument is not type(None)]
            return f"(None if {value} is None else {self.encode(inner, value, depth)})"
        homogeneous = (origin is list and len(arguments) == 1) or (
            origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis
        )
        if homogeneous and arguments[0] in (str, int, bool):
            # Checked by C code, no Python frame per item (bool cannot be subclassed: its type is
            # bool exactly when `x is True or x is False`), and written as it is: a tuple and a
            # list are the same JSON array.
            only = self.constant(frozenset({arguments[0]}))
            container = "_tuple" if origin is tuple else "_list"
            return f"({value} if _type({value}) is {container} and _set(_map(_type, {value})) <= {only} else _efail())"
        if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
            if self.flat_leaf(arguments[0]) is not None:
                return f"(flat{self.function(arguments[0])}({value}) if _type({value}) is _tuple else _efail())"
            return (
                f"([{self.encode(arguments[0], item, depth + 1)} for {item} in {value}] "
                f"if _type({value}) is _tuple else _efail())"
            )
        if origin is list:
            return (
                f"([{self.encode(arguments[0], item, depth + 1)} for {item} in {value}] "
                f"if _type({value}) is _list else _efail())"
            )
        if origin is dict and arguments[0] is str:
            key, entry = f"k{depth}", f"e{depth}"
            return (
                f"([[{self.encode(str, key, depth + 1)}, {self.encode(arguments[1], entry, depth + 1)}] "
                f"for {key}, {entry} in {value}.items()] if _type({value}) is _dict else _efail())"
            )
        if tp is self.line_type and tp is not None:
            # A source that quotes the root's own file at its line is written as that line's number;
            # any other goes whole. Inline: a Python call per source (most unknown lines, ACL
            # lines and references have one) was a sixth of the encoder's own time.
            source, line = f"s{depth}", f"n{depth}"
            quotes_own_line = (
                f"_type({source} := {value}) is {self.constant(tp)} and _type({line} := {source}.line) is _int "
                f"and 0 < {line} <= ctx['count'] and ctx['lines'][{line} - 1] == {source}.text "
                f"and {source}.file == ctx['file']"
            )
            return f"({line} if {quotes_own_line} else enc{self.function(tp)}({source}, ctx))"
        if dataclasses.is_dataclass(tp) or origin is tuple:
            return f"enc{self.function(tp)}({value}, ctx)"
        raise TypeError(f"the codec does not handle {tp!r}")

    def compile(self) -> tuple[Callable[[Any, dict[Any, Any]], Any], Callable[[Any, dict[str, Any]], Any]]:
        name = self.function(self.root)
        # Source generated above from type hints only (never from data).
        exec(compile("\n".join(self.sources), f"<codec of {self.root.__qualname__}>", "exec"), self.namespace)
        return self.namespace[f"dec{name}"], self.namespace[f"enc{name}"]


def parsed_json(data: bytes) -> Any:
    """`json.loads`, through orjson where it can (the same values in less time: the 1,000-device
    city's cached devices load in 2.14 → 1.94 s CPU, this check included). orjson reads an integer past 64 bits as a
    float, so text with a run of 19 digits or more (an IPv6 address as an integer, or just digits
    in a string) goes to `json.loads`, as does what orjson refuses (NaN, lone surrogates)."""
    # A translation and a find: a regular expression took 0.8 s over the city's 85 MB, this 0.07 s.
    if data.translate(_DIGITS_AS_ZERO).find(_NINETEEN_DIGITS) < 0:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


_DIGITS_AS_ZERO = bytes(ord("0") if chr(byte).isdigit() and byte < 128 else ord(" ") for byte in range(256))
_NINETEEN_DIGITS = b"0" * 19


class Codec:
    """Encodes values of one dataclass type to compact JSON bytes and back."""

    def __init__(self, root: type, line_type: type | None = None) -> None:
        """`line_type`: a (file, line, text) dataclass whose instances that quote the root's
        `source_file` at one of its `lines` are written as just the line number (the root
        must then have the fields `source_file: str` and `lines: tuple[str, ...]`)."""
        if not dataclasses.is_dataclass(root):
            raise TypeError(f"{root!r} is not a dataclass")
        self.root = root
        self.line_type = line_type
        builder = _Builder(root, line_type)
        self._decode, self._encode = builder.compile()
        self._tables = builder.tables
        self._trusted: Callable[[Any, dict[Any, Any]], Any] | None = None

    def dumps(self, value: object) -> bytes:
        """Raises EncodeError when `value` does not have its annotated types."""
        try:
            data = self._encode(value, {})
        except (AttributeError, TypeError) as error:
            raise EncodeError(str(error)) from error
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")

    def _memo(self) -> dict[Any, Any]:
        """The decoder's tables of shared objects (see `_Builder`), for one value."""
        sources = {} if self.line_type is None else _LineSources(self.line_type)
        return {"sources": sources, **{table: {} for table in range(self._tables)}}

    def loads(self, data: bytes) -> Any:
        """Raises DecodeError for anything that is not an encoding of the root type."""
        try:
            return self._decode(parsed_json(data), self._memo())
        except (ValueError, TypeError, KeyError, IndexError, RecursionError, UnicodeDecodeError) as error:
            if isinstance(error, DecodeError):
                raise
            raise DecodeError(f"{type(error).__name__}: {error}") from error

    def loads_trusted(self, data: bytes) -> Any:
        """`loads` of bytes that `dumps` of this very code made (an authenticated cache entry:
        the MAC covers codec.py and the model's source), without the per-field type checks
        that such data always passes: the same objects, shared alike, in about half the time.
        Raises DecodeError for anything it cannot decode (never a crash); data of the wrong
        shape that happens to decode is not detected: use `loads` for anything else."""
        if self._trusted is None:
            self._trusted = _Builder(self.root, self.line_type, trusted=True).compile()[0]
        try:
            return self._trusted(parsed_json(data), self._memo())
        except (DecodeError, MemoryError):
            raise
        except Exception as error:
            raise DecodeError(f"{type(error).__name__}: {error}") from error
