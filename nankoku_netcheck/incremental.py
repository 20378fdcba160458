"""Incremental re-verification: re-use every search an edit cannot have changed, and repair
the ones an edit of ACL lines changed on some packets only.

A search (`FlowContext.reach(source_class, routing)`: one `ReachEngine.reach` run) reads
(a) its injections and the network's structure, and (b) the full model of each device it
handed packets to. If neither changed, the fixpoint runs step for step as before and its
result is equal. What (a) and (b) are, from the engine's code (reach/*.py):

- A device is read whole (filters, policy, NAT and its `routed_out`, routes and dynamic
  routing, policy routes, relays, multicast, to-the-box, statefulness) only by `_enter`
  and what it calls: when packets are handed to it. `ReachResult.entered` lists those
  devices -- wider than `visited_devices` (arrivals past the ingress filter): a device whose
  ACL dropped everything was read too, and an edit there can open a path.
- Other devices are read only through their interfaces, while handing packets over or
  injecting them: a segment's members and their addresses (owners of a next hop, routing
  members, hosts' addresses), interface states, VRFs, multicast flags, relay settings of
  a start segment's members (`relayed_udp_ports`), and whether a neighbour runs dynamic
  routing (fib.py: `_routing_neighbours`). The starts read the topology (zones, prefixes,
  peers, upstreams) and interfaces' addresses.

So the structure fingerprint covers the topology's devices (names, vendors, instances),
links, zones and external peers, the segments, and for every device its name, vendor,
interfaces (every field), `relayed_udp_ports` and whether it runs dynamic routing -- where
each thing was written aside (`Source`, `Located`: a line number moves when a line above it
is added, and the search never reads them). A device's fingerprint is the hash of its codec
encoding (codec.py: every field, its config's text included), with the device's own config
path replaced by a placeholder: `diff` compares a git revision exported elsewhere, and a
moved but unchanged config is the same model. (Any string of the model equal to that path
counts as the path; part of a string never does.) When the parse cache read or wrote the
device, the hash of that encoding is used (`parsed_fingerprint`: `ParseCache.prints` with the
topology's name for it), so a warm run encodes no device again. `SearchDeps` = structure fingerprint, each
entered device's fingerprint and config path, the engine's options (routing, budget, BDD
engine) and its code. A search is re-used only when all of it still holds; one that ran out
of budget is never re-used (its result is not a proof anyway). Anything unsure widens the
structure: that only costs re-use, never a wrong result.

The one place a result names a config file is the NAT and relay lines its translations went
through (`Endpoint.translation`: `Source`s of entered devices). A re-used result gets those
relabelled from each entered device's config path then to its path now (`relabelled`), so
it equals what the search would find now; paths that do not map one to one: not re-used.

Repairs (reach/repair.py). When every entered device but some is unchanged, and those differ
only in the lines of ACLs they define (`filter_difference`: every other field the search reads
equal, `Source`s aside), the edit changes what happens to the packets in one set only: those
whose fate any changed ACL decides otherwise (its permit set, or the packets its lines match:
a policy's list strings ACLs together), on a stateful device with the ACK bit either way and
reversed too (its reply check reverses ACLs and ignores the ACK bit). The engine holds packets
as injected, and no packet's fate depends on others (tested: a search is the union of the
searches of any split of its packets), so as long as no edited device rewrites packets nor is
handed rewritten ones (`ReachResult.translated_into`), the search of the edited network is the
earlier result outside that set joined with a search from the starts' packets inside it. The
earlier model of an edited device is the one the parse cache holds under the key the deps name
(`parses`), checked against the deps' fingerprint; `diff` has the before side's. No earlier
model, another kind of edit, a rewrite: the search runs again.

Where: `analyze(cache=...)` (verify with a cache folder) loads saved searches through
`SavedSearches` and saves the ones it made; it reports the count as the progress stage
"searches re-used: N of M[, K repaired after an ACL edit]" (not in the report: a warm run's
JSON stays byte-identical to a cold one's). `diff` hands the before side's searches to the
after side (`reusable_searches`), in the one packet space both share. A search keeps its
latest two saved results (`SEARCHES_PER_KEY`; an older one is removed): `diff` after `verify`
finds the revision's (before the edit) and the working tree's whole, with nothing to repair.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from .cache import ParseCache, device_codec, encoding_fingerprint, source_fingerprint
from .codec import Codec, DecodeError, EncodeError
from .graph import Network
from .model import Acl, Device, Located, Match, Source
from .reach.engine import Endpoint, ReachResult
from .reach.packets import PacketSet, PacketSpace
from .reach.region import Region, changed_boxes, reversed_region
from .reach.repair import Repair
from .reach.saved import drop_reach, has_reach, load_reach, save_reach
from .reach.store import BddStore

SearchKey = tuple[str, bool]  # (source class, routing)
_S = TypeVar("_S", Source, Source | None)

# The code a search's result depends on: the engine, what builds its inputs, this module.
_CODE = (
    "model.py",
    "graph.py",
    "incremental.py",
    "rules/flows.py",
    "reach/engine.py",
    "reach/fib.py",
    "reach/filters.py",
    "reach/multicast.py",
    "reach/nat.py",
    "reach/packets.py",
    "reach/pbr.py",
    "reach/region.py",
    "reach/relay.py",
    "reach/repair.py",
    "reach/saved.py",
)


@dataclass(frozen=True)
class SearchDeps:
    """What one search's result rests on (see the module docstring)."""

    structure: str
    devices: tuple[tuple[str, str], ...]  # (entered device, its fingerprint), by name
    files: tuple[tuple[str, str], ...]  # (entered device, its config path as shown), by name
    routing: bool
    budget: int
    backend: str
    code: str
    # (entered device, the parse cache's key of its config) where known: the model it read,
    # for a repair after an edit of its ACLs (`SavedSearches`).
    parses: tuple[tuple[str, str], ...] = ()


