"""Exact packet sets as binary decision diagrams (header space).

A packet header is a bit vector: dst IP, src IP, dst port, src port, protocol,
ICMP type, ICMP code and one bit for "TCP ACK or RST set" (what IOS `established`
tests). Fields are laid out one after another, most significant bit first, in the
order that measured fastest for ACL compilation. Sets of packets are BDDs over those
bits, so every operation is exact: no sampling, no intervals that split apart.

Three engines give the same sets (the property tests run on each): CUDD (`dd.cudd`, Linux
wheels only), OxiDD (`oxidd`, Rust, wheels for Linux, Windows and macOS; reach/oxidd_bdd.py
gives it dd's method names) and the pure-Python `dd.autoref`. The one used is chosen here
only: `PacketSpace(backend)`, where 'auto' means the environment variable NANKOKU_BDD
(cudd, oxidd or python) if set, else the first of AUTO_ORDER that is installed. Dynamic
variable reordering is off: with fixed field order it only costs time.
"""

from __future__ import annotations

import hashlib
import importlib
import marshal
import os
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from ..model import (
    IPV4_MAX,
    PORT_MAX,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    IcmpMatch,
    Match,
    PortRange,
    Wildcard,
    int_to_ip,
)
from .store import BddStore

# The BDD variable order, top first. The ACK bit and the protocol come first: stateful
# devices split every packet set into new connections and TCP replies, and with those
# variables on top the split, and the union of the halves, are cheap (measured on a
# 150-device city: 25 s instead of 34 s). Destinations before sources: routing tests
# destinations only. (Interleaving source and destination bits made reversing cheaper
# but everything else dearer: 48 s.)
FIELD_WIDTHS: tuple[tuple[str, int], ...] = (
    ("est", 1),
    ("proto", 8),
    ("dst", 32),
    ("src", 32),
    ("dport", 16),
    ("sport", 16),
    ("icmp_type", 8),
    ("icmp_code", 8),
)
FIELD_WIDTH = dict(FIELD_WIDTHS)
# The fields of a header kind (`PacketSpace._header_parts`): above the addresses and below them.
_UPPER_FIELDS = ("est", "proto")
_LOWER_FIELDS = ("dport", "sport", "icmp_type", "icmp_code")
# Field patterns are joined from cached cubes of this many bits (`PacketSpace._field_pattern`).
CHUNK_BITS = 8


def _chunk_plan(width: int) -> tuple[tuple[int, int, int, int], ...]:
    """A field's chunks from its least significant bits (the bottom variables) up: (shift of the
    chunk's lowest bit, offset of its first variable in the field, bits, mask of that many bits)."""
    plan = []
    for low in range(0, width, CHUNK_BITS):
        size = min(CHUNK_BITS, width - low)
        plan.append((low, width - low - size, size, (1 << size) - 1))
    return tuple(plan)


_CHUNKS = {name: _chunk_plan(width) for name, width in FIELD_WIDTHS}


PacketSet = Any  # a dd Function (cudd or autoref) or an oxidd BCDDFunction; kept opaque to callers
# The store's kind of `PacketSpace.acl_permits_reversed_tcp` entries (the TCP part only).
REVERSED_KIND = "reversed tcp"
# ACLs at least this long are kept in the store (shorter ones compile faster than a file loads).
STORE_MIN_LINES = 300
# What 'auto' picks, first installed wins. OxiDD first: on the benchmark cities it took 0.5-0.65x
# CUDD's CPU time and less memory (benchmarks/RESULTS.md, engines side by side), and it has wheels
# for every platform we support; CUDD stays usable (NANKOKU_BDD=cudd), dd's Python engine is
# the fallback where neither native engine installs.
AUTO_ORDER = ("oxidd", "cudd", "autoref")
BACKEND_VARIABLE = "NANKOKU_BDD"
# NANKOKU_BDD values; "python" reads better than dd's module name.
_BACKEND_NAMES = {"cudd": "cudd", "oxidd": "oxidd", "python": "autoref", "autoref": "autoref", "auto": "auto"}
# The engines with a file format (DDDMP) for the store of compiled ACLs.
STORE_BACKENDS = ("cudd", "oxidd")
_MODULES = {"cudd": "dd.cudd", "oxidd": "oxidd.bcdd", "autoref": "dd.autoref"}


