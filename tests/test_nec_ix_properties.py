"""Property: the IX filter semantics as parsed agree with an evaluator written here from the
IX rules alone. Random access lists and `ip filter NAME SEQ in|out` bindings are written as
config *text*, parsed, and for random packets the model's decision (the test oracle's
interface filter) equals this file's reading: the bound filters in SEQ order, each list's
entries in file order, the first matching entry decides, nothing matching is dropped when
a filter is bound, and with no filter bound everything passes."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import filter_permits

from nankoku_netcheck.model import UnknownKind, ip_to_int
from nankoku_netcheck.vendors.nec_ix.parser import parse

PREFIXES = ("any", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3", "10.2.0.0/16", "0.0.0.0/0")
PROTOCOLS = {"ip": None, "tcp": 6, "udp": 17, "icmp": 1, "50": 50}
PORTS = (0, 22, 80, 443, 1023, 1024, 65535)


@dataclass(frozen=True)
class Entry:
    action: str
    protocol: str
    src: str
    dst: str
    sport: tuple[str, ...]
    dport: tuple[str, ...]

    def text(self, name: str) -> str:
        words = ["ip access-list", name, self.action, self.protocol, "src", self.src]
        if self.sport:
            words += ["sport", *self.sport]
        words += ["dest", self.dst]
        if self.dport:
            words += ["dport", *self.dport]
        return " ".join(words)


@dataclass
class Probe:
    """A packet as the oracle reads one (its PacketLike protocol)."""

    src: int
    dst: int
    proto: int
    sport: int
    dport: int
    established: bool = False
    icmp_type: int = 0
    icmp_code: int = 0


def port_spec() -> st.SearchStrategy[tuple[str, ...]]:
    port = st.sampled_from(PORTS).map(str)
    return st.one_of(
        st.just(()),
        st.just(("any",)),
        st.tuples(st.sampled_from(["eq", "gt", "lt", "ne"]), port),
        st.tuples(st.just("range"), port, port).map(lambda t: ("range", *sorted(t[1:], key=int))),
    )


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    protocol = draw(st.sampled_from(sorted(PROTOCOLS)))
    with_ports = protocol in ("tcp", "udp")
    return Entry(
        draw(st.sampled_from(["permit", "deny"])),
        protocol,
        draw(st.sampled_from(PREFIXES)),
        draw(st.sampled_from(PREFIXES)),
        draw(port_spec()) if with_ports else (),
        draw(port_spec()) if with_ports else (),
    )


def address_hits(spec: str, address: int) -> bool:
    if spec == "any":
        return True
    text, _, length_text = spec.partition("/")
    length = int(length_text) if length_text else 32
    shift = 32 - length
    return (address >> shift) == (ip_to_int(text) >> shift) if length else True


def port_hits(spec: tuple[str, ...], port: int) -> bool:
    if not spec or spec == ("any",):
        return True
    operator, value = spec[0], int(spec[1])
    if operator == "eq":
        return port == value
    if operator == "gt":
        return port > value
    if operator == "lt":
        return port < value
    if operator == "ne":
        return port != value
    return value <= port <= int(spec[2])


def entry_hits(entry: Entry, packet: Probe) -> bool:
    protocol = PROTOCOLS[entry.protocol]
    return (
        (protocol is None or packet.proto == protocol)
        and address_hits(entry.src, packet.src)
        and address_hits(entry.dst, packet.dst)
        and port_hits(entry.sport, packet.sport)
        and port_hits(entry.dport, packet.dport)
    )


def ix_permits(lists: dict[str, list[Entry]], bindings: list[tuple[str, int]], packet: Probe) -> bool:
    if not bindings:
        return True
    for name, _ in sorted(bindings, key=lambda binding: binding[1]):
        for entry in lists[name]:
            if entry_hits(entry, packet):
                return entry.action == "permit"
    return False


ADDRESSES = st.sampled_from(["10.1.2.3", "10.1.2.4", "10.1.9.9", "10.2.0.1", "192.0.2.1"]).map(ip_to_int)
packets = st.builds(
    Probe,
    src=ADDRESSES,
    dst=ADDRESSES,
    proto=st.sampled_from([6, 17, 1, 50, 47]),
    sport=st.sampled_from([*PORTS, 81, 5000]),
    dport=st.sampled_from([*PORTS, 81, 5000]),
)


@settings(max_examples=150, deadline=None)
@given(
    lists=st.dictionaries(st.sampled_from(["a", "b", "c"]), st.lists(entries(), min_size=1, max_size=4), max_size=3),
    sequences=st.lists(st.integers(1, 60), unique=True, max_size=3),
    direction=st.sampled_from(["in", "out"]),
    probes=st.lists(packets, min_size=1, max_size=20),
)
def test_parsed_ix_filters_decide_as_the_ix_does(
    lists: dict[str, list[Entry]], sequences: list[int], direction: str, probes: list[Probe]
) -> None:
    names = sorted(lists)
    bindings = [(names[index % len(names)], sequence) for index, sequence in enumerate(sequences)] if names else []
    text = "".join(entry.text(name) + "\n" for name in names for entry in lists[name])
    text += "interface GigaEthernet0.0\n  ip address 10.9.0.1/30\n"
    text += "".join(f"  ip filter {name} {sequence} {direction}\n" for name, sequence in bindings)
    device = parse(text, "ix.cfg")
    assert not [unknown for unknown in device.unknown_lines if unknown.kind is UnknownKind.FORWARDING], text
    interface = device.interfaces["GigaEthernet0.0"]
    bound = interface.acl_in if direction == "in" else interface.acl_out
    for packet in probes:
        assert filter_permits(device, bound, packet) == ix_permits(lists, bindings, packet), (text, packet)


def ix_permits_with_dynamic(
    lists: dict[str, list[Entry]], triggers: dict[str, str], bindings: list[tuple[str, int]], packet: Probe
) -> bool:
    """The model's reading of dynamic lists (acls.py): a dynamic list passes what its
    trigger list permits and lets everything else go on to the next filter (its trigger's
    deny entries decide nothing); a static list decides as on the IX."""
    if not bindings:
        return True
    for name, _ in sorted(bindings, key=lambda binding: binding[1]):
        if name in triggers:
            if any(entry.action == "permit" and entry_hits(entry, packet) for entry in lists[triggers[name]]):
                return True
            continue
        for entry in lists[name]:
            if entry_hits(entry, packet):
                return entry.action == "permit"
    return False


@settings(max_examples=100, deadline=None)
@given(
    lists=st.dictionaries(st.sampled_from(["a", "b", "c"]), st.lists(entries(), min_size=1, max_size=4), min_size=1),
    dynamic_of=st.dictionaries(st.sampled_from(["dyn1", "dyn2"]), st.sampled_from(["a", "b", "c"]), max_size=2),
    sequences=st.lists(st.integers(1, 60), unique=True, min_size=1, max_size=4),
    direction=st.sampled_from(["in", "out"]),
    probes=st.lists(packets, min_size=1, max_size=20),
)
def test_a_dynamic_list_passes_its_triggers_permits_in_its_place(
    lists: dict[str, list[Entry]],
    dynamic_of: dict[str, str],
    sequences: list[int],
    direction: str,
    probes: list[Probe],
) -> None:
    triggers = {name: trigger for name, trigger in dynamic_of.items() if trigger in lists}
    names = sorted(lists) + sorted(triggers)
    bindings = [(names[index % len(names)], sequence) for index, sequence in enumerate(sequences)]
    text = "".join(entry.text(name) + "\n" for name in sorted(lists) for entry in lists[name])
    text += "".join(f"ip access-list dynamic {name} access {trigger}\n" for name, trigger in sorted(triggers.items()))
    text += "interface GigaEthernet0.0\n  ip address 10.9.0.1/30\n"
    text += "".join(f"  ip filter {name} {sequence} {direction}\n" for name, sequence in bindings)
    device = parse(text, "ix.cfg")
    assert device.stateful is any(name in triggers for name, _ in bindings), text
    interface = device.interfaces["GigaEthernet0.0"]
    bound = interface.acl_in if direction == "in" else interface.acl_out
    for packet in probes:
        assert filter_permits(device, bound, packet) == ix_permits_with_dynamic(lists, triggers, bindings, packet), (
            text,
            packet,
        )