_PRIMITIVES = (str, int, float, bool, type(None))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
# How `_plain` turns a value of a type into its plain form: decided once per type (every test
# below depends on the type only), in the order the tests are made.
_SAME, _DROPPED, _FIELDS, _ENUM, _MAPPING, _SEQUENCE, _SET = range(7)
_PLAIN_HOW: dict[type, int] = {}
# Exactly these types (not their subclasses) let a collection of them skip the call per item.
_EXACT_PRIMITIVES = frozenset(_PRIMITIVES)


def _plain(value: object) -> object:
    """`value` as nested tuples of primitives, deterministic across processes (sets sorted),
    without `Source`s and `Located`s (where a thing was written is not what it does)."""
    kind = type(value)
    how = _PLAIN_HOW.get(kind)
    if how is None:
        how = _PLAIN_HOW[kind] = _plain_how(value)
    if how == _SAME:
        return value
    if how == _DROPPED:
        return None
    if how == _FIELDS:
        fields = [getattr(value, name) for name in _FIELD_NAMES[kind]]
        return (kind.__name__, *[field if type(field) in _EXACT_PRIMITIVES else _plain(field) for field in fields])
    if how == _ENUM:
        return value.value  # type: ignore[attr-defined]
    if how == _MAPPING:
        return tuple([(_plain(key), _plain(item)) for key, item in value.items()])  # type: ignore[attr-defined]
    items: list[object] | tuple[object, ...] | set[object] | frozenset[object] = value  # type: ignore[assignment]
    # A primitive's plain form is itself: such items need no call each.
    primitive = all(map(_EXACT_PRIMITIVES.__contains__, map(type, items)))
    if how == _SEQUENCE:
        if primitive:
            return items if kind is tuple else tuple(items)
        return tuple([item if type(item) in _EXACT_PRIMITIVES else _plain(item) for item in items])
    return tuple(sorted(items if primitive else [_plain(item) for item in items], key=repr))


def _plain_how(value: object) -> int:
    """Which form `_plain` gives values of the type of `value`."""
    if isinstance(value, _PRIMITIVES):
        return _SAME
    if isinstance(value, Source | Located):
        return _DROPPED
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
        return _FIELDS
    if isinstance(value, enum.Enum):
        return _ENUM
    if isinstance(value, dict):
        return _MAPPING
    if isinstance(value, list | tuple):
        return _SEQUENCE
    if isinstance(value, set | frozenset):
        return _SET
    return _SAME


def _device_structure(device: Device) -> object:
    return (
        device.name,
        device.vendor,
        _plain(device.interfaces),
        device.relayed_udp_ports,
        bool(device.dynamic_routing),
    )


def device_structure_digest(name: str, device: Device) -> str:
    """The hash of what every search reads of device `name` (`_device_structure`)."""
    return hashlib.sha256(repr(_device_structure(device)).encode("utf-8")).hexdigest()