class BackendUnavailable(ImportError):
    """The BDD engine asked for is not installed (or NANKOKU_BDD names none)."""


def space_layout(backend: str) -> str:
    """A packet space's variables in order, with the engine's name (each reads only the DDDMP
    files it wrote): what stored sets are keyed by. Known without making the space."""
    return chosen_backend(backend) + ";" + ",".join(f"{name}:{width}" for name, width in FIELD_WIDTHS)


def chosen_backend(backend: str = "auto") -> str:
    """'cudd', 'oxidd' or 'autoref': `backend` itself unless it is 'auto'."""
    if backend == "auto":
        requested = os.environ.get(BACKEND_VARIABLE, "").strip().lower() or "auto"
        if requested not in _BACKEND_NAMES:
            raise BackendUnavailable(f"{BACKEND_VARIABLE}={requested}: expected one of cudd, oxidd, python")
        backend = _BACKEND_NAMES[requested]
    if backend != "auto":
        return backend
    return next(name for name in AUTO_ORDER if _installed(name))


def _installed(name: str) -> bool:
    try:
        importlib.import_module(_MODULES[name])
    except ImportError:
        return False
    return True


def load_bdd_manager(backend: str) -> Any:
    """A new manager of `backend` ('cudd', 'oxidd' or 'autoref'); ImportError if not installed."""
    if backend == "cudd":
        from dd import cudd

        return cudd.BDD()
    if backend == "oxidd":
        from .oxidd_bdd import OxiddBDD

        return OxiddBDD()
    if backend == "autoref":
        from dd import autoref

        return autoref.BDD()
    raise BackendUnavailable(f"unknown BDD backend {backend!r}")


@dataclass(frozen=True, order=True)
class Packet:
    """One concrete packet header."""

    src: int
    dst: int
    proto: int
    sport: int = 0
    dport: int = 0
    established: bool = False
    icmp_type: int = 0
    icmp_code: int = 0

    def describe(self) -> str:
        if self.proto in (PROTO_TCP, PROTO_UDP):
            name = "tcp" if self.proto == PROTO_TCP else "udp"
            flags = " established" if self.established else ""
            return f"{name} {int_to_ip(self.src)}:{self.sport} → {int_to_ip(self.dst)}:{self.dport}{flags}"
        if self.proto == PROTO_ICMP:
            return f"icmp {int_to_ip(self.src)} → {int_to_ip(self.dst)} type {self.icmp_type} code {self.icmp_code}"
        return f"ip proto {self.proto} {int_to_ip(self.src)} → {int_to_ip(self.dst)}"


def protocol_name(proto: int) -> str:
    return {PROTO_TCP: "tcp", PROTO_UDP: "udp", PROTO_ICMP: "icmp"}.get(proto, str(proto))


