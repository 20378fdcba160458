"""YAMAHA RTX NAT descriptors as NatRule header rewrites.

Read: `nat descriptor type N none|nat|masquerade|nat-masquerade`, `nat descriptor address
outer N ipcp|primary|secondary|A|A-B`, `nat descriptor address inner N auto|A|A-B ...`,
`nat descriptor masquerade static N ID INNER PROTO [OUTER_PORT=]INNER_PORT`, `nat descriptor
static N ID OUTER=INNER [COUNT]`, `nat descriptor masquerade incoming N ACTION`, and the
binding `ip IF nat descriptor N ...`.

Order (as the engine applies ASA NAT): arriving on the interface, the destination is
un-translated before the interface's `secure filter in`; leaving, the `secure filter out`
sees the inner source and the source is translated after it. Filters on the interface thus
see inner addresses both ways, which is the RTX's order too (routing → filter → NAT on the
way out, NAT → filter → routing on the way in).

Mapping, each choice toward more reachability:
- masquerade / nat / nat-masquerade → a dynamic rule from any interface to the bound one:
  the inner addresses (`auto`: any) leave with an outer address (`ipcp`/`primary`/
  `secondary`/nothing: the interface's own address; a range: that pool);
- a static masquerade (port forwarding) → a static rule from the outer address to the inner
  host; the engine un-translates every port of the outer address (the rule's ports are kept
  for the report, `approximation` says so). The outer address must be known: an address
  written on `address outer`, or `primary` with an address on the interface. Port forwards
  on a negotiated address (`ipcp`, DHCP), or to several inner hosts on one outer address,
  cannot be expressed without losing reachability: those lines are META-001;
- `nat descriptor static` of one address → a static one-to-one rule; a COUNT above 1 is
  META-001;
- packets arriving on the outer side that no session or static entry covers are discarded
  by the router (`masquerade incoming` reject, the default); the engine forwards those
  addressed to inner hosts anyway (wider). `incoming ... through` is what the engine does;
  `incoming N HOST` forwards everything else to HOST, which is META-001.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from nankoku_netcheck.model import PROTO_TCP, PROTO_UDP, Interface, NatRule, PortRange, Source, Wildcard
from nankoku_netcheck.vendors.common import NotUnderstood, ipv4, number, range_to_wildcards
from nankoku_netcheck.vendors.yamaha_rtx.filters import PORT_NAMES, PROTOCOLS

_TYPES = {"none", "nat", "masquerade", "nat-masquerade"}
ALL_PORTS = "every port of the outer address is un-translated to the inner host (the engine does not match ports)"


@dataclass(frozen=True)
class _Forward:
    inner: int
    protocol: int | None
    outer_port: PortRange | None
    inner_port: PortRange | None
    source: Source


@dataclass
class _Descriptor:
    kind: str = "none"
    outer: tuple[str, ...] = ()
    outer_source: Source | None = None
    inner: tuple[str, ...] = ()
    forwards: list[_Forward] = field(default_factory=list)
    statics: list[tuple[int, int, Source]] = field(default_factory=list)


@dataclass(frozen=True)
class _Binding:
    interface: str
    descriptors: tuple[int, ...]
    source: Source


@dataclass
class NatBook:
    """The NAT lines of one config, turned into rules once the interfaces are known."""

    descriptors: dict[int, _Descriptor] = field(default_factory=dict)
    bindings: list[_Binding] = field(default_factory=list)

    def read(self, words: Sequence[str], source: Source) -> str | None:
        """One `nat descriptor ...` line (the words after `nat descriptor`); returns why a
        line that is read changes nothing the engine models (a HARMLESS note), else None."""
        lowered = [word.lower() for word in words]
        if len(lowered) >= 3 and lowered[0] == "type":
            if lowered[2] not in _TYPES:
                raise NotUnderstood(f"NAT type '{words[2]}'")
            self._get(lowered[1]).kind = lowered[2]
        elif len(lowered) >= 4 and lowered[:2] == ["address", "outer"]:
            descriptor = self._get(lowered[2])
            descriptor.outer, descriptor.outer_source = tuple(lowered[3:]), source
        elif len(lowered) >= 4 and lowered[:2] == ["address", "inner"]:
            self._get(lowered[2]).inner = tuple(lowered[3:])
        elif len(lowered) >= 5 and lowered[:2] == ["masquerade", "static"]:
            self._get(lowered[2]).forwards.append(_forward(lowered[4:], source))
        elif len(lowered) >= 4 and lowered[0] == "static":
            self._static(lowered, source)
        elif len(lowered) >= 4 and lowered[:2] == ["masquerade", "incoming"]:
            if lowered[3] in {"reject", "discard", "through"}:
                return "packets no session covers: the engine forwards them (wider)"
            raise NotUnderstood("'masquerade incoming' to a host forwards every unmatched packet to it")
        elif lowered[:1] in (["timer"], ["log"], ["masquerade"], ["ftp"], ["sip"], ["backward-compatibility"]):
            return "NAT setting that does not change which packets are translated"
        else:
            raise NotUnderstood(f"NAT command 'nat descriptor {' '.join(words[:2])}'")
        return None

    def _get(self, word: str) -> _Descriptor:
        return self.descriptors.setdefault(number(word, 1, 2147483647, "NAT descriptor"), _Descriptor())

    def _static(self, lowered: list[str], source: Source) -> None:
        outer_text, separator, inner_text = lowered[3].partition("=")
        if not separator:
            raise NotUnderstood("expected OUTER=INNER")
        if len(lowered) > 4 and lowered[4] != "1":
            raise NotUnderstood("a static NAT block of several addresses is not modelled")
        self._get(lowered[1]).statics.append((ipv4(outer_text), ipv4(inner_text), source))

    def bind(self, interface: str, words: Sequence[str], source: Source) -> None:
        """`ip IF nat descriptor N [N ...]` (the words after `nat descriptor`)."""
        if any(word.lower() == "reverse" for word in words):
            raise NotUnderstood("'reverse' NAT descriptors are not modelled")
        numbers = tuple(number(word, 1, 2147483647, "NAT descriptor") for word in words)
        if not numbers:
            raise NotUnderstood("no NAT descriptor number")
        self.bindings.append(_Binding(interface, numbers, source))

    def rules(self, interfaces: Mapping[str, Interface]) -> tuple[list[NatRule], list[tuple[Source, str]]]:
        """The rules of every binding, and the lines that cannot be expressed (META-001)."""
        rules: list[NatRule] = []
        problems: list[tuple[Source, str]] = []
        for binding in self.bindings:
            interface = interfaces.get(binding.interface)
            for descriptor_number in binding.descriptors:
                descriptor = self.descriptors.get(descriptor_number)
                if descriptor is None or descriptor.kind == "none" or interface is None:
                    continue
                _descriptor_rules(descriptor, interface, binding, rules, problems)
        # A descriptor bound on several interfaces reports each of its lines once.
        return rules, list(dict.fromkeys(problems))


def _forward(words: Sequence[str], source: Source) -> _Forward:
    """INNER PROTO [OUTER_PORT=]INNER_PORT (after `masquerade static N ID`)."""
    inner = ipv4(words[0])
    if len(words) < 2:
        raise NotUnderstood("no protocol")
    protocol = PROTOCOLS.get(words[1], None) if not words[1].isdigit() else number(words[1], 0, 255, "protocol")
    if protocol is None:
        raise NotUnderstood(f"protocol '{words[1]}'")
    if protocol not in (PROTO_TCP, PROTO_UDP):
        return _Forward(inner, protocol, None, None, source)
    if len(words) < 3:
        raise NotUnderstood("no port")
    outer_text, separator, inner_text = words[2].partition("=")
    outer_port = _port_range(outer_text)
    inner_port = _port_range(inner_text) if separator else outer_port
    return _Forward(inner, protocol, outer_port, inner_port, source)


def _port_range(text: str) -> PortRange:
    low_text, _, high_text = text.partition("-")
    low = PORT_NAMES.get(low_text) or number(low_text, 0, 65535, "port")
    high = (PORT_NAMES.get(high_text) or number(high_text, 0, 65535, "port")) if high_text else low
    return PortRange(low, high)


def _addresses(words: Sequence[str]) -> tuple[tuple[int, int], ...] | None:
    """`auto`/nothing: None (any); else addresses and `A-B` ranges as prefixes."""
    if not words or words[0] == "auto":
        return None
    found: list[Wildcard] = []
    for word in words:
        first, _, last = word.partition("-")
        found.extend(range_to_wildcards(ipv4(first), ipv4(last or first)))
    return tuple((item.address, 32 - item.wildcard.bit_length()) for item in found)


def _descriptor_rules(
    descriptor: _Descriptor,
    interface: Interface,
    binding: _Binding,
    rules: list[NatRule],
    problems: list[tuple[Source, str]],
) -> None:
    outer_words = descriptor.outer
    on_interface = not outer_words or outer_words[0] in {"ipcp", "primary", "secondary"}
    try:
        outer = None if on_interface else _addresses(outer_words)
        inner = _addresses(descriptor.inner)
    except NotUnderstood as problem:
        problems.append((descriptor.outer_source or binding.source, f"NAT addresses not understood: {problem}"))
        return
    for outer_address, inner_address, source in descriptor.statics:
        rules.append(_static_rule(source, len(rules), interface.name, inner_address, outer_address, None, None, None))
    outer_host = _single_outer(outer, outer_words, interface)
    by_outer_host: dict[int, set[int]] = {}
    for forward in descriptor.forwards:
        by_outer_host.setdefault(outer_host or 0, set()).add(forward.inner)
    for forward in descriptor.forwards:
        if outer_host is None:
            problems.append((forward.source, "port forwarding on an outer address not known from the config"))
        elif len(by_outer_host[outer_host]) > 1:
            problems.append((forward.source, "port forwarding of one outer address to several inner hosts"))
        else:
            rules.append(
                _static_rule(
                    forward.source,
                    len(rules),
                    interface.name,
                    forward.inner,
                    outer_host,
                    forward.protocol,
                    forward.inner_port,
                    forward.outer_port,
                )
            )
    rules.append(
        NatRule(
            source=binding.source,
            section=2,
            order=len(rules),
            kind="dynamic",
            real_interface=None,
            mapped_interface=interface.name,
            real_source=inner,
            mapped_source=outer,
            interface_pat=on_interface,
        )
    )


def _single_outer(
    outer: tuple[tuple[int, int], ...] | None, outer_words: Sequence[str], interface: Interface
) -> int | None:
    """The one outer address port forwards arrive on, when the config says which."""
    if outer is not None:
        return outer[0][0] if len(outer) == 1 and outer[0][1] == 32 else None
    if (not outer_words or outer_words[0] == "primary") and interface.addresses:
        return interface.addresses[0].address
    return None


def _static_rule(
    source: Source,
    order: int,
    interface: str,
    inner: int,
    outer: int,
    protocol: int | None,
    inner_port: PortRange | None,
    outer_port: PortRange | None,
) -> NatRule:
    return NatRule(
        source=source,
        section=1,
        order=order,
        kind="static",
        real_interface=None,
        mapped_interface=interface,
        real_source=((inner, 32),),
        mapped_source=((outer, 32),),
        protocol=protocol,
        real_port=inner_port,
        mapped_port=outer_port,
        approximation=ALL_PORTS if protocol is not None else "",
    )