def structure_fingerprint(network: Network, digest_of: Callable[[str, Device], str] = device_structure_digest) -> str:
    """The hash of what every search reads beyond the devices it entered. `digest_of`: each
    device's `device_structure_digest`, from wherever it is known."""
    digest = hashlib.sha256()
    topology = network.topology
    parts: tuple[object, ...] = (
        tuple((entry.name, entry.vendor, entry.instance) for entry in topology.devices),
        _plain((topology.links, topology.zones, topology.external_peers)),
        _plain(network.segments),
        tuple(sorted(network.segment_of.items())),
        tuple(digest_of(name, network.devices[name]) for name in sorted(network.devices)),
    )
    for part in parts:
        digest.update(repr(part).encode("utf-8") + b"\0")
    return digest.hexdigest()


def device_fingerprint(device: Device) -> str:
    """The hash of the device's whole model (codec.py encodes every field, deterministically),
    its own config path aside (see the module docstring)."""
    return encoding_fingerprint(device_codec().dumps(device), device.source_file)


def parsed_fingerprint(encoding_print: str, name: str) -> str:
    """A device's fingerprint from the `encoding_fingerprint` of its config's parse (what the parse
    cache read or wrote) and the name the topology gives it, the one field set after parsing
    (analyze.parse_devices). Another hash than `device_fingerprint`'s for the same model: a search
    saved under one kind is only re-used by a run that has the same kind (it is, for each device,
    as long as its parse can be cached)."""
    return hashlib.sha256(b"parsed\0" + encoding_print.encode("ascii") + b"\0" + name.encode("utf-8")).hexdigest()


# Device fields no search reads (reach/*.py; trace.py quotes `lines` from the network searched).
_NOT_SEARCHED = frozenset({"name", "source_file", "lines", "unknown_lines", "mgmt", "acls"})


def _searched_view(device: Device) -> object:
    return tuple(_plain(getattr(device, f.name)) for f in dataclasses.fields(device) if f.name not in _NOT_SEARCHED)


def _may_translate(device: Device) -> bool:
    """Whether packets may leave the device rewritten (NAT, relays, multicast delivery)."""
    return (
        bool(device.nat_rules)
        or bool(device.relayed_udp_ports)
        or any(interface.multicast for interface in device.interfaces.values())
    )


def filter_difference(space: PacketSpace, earlier: Device, now: Device) -> PacketSet | None:
    """The packets `now` may treat otherwise than `earlier`, when the two differ only in the
    lines of ACLs both define (else None). An ACL decides packets as a filter (its permit set:
    interfaces, policy routes) and as part of a policy's list (the packets its lines match); the
    reply check of a stateful device reverses its ACLs and ignores the ACK bit (reach/engine.py
    `reply_filter`): so on such a device the set covers both differences, with the ACK bit either
    way, in both directions. (A stateless device reads no ACL but as it is.)"""
    if set(earlier.acls) != set(now.acls) or _searched_view(earlier) != _searched_view(now):
        return None
    changed = space.false
    for name in sorted(earlier.acls):
        before, after = earlier.acls[name], now.acls[name]
        if _plain(before) == _plain(after):
            continue
        if not before.lines or not after.lines:
            return None  # an interface ACL with no entries permits everything (reach/filters.py)
        changed |= _either_not_both(space, space.acl_permits(before), space.acl_permits(after))
        changed |= _either_not_both(space, _matched(space, before), _matched(space, after))
    if changed == space.false or not now.stateful:
        # Only the reply check of a stateful device reverses its ACLs and ignores the ACK bit.
        return changed
    either_ack = space.bdd.exist(space.bits["est"], changed)
    return either_ack | space.reversed_direction(either_ack)


def changed_acl_boxes(earlier: Device, now: Device) -> Region:
    """Boxes (reach/region.py) whose union holds `filter_difference(earlier, now)` when that is
    a set: those of the lines each ACL's two versions do not share at their ends, reversed too
    on a stateful device."""
    boxes: list[Match] = []
    for name in sorted(earlier.acls):
        if name in now.acls:
            boxes.extend(changed_boxes(earlier.acls[name], now.acls[name]))
    if now.stateful:
        boxes.extend(reversed_region(tuple(boxes)))
    return tuple(dict.fromkeys(boxes))