class PacketSpace:
    """Owns one BDD manager and builds packet sets in it. One per analysis run."""

    def __init__(self, backend: str = "auto", store: BddStore | None = None) -> None:
        """`store`: where compiled long ACLs are kept between runs (CUDD and OxiDD: the
        pure-Python backend has no file format for BDDs)."""
        self.backend = chosen_backend(backend)
        self.bdd = load_bdd_manager(self.backend)
        self.bdd.configure(reordering=False)
        self.bits: dict[str, list[str]] = {}
        for name, width in FIELD_WIDTHS:
            self.bits[name] = [f"{name}{i}" for i in range(width)]
            self.bdd.declare(*self.bits[name])
        self.all_bits = [bit for name, _ in FIELD_WIDTHS for bit in self.bits[name]]
        # The header kind's variables: above the addresses and below them (see `_header_parts`).
        self._upper_bits = [bit for name in _UPPER_FIELDS for bit in self.bits[name]]
        self._lower_bits = [bit for name in _LOWER_FIELDS for bit in self.bits[name]]
        self.true = self.bdd.true
        self.false = self.bdd.false
        self._acl_cache: dict[tuple[Any, ...] | str, PacketSet] = {}
        # By ACL object (kept alive here, so its id is not reused): the look-ups by value above
        # hash the whole ACL each time, and the engine and rules ask about the same objects often.
        self._permits_of_object: dict[int, tuple[Acl, PacketSet]] = {}
        self._reversed_of_object: dict[int, tuple[Acl, PacketSet]] = {}
        self._digests_of_object: dict[tuple[int, str], tuple[Acl, str]] = {}
        self._lines_digests: dict[tuple[int, Callable[[AclLine], bool] | None, str], tuple[Acl, str]] = {}
        self._line_forms: dict[int, tuple[AclLine, bytes]] = {}
        self._derived_acls: dict[tuple[int, Hashable], tuple[object, Acl]] = {}
        self._reversed_acl_cache: dict[tuple[Any, ...] | str, PacketSet] = {}
        self.store = store if self.backend in STORE_BACKENDS else None
        self.layout = space_layout(self.backend)
        self._match_cache: dict[Match, PacketSet] = {}
        self._union_cache: dict[tuple[str, tuple[Any, ...]], PacketSet] = {}
        self._kind_cache: dict[tuple[tuple[int, ...] | None, bool, bool], PacketSet] = {}
        # The same hosts, subnets and ports recur across ACLs and routes.
        self._pattern_cache: dict[tuple[str, int, int], PacketSet] = {}
        self._chunk_cache: dict[tuple[str, int, int, int], PacketSet] = {}
        self._parts_cache: dict[tuple[tuple[int, ...] | None, bool, bool, bool], tuple[PacketSet, PacketSet]] = {}
        self.valid = self._valid_packets()

    def tidy(self) -> None:
        """Free the nodes of sets nobody holds any more when the engine needs that done: OxiDD
        only when its table fills (oxidd_bdd.COLLECT_WHEN_FULL); CUDD and the pure-Python
        engine collect by themselves. Called between searches, rules and every few hundred
        steps of a search."""
        if self.backend == "oxidd":
            self.bdd.tidy()

    # --- building blocks ---------------------------------------------------------------

    def field_equals(self, field: str, value: int) -> PacketSet:
        return self.field_pattern(field, value, 0)

    def field_pattern(self, field: str, value: int, dont_care: int) -> PacketSet:
        """Bits of `value` where `dont_care` is 0 must match."""
        key = (field, value, dont_care)
        cached = self._pattern_cache.get(key)
        if cached is None:
            cached = self._pattern_cache[key] = self._field_pattern(field, value, dont_care)
        return cached

    def _field_pattern(self, field: str, value: int, dont_care: int) -> PacketSet:
        """The cube of the field's cared-for bits, joined from cubes of CHUNK_BITS bits at a
        time (cached: few distinct bytes recur in many addresses), lowest bits first: each AND
        puts a chunk above all the variables of the cube so far and so only copies the chunk
        (OxiDD builds a cube one Python call a literal; here a 32-bit host takes four calls)."""
        result = None
        for low, offset, size, mask in _CHUNKS[field]:
            care = ~(dont_care >> low) & mask
            if care:
                chunk = self._chunk(field, offset, size, (value >> low) & care, care)
                result = chunk if result is None else chunk & result
        return self.true if result is None else result

    def _chunk(self, field: str, offset: int, size: int, value: int, care: int) -> PacketSet:
        """The cube saying that the `size` bits of `field` from bit `offset` (most significant
        first) are `value` where `care` has a 1."""
        key = (field, offset, value, care)
        cached = self._chunk_cache.get(key)
        if cached is None:
            bits = self.bits[field]
            literals = {
                bits[offset + i]: bool((value >> (size - 1 - i)) & 1)
                for i in range(size)
                if (care >> (size - 1 - i)) & 1
            }
            cached = self._chunk_cache[key] = self.bdd.cube(literals)
        return cached

    def field_prefix(self, field: str, value: int, length: int) -> PacketSet:
        width = FIELD_WIDTH[field]
        return self.field_pattern(field, value, (1 << (width - length)) - 1 if length < width else 0)

    def field_range(self, field: str, low: int, high: int) -> PacketSet:
        width = FIELD_WIDTH[field]
        result = self.false
        for value, length in range_to_prefixes(low, high, width):
            result |= self.field_prefix(field, value, length)
        return result

    def addresses(self, field: str, wildcards: Iterable[Wildcard]) -> PacketSet:
        result = self.false
        for wildcard in wildcards:
            result |= self.field_pattern(field, wildcard.address, wildcard.wildcard)
        return result

    def _cached_union(self, field: str, items: tuple[Any, ...], build: Callable[[str, Any], PacketSet]) -> PacketSet:
        """`build(field, items)`, once per distinct tuple: an object-group's members recur
        on every line that names the group."""
        key = (field, items)
        cached = self._union_cache.get(key)
        if cached is None:
            cached = self._union_cache[key] = build(field, items)
        return cached

    def union_of(self, sets: Iterable[PacketSet]) -> PacketSet:
        """The union of many sets, joined pairwise in rounds: each set takes part in about
        log2(n) unions of sets of like size, where adding them one by one to a growing
        union walks that union n times."""
        level = list(sets)
        while len(level) > 1:
            joined = [first | second for first, second in zip(level[::2], level[1::2], strict=False)]
            if len(level) % 2:
                joined.append(level[-1])
            level = joined
        return level[0] if level else self.false

    def prefixes(self, field: str, prefixes: Iterable[tuple[int, int]]) -> PacketSet:
        result = self.false
        for network, length in prefixes:
            result |= self.field_prefix(field, network, length)
        return result

    def ports(self, field: str, ranges: Iterable[PortRange]) -> PacketSet:
        result = self.false
        for port_range in ranges:
            result |= self.field_range(field, port_range.low, port_range.high)
        return result

    def protocol(self, proto: int) -> PacketSet:
        return self.field_equals("proto", proto)

    def tcp_established(self) -> PacketSet:
        return self.protocol(PROTO_TCP) & self.field_equals("est", 1)

    def _valid_packets(self) -> PacketSet:
        """Headers that exist: ports only on TCP/UDP, ICMP fields only on ICMP,
        the established bit only on TCP. Keeps counts and examples meaningful."""
        tcp = self.protocol(PROTO_TCP)
        udp = self.protocol(PROTO_UDP)
        icmp = self.protocol(PROTO_ICMP)
        no_ports = self.field_equals("sport", 0) & self.field_equals("dport", 0)
        no_icmp = self.field_equals("icmp_type", 0) & self.field_equals("icmp_code", 0)
        return (tcp | udp | no_ports) & (icmp | no_icmp) & (tcp | self.field_equals("est", 0))

    # --- ACLs ----------------------------------------------------------------------------

    def match(self, match: Match) -> PacketSet:
        """The valid packets `match` holds: a conjunction of one set per field, built from the
        bottom variable up (ICMP, source then destination ports, source, destination, header
        kind): ANDing a set over variables all above another's copies only the upper set, where
        building from the top would copy the growing result at every field."""
        cached = self._match_cache.get(match)
        if cached is not None:
            return cached
        has_ports = match.src_ports is not None or match.dst_ports is not None
        upper, result = self._header_parts(match.protocols, has_ports, match.established, match.icmp is not None)
        if match.icmp is not None:
            result = self._cached_union("icmp", match.icmp, self._icmp) & result
        if match.src_ports is not None:
            result = self._cached_union("sport", match.src_ports, self.ports) & result
        if match.dst_ports is not None:
            result = self._cached_union("dport", match.dst_ports, self.ports) & result
        if match.src is not None:
            result = self._cached_union("src", match.src, self.addresses) & result
        if match.dst is not None:
            result = self._cached_union("dst", match.dst, self.addresses) & result
        result = upper & result
        self._match_cache[match] = result
        return result

    def _icmp(self, _field: str, entries: tuple[IcmpMatch, ...]) -> PacketSet:
        icmp = self.false
        for entry in entries:
            one = self.field_equals("icmp_type", entry.icmp_type)
            if entry.code is not None:
                one &= self.field_equals("icmp_code", entry.code)
            icmp |= one
        return icmp

    def _header_parts(
        self, protocols: tuple[int, ...] | None, has_ports: bool, established: bool, icmp: bool
    ) -> tuple[PacketSet, PacketSet]:
        """The header kind (`_header_kind`, ICMP only if `icmp`) as (upper, lower): its part on
        the variables above the addresses and its part below them, whose AND is exactly the
        kind (a single protocol's kind is such a product); else (kind, true). A line's set is
        then the upper part ANDed on top of the rest built up from the lower part."""
        key = (protocols, has_ports, established, icmp)
        cached = self._parts_cache.get(key)
        if cached is not None:
            return cached
        kind = self._header_kind(protocols, has_ports, established)
        if icmp:
            kind &= self.protocol(PROTO_ICMP)
        upper = self.bdd.exist(self._lower_bits, kind)
        lower = self.bdd.exist(self._upper_bits, kind)
        cached = self._parts_cache[key] = (upper, lower) if upper & lower == kind else (kind, self.true)
        return cached

    def _header_kind(self, protocols: tuple[int, ...] | None, has_ports: bool, established: bool) -> PacketSet:
        """Valid headers of the given protocols, once per combination (ACLs repeat a few)."""
        key = (protocols, has_ports, established)
        cached = self._kind_cache.get(key)
        if cached is not None:
            return cached
        result = self.valid
        if protocols is not None:
            chosen = self.false
            for proto in protocols:
                chosen |= self.protocol(proto)
            result &= chosen
        if has_ports:
            # Port constraints never match protocols without ports (GRE, ICMP, ...).
            result &= self.protocol(PROTO_TCP) | self.protocol(PROTO_UDP)
        if established:
            result &= self.tcp_established()
        self._kind_cache[key] = result
        return result

    def line_match(self, line: AclLine) -> PacketSet:
        """Packets the engine treats `line` as matching (see `counts_as_match`)."""
        if not counts_as_match(line):
            return self.false
        if len(line.matches) == 1:
            return self.match(line.matches[0])
        result = self.false
        for match in line.matches:
            result |= self.match(match)
        return result

    def acl_permits(self, acl: Acl) -> PacketSet:
        """The exact set of packets `acl` permits under first-match semantics with an
        implicit deny at the end. Identical ACLs are compiled once; long ones are kept in
        the store between runs."""
        known = self._permits_of_object.get(id(acl))
        if known is not None and known[0] is acl:
            return known[1]
        key = self._memory_key(acl)
        cached = self._acl_cache.get(key)
        if cached is None:
            cached = self._acl_cache[key] = self._stored("permits", acl, lambda: self._compile(acl))
        self._permits_of_object[id(acl)] = (acl, cached)
        return cached

    def acl_permits_reversed_tcp(self, acl: Acl) -> PacketSet:
        """The TCP packets of `reversed_direction(acl_permits(acl))` (`reversed_tcp`): the reply
        check of a stateful firewall asks it of every long ACL and keeps only TCP of it
        (engine.reply_filter), and reversing a large BDD costs more than compiling it."""
        known = self._reversed_of_object.get(id(acl))
        if known is not None and known[0] is acl:
            return known[1]
        key = self._memory_key(acl)
        cached = self._reversed_acl_cache.get(key)
        if cached is None:
            cached = self._reversed_acl_cache[key] = self._stored(
                REVERSED_KIND, acl, lambda: self.reversed_tcp(self.acl_permits(acl))
            )
        self._reversed_of_object[id(acl)] = (acl, cached)
        return cached

    def _memory_key(self, acl: Acl) -> tuple[Any, ...] | str:
        """What identifies `acl`'s sets in this space: a long ACL's digest (a str keeps its hash;
        a tuple of 17,000 lines is hashed again, dataclass by dataclass, at every look-up), a
        short one's lines as the engine reads them."""
        if len(acl.lines) >= STORE_MIN_LINES:
            return self.lines_digest(acl)
        return acl_key(acl)

    def is_stored(self, acl: Acl, reverse: bool) -> bool:
        """Whether the store holds the ACL's compiled set (and its reverse if asked)."""
        if self.store is None:
            return False
        kinds = ("permits", REVERSED_KIND) if reverse else ("permits",)
        return all(self.store.has(self.acl_store_key(kind, acl)) for kind in kinds)

    def acl_store_key(self, kind: str, acl: Acl, content: Callable[[], object] | None = None) -> str:
        """The store key of an entry of `kind` computed from `acl`'s lines as the engine reads
        them (`acl_key`, through `lines_digest`), or from what `content()` returns (another
        view of the same ACL, which must depend on nothing else), hashed once per ACL object."""
        if content is None:
            return self.lines_key(kind, acl)
        memo = (id(acl), kind)
        known = self._digests_of_object.get(memo)
        if known is None or known[0] is not acl:
            known = self._digests_of_object[memo] = (acl, BddStore.content_digest(content()))
        return BddStore.key_of_digest(kind, known[1], self.layout)

    def lines_key(self, kind: str, acl: Acl, flag: Callable[[AclLine], bool] | None = None, salt: str = "") -> str:
        """The store key of an entry of `kind` computed from `lines_digest(acl, flag, salt)`."""
        return BddStore.key_of_digest(kind, self.lines_digest(acl, flag, salt), self.layout)

    def lines_digest(self, acl: Acl, flag: Callable[[AclLine], bool] | None = None, salt: str = "") -> str:
        """A hash of `salt` and of each line's `line_form` with `flag(line)`, in order: equal
        exactly when the salts are equal and the lines' actions, matches and flags are, line by
        line. Without a flag, `counts_as_match`: what the engine compiles (`acl_key`);
        the rules pass their own (whether a line is exact) and the source of their code as salt.
        Once per (ACL object, flag, salt); each line's form once per line object (a policy's
        pair lists are new ACL objects made of the rules' lines, and the same long ACL is asked
        about by the pre-compile, the engine and the rules)."""
        memo = (id(acl), flag, salt)
        known = self._lines_digests.get(memo)
        if known is not None and known[0] is acl:
            return known[1]
        flagged = flag or counts_as_match
        # The salt and each form are self-delimiting (marshal) and a flag is one byte: the
        # parts stay apart.
        digest = hashlib.sha256(marshal.dumps(salt, _MARSHAL_VERSION))
        digest.update(b"".join([self._line_form(line) + (b"\1" if flagged(line) else b"\0") for line in acl.lines]))
        known = self._lines_digests[memo] = (acl, digest.hexdigest())
        return known[1]

    def derived_acl(self, owner: object, key: Hashable, make: Callable[[], Acl]) -> Acl:
        """The ACL `make()` builds from `owner` (a policy's list for a pair of interfaces, from
        the device and the rules' indexes), one object per owner and key in this space while
        it is equal to what `make()` builds: the pre-compile, the engine and the kept digests
        (acl_digests.py) then share one object, whose digest and compiled set are found once.
        (Equal is cheap: the lists hold the rules' very line objects, and a tuple compares
        identical items without looking into them.)"""
        made = make()
        memo = (id(owner), key)
        known = self._derived_acls.get(memo)
        if known is None or known[0] is not owner or known[1] != made:
            known = self._derived_acls[memo] = (owner, made)
        return known[1]

    def adopt_digest(
        self, acl: Acl, digest: str, flag: Callable[[AclLine], bool] | None = None, salt: str = ""
    ) -> None:
        """Take `digest` as `lines_digest(acl, flag, salt)`: known from an earlier run of the
        same device model (acl_digests.py), so its lines are not hashed again."""
        self._lines_digests[id(acl), flag, salt] = (acl, digest)

    def _line_form(self, line: AclLine) -> bytes:
        known = self._line_forms.get(id(line))
        if known is None or known[0] is not line:
            known = self._line_forms[id(line)] = (line, line_form(line))
        return known[1]

    def _stored(self, kind: str, acl: Acl, compute: Callable[[], PacketSet]) -> PacketSet:
        if self.store is None or len(acl.lines) < STORE_MIN_LINES:
            return compute()
        store_key = self.acl_store_key(kind, acl)
        packets = self.store.get(self.bdd, store_key)
        if packets is None:
            packets = compute()
            self.store.put(self.bdd, store_key, packets)
        return packets

    def _compile(self, acl: Acl) -> PacketSet:
        return self.lines_permit(acl.lines)

    def lines_permit(self, lines: Sequence[AclLine]) -> PacketSet:
        """What an ACL of `lines` permits (first match, implicit deny), compiled afresh: folded
        from the last line up, a run of consecutive lines of one action at a time (together they
        decide exactly the packets any of them matches). One operation on the large set per run
        rather than per line: a run of `deny ip host X any` lines near the top of a 17,000-line
        firewall ACL walked the whole destination part of that set once a line."""
        matched = [(line.action, self.line_match(line)) for line in lines]
        permitted = self.false
        for action, run in groupby(reversed([pair for pair in matched if pair[1] != self.false]), key=itemgetter(0)):
            decided = self.union_of([packets for _, packets in run])
            permitted = decided | permitted if action is Action.PERMIT else permitted & ~decided
        return permitted

    def first_match_region(self, acl: Acl, index: int) -> PacketSet:
        """Packets whose first matching line in `acl` is line `index`."""
        earlier = self.false
        for line in acl.lines[:index]:
            earlier |= self.line_match(line)
        return self.line_match(acl.lines[index]) & ~earlier

    def implicit_deny_region(self, acl: Acl) -> PacketSet:
        matched = self.false
        for line in acl.lines:
            matched |= self.line_match(line)
        return self.valid & ~matched

    # --- reading sets back -----------------------------------------------------------------

    def is_empty(self, packets: PacketSet) -> bool:
        return bool(packets == self.false)

    def subset(self, inner: PacketSet, outer: PacketSet) -> bool:
        """`inner` ⊆ `outer`. (dd's `inner <= outer` builds `outer | ~inner`, a BDD as large
        as `outer`; the difference stays within `inner`, usually a small set.)"""
        return bool(inner & ~outer == self.false)

    def contains(self, packets: PacketSet, packet: Packet) -> bool:
        return bool((packets & self.packet(packet)) != self.false)

    def packet(self, packet: Packet) -> PacketSet:
        return (
            self.field_equals("src", packet.src)
            & self.field_equals("dst", packet.dst)
            & self.field_equals("proto", packet.proto)
            & self.field_equals("sport", packet.sport)
            & self.field_equals("dport", packet.dport)
            & self.field_equals("est", int(packet.established))
            & self.field_equals("icmp_type", packet.icmp_type)
            & self.field_equals("icmp_code", packet.icmp_code)
        )

    def count(self, packets: PacketSet) -> int:
        return int(self.bdd.count(packets, nvars=len(self.all_bits)))

    def pick(self, packets: PacketSet) -> Packet | None:
        """Some packet of the set (deterministic), or None if empty."""
        if packets == self.false:
            return None
        assignment = self.bdd.pick(packets, care_vars=self.all_bits)
        values = {name: 0 for name, _ in FIELD_WIDTHS}
        for name, _ in FIELD_WIDTHS:
            value = 0
            for bit in self.bits[name]:
                value = (value << 1) | int(bool(assignment.get(bit, False)))
            values[name] = value
        return Packet(
            src=values["src"],
            dst=values["dst"],
            proto=values["proto"],
            sport=values["sport"],
            dport=values["dport"],
            established=bool(values["est"]),
            icmp_type=values["icmp_type"],
            icmp_code=values["icmp_code"],
        )

    def reversed_direction(self, packets: PacketSet) -> PacketSet:
        """The same packets with source and destination (addresses and ports) swapped."""
        renaming = {}
        for a, b in (("src", "dst"), ("sport", "dport")):
            for bit_a, bit_b in zip(self.bits[a], self.bits[b], strict=True):
                renaming[bit_a] = bit_b
                renaming[bit_b] = bit_a
        return self.bdd.let(renaming, packets)

    def reversed_tcp(self, packets: PacketSet) -> PacketSet:
        """`reversed_direction(packets) & protocol(TCP)`, reversing only the TCP part (the
        renaming leaves the protocol alone): on the 1,000-device city's 17,000-line firewall
        ACLs 1.0-1.1 s instead of 2.0 s, 0.24 s instead of 0.56 s."""
        tcp_bits = {
            bit: bool((PROTO_TCP >> (FIELD_WIDTH["proto"] - 1 - i)) & 1) for i, bit in enumerate(self.bits["proto"])
        }
        return self.reversed_direction(self.bdd.let(tcp_bits, packets)) & self.protocol(PROTO_TCP)

    def project(self, packets: PacketSet, field: str) -> PacketSet:
        """The values `field` takes in the set (other fields quantified away)."""
        others = [bit for name, _ in FIELD_WIDTHS if name != field for bit in self.bits[name]]
        return self.bdd.exist(others, packets)

    def field_prefixes(self, packets: PacketSet, field: str, limit: int = 64) -> tuple[list[tuple[int, int]], bool]:
        """The values of `field` in the set as a list of maximal aligned blocks
        (value, length), most significant first. Returns (blocks, truncated)."""
        projected = self.project(packets, field)
        blocks: list[tuple[int, int]] = []
        truncated = self._collect_blocks(projected, field, 0, 0, blocks, limit)
        return blocks, truncated

    def _collect_blocks(
        self, node: PacketSet, field: str, depth: int, value: int, out: list[tuple[int, int]], limit: int
    ) -> bool:
        width = FIELD_WIDTH[field]
        if node == self.false:
            return False
        if node == self.true or depth == width:
            if len(out) >= limit:
                return True
            out.append((value << (width - depth), depth))
            return False
        bit = self.bits[field][depth]
        low = self.bdd.let({bit: False}, node)
        high = self.bdd.let({bit: True}, node)
        if self._collect_blocks(low, field, depth + 1, value << 1, out, limit):
            return True
        return self._collect_blocks(high, field, depth + 1, (value << 1) | 1, out, limit)

    def field_ranges(self, packets: PacketSet, field: str, limit: int = 64) -> tuple[list[PortRange], bool]:
        """The values of `field` in the set as merged inclusive ranges."""
        blocks, truncated = self.field_prefixes(packets, field, limit * 4)
        width = FIELD_WIDTH[field]
        ranges: list[PortRange] = []
        for value, length in blocks:
            low, high = value, value + (1 << (width - length)) - 1
            if ranges and ranges[-1].high + 1 == low:
                ranges[-1] = PortRange(ranges[-1].low, high)
            else:
                ranges.append(PortRange(low, high))
        if len(ranges) > limit:
            return ranges[:limit], True
        return ranges, truncated

    def protocols_in(self, packets: PacketSet) -> list[int]:
        ranges, _ = self.field_ranges(packets, "proto", 256)
        return [proto for r in ranges for proto in range(r.low, r.high + 1)]