def _either_not_both(space: PacketSpace, first: PacketSet, second: PacketSet) -> PacketSet:
    return (first & ~second) | (second & ~first)


def _matched(space: PacketSpace, acl: Acl) -> PacketSet:
    return space.union_of([space.line_match(line) for line in acl.lines])


def earlier_model(cache: ParseCache, name: str, parse_key: str | None, fingerprint: str) -> Device | None:
    """The model of device `name` a search read, from the parse cache, when it is still there and
    is the one the search's deps name (its fingerprint as `Fingerprints` made it)."""
    if parse_key is None:
        return None
    device = cache.get(parse_key)
    known = cache.prints.get(parse_key)
    if device is None or known is None or parsed_fingerprint(known, name) != fingerprint:
        return None
    device.name = name
    return device


class Fingerprints:
    """The fingerprints of one network, each computed once."""

    def __init__(
        self,
        network: Network,
        backend: str,
        budget: int,
        encoding_prints: Mapping[str, str] | None = None,
        parse_keys: Mapping[str, str] | None = None,
    ) -> None:
        """`encoding_prints`: device name -> the `encoding_fingerprint` of its parse (`Loaded.prints`),
        where known: those devices are not encoded once more. `parse_keys`: device name -> its
        parse cache key (`Loaded.parse_keys`), written into the deps of a search."""
        self.network = network
        self.encoding_prints = encoding_prints or {}
        self.parse_keys = parse_keys or {}
        self.backend = backend
        self.budget = budget
        self._structure: str | None = None
        self._devices: dict[str, str] = {}
        self._code = source_fingerprint(*_CODE)
        # `parsed_fingerprint` of a device -> its `device_structure_digest`: `known_structures`
        # from an earlier run (SavedSearches reads them), `structures` those this run used.
        self.known_structures: dict[str, str] = {}
        self.structures: dict[str, str] = {}

    @property
    def structure(self) -> str:
        if self._structure is None:
            self._structure = structure_fingerprint(self.network, self._structure_of)
        return self._structure

    def _structure_of(self, name: str, device: Device) -> str:
        """A device's structure digest, taken from an earlier run when its parse is the same
        (a model is a function of its parse cache entry and its name)."""
        known = self.encoding_prints.get(name)
        if known is None:
            return device_structure_digest(name, device)
        key = parsed_fingerprint(known, name)
        found = self.known_structures.get(key)
        if found is None:
            found = device_structure_digest(name, device)
        self.structures[key] = found
        return found

    def device(self, name: str) -> str | None:
        """None for a device the network does not have (removed)."""
        found = self._devices.get(name)
        if found is None:
            device = self.network.devices.get(name)
            if device is None:
                return None
            known = self.encoding_prints.get(name)
            if known is not None:
                found = self._devices[name] = parsed_fingerprint(known, name)
                return found
            try:
                found = self._devices[name] = device_fingerprint(device)
            except EncodeError:  # a model the codec cannot write cannot be compared: never re-used
                return None
        return found

    def deps(self, result: ReachResult, routing: bool) -> SearchDeps | None:
        """What `result` rests on; None when it must not be re-used."""
        if result.exhausted:
            return None
        devices = []
        for name in sorted(result.entered):
            fingerprint = self.device(name)
            if fingerprint is None:
                return None
            devices.append((name, fingerprint))
        files = tuple((name, self.network.devices[name].source_file) for name, _ in devices)
        parses = tuple((name, self.parse_keys[name]) for name, _ in devices if name in self.parse_keys)
        return SearchDeps(self.structure, tuple(devices), files, routing, self.budget, self.backend, self._code, parses)

    def holds(self, deps: SearchDeps, routing: bool) -> bool:
        """Whether a search of this network would run exactly as the one `deps` describes."""
        return self.changed(deps, routing) == []

    def changed(self, deps: SearchDeps, routing: bool) -> list[str] | None:
        """The devices the search `deps` describes entered whose models differ in this network,
        by name, when nothing else it rests on does (else None: options, code, structure, or a
        device this network no longer has)."""
        options = (deps.routing, deps.budget, deps.backend, deps.code) == (
            routing,
            self.budget,
            self.backend,
            self._code,
        )
        if not options or deps.structure != self.structure:
            return None
        changed = []
        for name, fingerprint in deps.devices:
            now = self.device(name)
            if now is None:
                return None
            if now != fingerprint:
                changed.append(name)
        return changed

    def repair(self, space: PacketSpace, result: ReachResult, earlier_models: Mapping[str, Device]) -> Repair | None:
        """`result`, a search of a network whose devices `earlier_models` (by name) were as given
        there and every other device it entered as in this one, as a `Repair` for this network;
        None when an edit is not one a repair can follow (`filter_difference`), or packets may
        meet an edited device rewritten (reach/repair.py: the changed packets would then be other
        packets at the start)."""
        if result.exhausted:
            return None
        for name in earlier_models:
            if _may_translate(self.network.devices[name]) or name in result.translated_into:
                return None
        changed = space.false
        boxes: list[Match] = []
        for name, earlier in sorted(earlier_models.items()):
            difference = filter_difference(space, earlier, self.network.devices[name])
            if difference is None:
                return None
            changed |= difference
            boxes.extend(changed_acl_boxes(earlier, self.network.devices[name]))
        return Repair(result, changed, tuple(dict.fromkeys(boxes)))

    def relabelled(self, result: ReachResult, deps: SearchDeps) -> ReachResult | None:
        """`result` (which `deps` holds for) with its config paths as this network shows them;
        None when the paths do not map one to one."""
        mapping: dict[str, str] = {}
        for name, old in deps.files:
            new = self.network.devices[name].source_file
            if mapping.setdefault(old, new) != new:
                return None
        if len(set(mapping.values())) != len(mapping):
            return None
        if all(old == new for old, new in mapping.items()):
            return result
        return dataclasses.replace(
            result,
            delivered={_relabel_endpoint(endpoint, mapping): packets for endpoint, packets in result.delivered.items()},
            witnesses=dict(result.witnesses),
            entered=set(result.entered),
            translated_into=set(result.translated_into),
        )


def _relabel_endpoint(endpoint: Endpoint, mapping: dict[str, str]) -> Endpoint:
    if not endpoint.translation:
        return endpoint
    return dataclasses.replace(
        endpoint,
        translation=tuple(
            dataclasses.replace(
                rewrite,
                rule=_relabel_source(rewrite.rule, mapping),
                rules=tuple(_relabel_source(rule, mapping) for rule in rewrite.rules),
            )
            for rewrite in endpoint.translation
        ),
    )


def _relabel_source(source: _S, mapping: dict[str, str]) -> _S:
    if source is None or source.file not in mapping:
        return source
    return dataclasses.replace(source, file=mapping[source.file])


def reusable_searches(
    before: dict[SearchKey, ReachResult],
    before_prints: Fingerprints,
    after_prints: Fingerprints,
    space: PacketSpace | None = None,
) -> dict[SearchKey, ReachResult | Repair]:
    """The searches of `before` (in the same packet space) that hold for the `after` network,
    relabelled to its config paths; with `space` (the one both share), also those a `Repair`
    can bring up to date (the before network's models are the earlier ones)."""
    reusable: dict[SearchKey, ReachResult | Repair] = {}
    for (source_class, routing), result in before.items():
        deps = before_prints.deps(result, routing)
        if deps is None:
            continue
        changed = after_prints.changed(deps, routing)
        if changed == []:
            relabelled = after_prints.relabelled(result, deps)
            if relabelled is not None:
                reusable[source_class, routing] = relabelled
        elif changed and space is not None:
            models = {name: before_prints.network.devices[name] for name in changed}
            repair = after_prints.repair(space, result, models)
            if repair is not None:
                reusable[source_class, routing] = repair
    return reusable


# --- kept between runs ---------------------------------------------------------------------

# How many saved searches a search keeps: this run's and the latest one before it of another
# state of the network. `diff` after `verify` then finds both sides whole: the revision's (the
# state before the edit) and the working tree's (rules/acl_kept.py keeps two for the same reason).
SEARCHES_PER_KEY = 2


@dataclass(frozen=True)
class KeptSearches:
    """The deps record of one search: what each saved result of it rests on, latest first."""

    entries: tuple[SearchDeps, ...]


# Generating a codec takes milliseconds: once per process each.
@functools.cache
def _deps_codec() -> Codec:
    return Codec(SearchDeps)


@functools.cache
def _kept_codec() -> Codec:
    return Codec(KeptSearches)