def counts_as_match(line: AclLine) -> bool:
    """Whether the engine lets `line` match at all. Permit lines always do (their
    `matches` are a superset when not fully understood). Deny lines that were not
    understood or only approximated are ignored: dropping less can only make more
    packets reachable, so a proof stays a proof."""
    if line.action is Action.PERMIT:
        return True
    return line.understood and not line.approximation


def acl_key(acl: Acl) -> tuple[Any, ...]:
    return tuple((line.action, line.matches, counts_as_match(line)) for line in acl.lines)


# marshal's version 2 writes no back-references: from version 3 on, an object referenced twice
# is written once and then pointed to, so the bytes would depend on which equal objects the
# parser (or the parse cache's decoder) happened to share.
_MARSHAL_VERSION = 2


def line_form(line: AclLine) -> bytes:
    """The line's action and every field of its matches as bytes: plain values (str, int,
    bool, None, tuples) written by `marshal`, which reads them back, so two lines get the same
    form exactly when those values are equal, and whose records are self-delimiting. Three
    times faster than the dataclasses' repr, which was most of a run after a small edit
    (103,000 lines of long ACLs on the 1,000-device city). The source, sequence number and
    exactness are not in it (a caller adds the flag it needs, see `PacketSpace.lines_digest`);
    tests/test_acl_keys.py fails when a field of the match classes is not written."""
    return marshal.dumps((line.action.value, tuple([_match_form(match) for match in line.matches])), _MARSHAL_VERSION)


def _match_form(match: Match) -> tuple[Any, ...]:
    return (
        match.protocols,
        _wildcards_form(match.src),
        _wildcards_form(match.dst),
        _ports_form(match.src_ports),
        _ports_form(match.dst_ports),
        match.established,
        _icmp_form(match.icmp),
    )


def _wildcards_form(wildcards: tuple[Wildcard, ...] | None) -> tuple[tuple[int, int], ...] | None:
    return None if wildcards is None else tuple([(item.address, item.wildcard) for item in wildcards])


def _ports_form(ports: tuple[PortRange, ...] | None) -> tuple[tuple[int, int], ...] | None:
    return None if ports is None else tuple([(item.low, item.high) for item in ports])


def _icmp_form(icmp: tuple[IcmpMatch, ...] | None) -> tuple[tuple[int, int | None], ...] | None:
    return None if icmp is None else tuple([(item.icmp_type, item.code) for item in icmp])


def range_to_prefixes(low: int, high: int, width: int) -> Iterator[tuple[int, int]]:
    """Cover [low, high] exactly with aligned power-of-two blocks (value, prefix length)."""
    maximum = (1 << width) - 1
    low = max(low, 0)
    high = min(high, maximum)
    while low <= high:
        size = low & -low if low else 1 << width
        while size > high - low + 1:
            size >>= 1
        length = width - size.bit_length() + 1
        yield low, length
        low += size


def wildcard_from_prefix(network: int, length: int) -> Wildcard:
    return Wildcard.prefix(network, length)


__all__ = [
    "FIELD_WIDTHS",
    "IPV4_MAX",
    "PORT_MAX",
    "STORE_BACKENDS",
    "Packet",
    "PacketSet",
    "PacketSpace",
    "counts_as_match",
    "protocol_name",
    "range_to_prefixes",
]