class SavedSearches:
    """Search results of one topology in the BDD store, with what each rests on.

    The deps record (`KeptSearches`) is keyed by (topology path, source class, routing); each
    result by that and the hash of its deps, so a record never pairs with another run's result.
    A record holds up to `SEARCHES_PER_KEY` entries; one of the earlier layout (a single
    `SearchDeps`) reads as one entry, anything else as none."""

    def __init__(
        self,
        store: BddStore,
        space: PacketSpace,
        topology_path: str,
        prints: Fingerprints,
        cache: ParseCache | None = None,
    ) -> None:
        """`cache`: where the models an earlier search read are found for a repair (none: a
        search is re-used whole or not at all)."""
        self.cache = cache
        self.store = store
        self.space = space
        self.topology = os.path.realpath(topology_path)
        self.prints = prints
        # The searches loaded whole under the paths they were saved with -> their result entry:
        # not written again.
        self.loaded: dict[SearchKey, str] = {}
        # The entries each record read held, latest first: `put_all` keeps or drops them.
        self._kept: dict[SearchKey, list[SearchDeps]] = {}
        # Result entries that failed to load (damaged, foreign): never kept as they are.
        self._unusable: set[str] = set()
        # What `get` found, by search: asked before a search worker is started and again by the rules.
        self._found: dict[SearchKey, ReachResult | Repair | None] = {}
        prints.known_structures.update(self._kept_structures())

    def _structures_key(self) -> str:
        return structures_key(self.space.layout, self.topology)

    def _kept_structures(self) -> dict[str, str]:
        """The device structure digests the last run of this topology kept (`Fingerprints`)."""
        record = self.store.get_record(self._structures_key())
        if not isinstance(record, dict):
            return {}
        return {key: value for key, value in record.items() if isinstance(key, str) and isinstance(value, str)}

    def _key(self, key: SearchKey) -> str:
        return BddStore.key("search-deps", (self.topology, key[0], key[1]), self.space.layout)

    def get(self, source_class: str, routing: bool) -> ReachResult | Repair | None:
        """The saved result of the search if it still holds for this network, a `Repair` of it
        when it holds but for the packets an edit of ACL lines changed, else None. Found once
        per search."""
        search = (source_class, routing)
        if search not in self._found:
            self._found[search] = self._get(source_class, routing)
        return self._found[search]

    def whole(self, source_class: str, routing: bool) -> ReachResult | None:
        """The saved result of the search only if one holds as it is (what `get` returns first),
        else None: no repair is made. For a caller that has a repair of its own (`diff`'s after
        side, from the before side's search in memory): making one here reads the earlier
        models and loads the saved result only to drop it (about 0.08 s CPU a search on the
        1,000-device city)."""
        search = (source_class, routing)
        if search in self._found:
            found = self._found[search]
            return found if isinstance(found, ReachResult) else None
        kept = self._kept[search] = self._recorded(self._key(search))
        for deps in kept:
            if self.prints.changed(deps, routing) == []:
                result = self._whole(search, deps)
                if result is not None:
                    self._found[search] = result
                    return result
        return None

    def _get(self, source_class: str, routing: bool) -> ReachResult | Repair | None:
        """An entry that holds as it is before any repair (loading costs less than the smallest
        search); among repairs, the one with the fewest changed devices (each is an earlier model
        to read and its ACLs' difference to search again), the latest of those first."""
        search = (source_class, routing)
        key = self._key(search)
        kept = self._kept[search] = self._recorded(key)
        whole: list[SearchDeps] = []
        repairs: list[tuple[int, int, SearchDeps, list[str]]] = []
        for index, deps in enumerate(kept):
            changed = self.prints.changed(deps, routing)
            if changed == []:
                whole.append(deps)
            elif changed:
                repairs.append((len(changed), index, deps, changed))
        for deps in whole:
            found = self._whole(search, deps)
            if found is not None:
                return found
        for _, _, deps, changed in sorted(repairs, key=lambda repair: (repair[0], repair[1])):
            repair = self._repair(deps, changed, _entry(key, deps))
            if repair is not None:
                return repair
        return None

    def _recorded(self, key: str) -> list[SearchDeps]:
        """The entries of the deps record under `key`, latest first (none if it is absent or
        unreadable)."""
        text = self.store.get_payload(key)
        if text is None:
            return []
        try:
            kept: KeptSearches = _kept_codec().loads(text)
        except DecodeError:
            try:
                # The earlier layout: one entry. Its result is named the same way (`_entry`).
                return [_deps_codec().loads(text)]
            except DecodeError:
                return []
        return list({_digest(deps): deps for deps in kept.entries}.values())

    def _load(self, entry: str) -> ReachResult | None:
        result = load_reach(self.store, self.space, entry)
        if result is None:
            self._unusable.add(entry)
        return result

    def _whole(self, search: SearchKey, deps: SearchDeps) -> ReachResult | None:
        """The saved result `deps` describes (which holds), relabelled to this network's paths."""
        entry = _entry(self._key(search), deps)
        result = self._load(entry)
        if result is None:
            return None
        relabelled = self.prints.relabelled(result, deps)
        if relabelled is not None and relabelled is result:
            # Saved under these very paths: no need to write it again.
            self.loaded[search] = entry
        return relabelled

    def _repair(self, deps: SearchDeps, changed: list[str], entry: str) -> Repair | None:
        """A repair of the saved search `entry` for the devices `changed` since, from the models
        the parse cache still holds of them as the search read them."""
        if self.cache is None:
            return None
        parses, fingerprints = dict(deps.parses), dict(deps.devices)
        models = {}
        for name in changed:
            model = earlier_model(self.cache, name, parses.get(name), fingerprints[name])
            if model is None:
                return None
            models[name] = model
        result = self._load(entry)
        return None if result is None else self.prints.repair(self.space, result, models)

    def put_all(self, searches: dict[SearchKey, ReachResult]) -> None:
        """Save the searches this run made (those it loaded are there already) as the latest
        entries, each record keeping the latest before it (of another state) and dropping what
        falls off; and the device structure digests this run's fingerprints used."""
        for search, result in sorted(searches.items(), key=lambda item: (item[0][0], item[0][1])):
            self._put(search, result)
        if self.prints.structures and self.prints.structures != self.prints.known_structures:
            self.store.put_record(self._structures_key(), dict(sorted(self.prints.structures.items())))

    def _put(self, search: SearchKey, result: ReachResult) -> None:
        key = self._key(search)
        kept = self._kept.get(search)
        if kept is None:
            # Not read by this run (`diff` took it from the other side): what the record holds.
            kept = self._recorded(key)
        by_entry = {_entry(key, deps): deps for deps in kept}
        latest = self.loaded.get(search)
        if latest is None:
            deps = self.prints.deps(result, routing=search[1])
            if deps is None:
                return
            latest = _entry(key, deps)
            by_entry[latest] = deps
        others = [entry for entry in by_entry if entry != latest and entry not in self._unusable]
        entries = [latest, *others[: SEARCHES_PER_KEY - 1]]
        try:
            encoded = json.loads(_kept_codec().dumps(KeptSearches(tuple(by_entry[entry] for entry in entries))))
        except EncodeError:
            return
        if not self._has_result(search, latest, kept):
            save_reach(self.store, latest, result)
        if entries != [_entry(key, deps) for deps in kept]:
            self.store.put_record(key, encoded)
        for entry in by_entry:
            if entry not in entries:
                drop_reach(self.store, entry)

    def _has_result(self, search: SearchKey, entry: str, kept: list[SearchDeps]) -> bool:
        """Whether the store holds the result of `entry` already: loaded by this run, or named by
        the record and there (`diff` took it from the other side, in memory). The same deps
        make the same result (the module docstring); one that fails to load later is searched
        again and written then."""
        if self.loaded.get(search) == entry:
            return True
        recorded = any(_entry(self._key(search), deps) == entry for deps in kept)
        return recorded and entry not in self._unusable and has_reach(self.store, entry)


def structures_key(layout: str, topology: str) -> str:
    """The store key of the device structures a topology's last kept searches rest on, in a
    space of `layout` (`topology`: a real path)."""
    return BddStore.key("device-structures", (topology, source_fingerprint(*_CODE)), layout)


def saved_search_devices(store: BddStore, layout: str, topology_path: str) -> int:
    """How many devices the searches an earlier run kept of this topology in a space of `layout`
    rest on (0: none kept). Read before any packet space is made."""
    record = store.get_record(structures_key(layout, os.path.realpath(topology_path)))
    return len(record) if isinstance(record, dict) else 0


def _entry(key: str, deps: SearchDeps) -> str:
    """The store key of the result a deps record's entry describes."""
    return key + ":" + _digest(deps)


def _digest(deps: SearchDeps) -> str:
    return hashlib.sha256(repr(deps).encode("utf-8")).hexdigest()
