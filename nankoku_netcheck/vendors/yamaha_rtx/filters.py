"""YAMAHA RTX IP filters: `ip filter N ACTION SRC [DST [PROTO [SPORT [DPORT]]]]`, dynamic
filters, and the interface lists that bind them (`ip IF secure filter in|out N ... [dynamic D ...]`).

How the RTX semantics map onto reach/filters.py:
- A bound list is an interface ACL (`acl_in`/`acl_out`) whose lines are the listed static
  filters in list order: first match decides, and a packet no filter matches is rejected
  (the RTX discards it once a list is set: the engine's implicit deny of a list with entries).
  A list naming only undefined filter numbers has no entries and permits everything: the
  manuals do not say what the router does then, and permitting gives more reachability.
- `pass`/`pass-log`/`pass-nolog` permit, `reject*` deny. `restrict*` passes while the line
  is connected and discards otherwise: it is a permit (a connected line is the case with
  more reachability), marked as an approximation.
- The RTX is not modelled as a stateful device (its static filters see every packet).
  A dynamic filter `D` listed after `dynamic` on a list of direction X permits the packets
  that open its sessions: its condition becomes a permit line placed before the static
  filters of that list (the manuals describe the dynamic check together with the static
  one; placing it first is the reading with more reachability). The replies of those
  sessions come back through the same interface in the other direction: the reversed
  condition (addresses and ports swapped) becomes a leading permit line of that
  direction's list too, when there is one. That over-approximates the router's session
  table (any packet that looks like a reply passes, not only replies of open sessions).
  A reply may also cross another interface on its way (it comes back in on the interface
  the session left by and goes out by the one it came from); the session table lets it
  through there too, whatever that interface's static filters say. So the reversed
  condition also leads every list bound on the device's other interfaces (the manuals do
  not say which interfaces' lists the state table bypasses: every one is the reading with
  more reachability).
- `established` matches TCP with ACK; the model's `established` is ACK or RST, a superset:
  exact enough for pass lines, and a reject line with it cannot be expressed. TCP flag
  keywords (`tcpsyn`, `tcpfin`, `tcprst`, `tcpflag=`), `icmp-error`/`icmp-info`, ICMP type
  or code lists, and ports with a protocol of `*` (they only constrain TCP and UDP) cannot
  be expressed either: the match keeps what it can (the protocol without the flags, ...),
  which matches more. A pass line keeps that wider match as an `approximation`; a reject
  line is not understood (the engine ignores it, never dropping what the router passes)
  and is a META-001 line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nankoku_netcheck.model import IPV4_MAX, AclLine, Action, IcmpMatch, Match, PortRange, Source, Wildcard
from nankoku_netcheck.vendors.common import NotUnderstood, ipv4, number, range_to_wildcards

TCP, UDP, ICMP = 6, 17, 1

PROTOCOLS: Mapping[str, int] = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "gre": 47, "esp": 50, "ah": 51, "ipip": 4}

# Port names the RTX accepts in filters (Command Reference, "ip filter").
PORT_NAMES: Mapping[str, int] = {
    "ftp": 21,
    "ftpdata": 20,
    "telnet": 23,
    "smtp": 25,
    "domain": 53,
    "gopher": 70,
    "finger": 79,
    "www": 80,
    "pop3": 110,
    "sunrpc": 111,
    "ident": 113,
    "ntp": 123,
    "nntp": 119,
    "snmp": 161,
    "syslog": 514,
    "printer": 515,
    "talk": 517,
    "route": 520,
    "uucp": 540,
    "submission": 587,
    "https": 443,
    "ssh": 22,
    "bootps": 67,
    "bootpc": 68,
    "tftp": 69,
    "netbios_ns": 137,
    "netbios_dgm": 138,
    "netbios_ssn": 139,
    "snmptrap": 162,
    "bgp": 179,
    "ike": 500,
    "exec": 512,
    "login": 513,
    "shell": 514,
    "who": 513,
    "nfs": 2049,
    "pptp": 1723,
    "l2tp": 1701,
    "sip": 5060,
    "dhcps": 67,
    "dhcpc": 68,
}

_PERMIT = {"pass": "", "pass-log": "", "pass-nolog": ""}
_DENY = {"reject", "reject-log", "reject-nolog"}
_RESTRICT = {"restrict", "restrict-log", "restrict-nolog"}
RESTRICT_NOTE = "restrict: passes while the line is connected (read as always connected)"


@dataclass(frozen=True)
class StaticFilter:
    """One `ip filter N` line, as the AclLine it becomes in every list that names it."""

    number: int
    line: AclLine


@dataclass(frozen=True)
class DynamicFilter:
    """One `ip filter dynamic N` line: the packets that open its sessions (`opens`)."""

    number: int
    opens: tuple[Match, ...]
    source: Source
    understood: bool = True
    approximation: str = ""


def addresses(word: str) -> tuple[Wildcard, ...] | None:
    """`*`, an address, `a.b.c.*`, `a-b`, `a/len`, `a/mask`, or a comma list of them."""
    if word == "*":
        return None
    found: list[Wildcard] = []
    for part in word.split(","):
        found.extend(_address_part(part))
    if any(item.wildcard == IPV4_MAX for item in found):
        return None
    return tuple(dict.fromkeys(found))


def _address_part(part: str) -> list[Wildcard]:
    if part == "*":
        return [Wildcard(0, IPV4_MAX)]
    if "-" in part:
        first, _, last = part.partition("-")
        low, high = ipv4(first), ipv4(last)
        if low > high:
            raise NotUnderstood(f"empty address range '{part}'")
        return range_to_wildcards(low, high)
    if "/" in part:
        address_text, _, mask_text = part.partition("/")
        if "." in mask_text:
            mask = ipv4(mask_text)
        else:
            length = number(mask_text, 0, 32, "prefix length")
            mask = (IPV4_MAX << (32 - length)) & IPV4_MAX
        return [Wildcard(ipv4(address_text) & mask, ~mask & IPV4_MAX)]
    octets = part.split(".")
    if len(octets) == 4 and "*" in octets:
        # `192.168.1.*`: every octet written as `*` is free.
        wildcard = 0
        fixed = []
        for position, octet in enumerate(octets):
            if octet == "*":
                wildcard |= 0xFF << (8 * (3 - position))
                fixed.append("0")
            else:
                fixed.append(octet)
        return [Wildcard(ipv4(".".join(fixed)) & ~wildcard & IPV4_MAX, wildcard)]
    return [Wildcard(ipv4(part), 0)]


def ports(word: str) -> tuple[PortRange, ...] | None:
    """`*`, a port, a name, `a-b`, `a-`, `-b`, or a comma list of them."""
    if word == "*":
        return None
    found: list[PortRange] = []
    for part in word.split(","):
        if "-" in part:
            low_text, _, high_text = part.partition("-")
            low = _port(low_text) if low_text else 0
            high = _port(high_text) if high_text else 65535
            if low > high:
                raise NotUnderstood(f"empty port range '{part}'")
            found.append(PortRange(low, high))
        else:
            port = _port(part)
            found.append(PortRange(port, port))
    if any(item.low == 0 and item.high == 65535 for item in found):
        return None
    return tuple(dict.fromkeys(found))


def _port(word: str) -> int:
    lowered = word.lower()
    if lowered in PORT_NAMES:
        return PORT_NAMES[lowered]
    return number(word, 0, 65535, "port")


@dataclass(frozen=True)
class _Protocols:
    numbers: tuple[int, ...] | None
    established: bool = False
    # Why the line cannot be expressed exactly (the match is then an over-approximation).
    inexact: str = ""


def protocols(word: str) -> _Protocols:
    if word == "*":
        return _Protocols(None)
    numbers: list[int] = []
    established = False
    inexact = ""
    for part in word.lower().split(","):
        if part == "established":
            established = True
            numbers.append(TCP)
        elif part in {"tcpsyn", "tcpfin", "tcprst"} or part.startswith("tcpflag"):
            inexact = inexact or f"TCP flag condition '{part}'"
            numbers.append(TCP)
        elif part in {"icmp-error", "icmp-info"}:
            inexact = inexact or f"ICMP class '{part}'"
            numbers.append(ICMP)
        elif part in PROTOCOLS:
            numbers.append(PROTOCOLS[part])
        else:
            numbers.append(number(part, 0, 255, "protocol"))
    parts = word.lower().split(",")
    if established and any(part != "established" for part in parts):
        # `established` among other protocols: the list is their union, TCP-with-ACK included.
        established = False
        if any(part not in {"established", "tcp"} for part in parts):
            inexact = inexact or "'established' in a protocol list"
    return _Protocols(tuple(dict.fromkeys(numbers)), established, inexact)


def read_static(words: Sequence[str], source: Source) -> StaticFilter:
    """`ip filter N ACTION SRC [DST [PROTO [SPORT [DPORT]]]]` (the words after `ip filter`)."""
    if len(words) < 3 or len(words) > 7:
        raise NotUnderstood("expected 'ip filter N ACTION SRC [DST [PROTO [SPORT [DPORT]]]]'")
    filter_number = number(words[0], 1, 2147483647, "filter number")
    action_word = words[1].lower()
    approximation = ""
    if action_word in _PERMIT:
        action = Action.PERMIT
    elif action_word in _DENY:
        action = Action.DENY
    elif action_word in _RESTRICT:
        action = Action.PERMIT
        approximation = RESTRICT_NOTE
    else:
        raise NotUnderstood(f"unknown filter action '{words[1]}'")
    fields = [*words[2:], "*", "*", "*", "*"][:5]
    match, inexact = _match(fields)
    if action is Action.DENY and match.established and not inexact:
        inexact = "reject with 'established' (the model's established also holds RST-only packets)"
    if not inexact:
        line = AclLine(action, (match,), source, filter_number, True, approximation)
    elif action is Action.PERMIT:
        # The match drops the condition it cannot express: it matches more, as a pass line may.
        note = "; ".join(part for part in (approximation, f"{inexact} read as matching more") if part)
        line = AclLine(action, (match,), source, filter_number, True, note)
    else:
        line = AclLine(action, (match,), source, filter_number, False, inexact)
    return StaticFilter(filter_number, line)


def _match(fields: Sequence[str]) -> tuple[Match, str]:
    """The match of SRC DST PROTO SPORT DPORT, and why it is inexact ("" when exact)."""
    src, dst = addresses(fields[0]), addresses(fields[1])
    proto = protocols(fields[2])
    inexact = proto.inexact
    src_ports: tuple[PortRange, ...] | None = None
    dst_ports: tuple[PortRange, ...] | None = None
    icmp: tuple[IcmpMatch, ...] | None = None
    if proto.numbers == (ICMP,):
        icmp, icmp_inexact = _icmp(fields[3], fields[4])
        inexact = inexact or icmp_inexact
    elif proto.numbers is not None and set(proto.numbers) <= {TCP, UDP}:
        src_ports, dst_ports = ports(fields[3]), ports(fields[4])
    elif fields[3] != "*" or fields[4] != "*":
        ports(fields[3]), ports(fields[4])
        inexact = inexact or "ports with protocols other than only tcp/udp"
    established = proto.established and not inexact
    match = Match(proto.numbers, src, dst, src_ports, dst_ports, established, icmp)
    return match, inexact


def _icmp(type_word: str, code_word: str) -> tuple[tuple[IcmpMatch, ...] | None, str]:
    """ICMP filters carry the type in the source-port field and the code in the destination-port field."""
    if type_word == "*":
        return None, "" if code_word == "*" else "ICMP code without a type"
    if "," in type_word or "-" in type_word:
        return None, f"ICMP type list '{type_word}'"
    icmp_type = number(type_word, 0, 255, "ICMP type")
    if code_word == "*":
        return (IcmpMatch(icmp_type),), ""
    if "," in code_word or "-" in code_word:
        return (IcmpMatch(icmp_type),), f"ICMP code list '{code_word}'"
    return (IcmpMatch(icmp_type, number(code_word, 0, 255, "ICMP code")),), ""


# Dynamic-filter protocol keywords: the packets that open a session. Application helpers
# that open further connections (ftp data, tftp, ...) are read as any port of their transport.
_DYNAMIC_APPS: Mapping[str, tuple[int, int | None]] = {
    "tcp": (TCP, None),
    "udp": (UDP, None),
    "ftp": (TCP, None),
    "tftp": (UDP, None),
    "www": (TCP, 80),
    "https": (TCP, 443),
    "smtp": (TCP, 25),
    "submission": (TCP, 587),
    "pop3": (TCP, 110),
    "telnet": (TCP, 23),
    "ssh": (TCP, 22),
    "domain": (UDP, 53),
    "ntp": (UDP, 123),
    "snmp": (UDP, 161),
    "netmeeting": (TCP, None),
    "sip": (UDP, None),
}


def read_dynamic(words: Sequence[str], source: Source, statics: Mapping[int, StaticFilter]) -> DynamicFilter:
    """`ip filter dynamic N SRC DST PROTO [options]` or `... filter F [in F...] [out F...]`
    (the words after `ip filter dynamic`)."""
    if len(words) < 4:
        raise NotUnderstood("expected 'ip filter dynamic N SRC DST PROTOCOL'")
    filter_number = number(words[0], 1, 2147483647, "filter number")
    src, dst = addresses(words[1]), addresses(words[2])
    keyword = words[3].lower()
    if keyword == "filter":
        return _dynamic_by_filters(filter_number, words[4:], source, statics)
    if keyword == "*":
        return DynamicFilter(filter_number, (Match(None, src, dst),), source)
    if keyword in _DYNAMIC_APPS:
        protocol, port = _DYNAMIC_APPS[keyword]
        dst_ports = None if port is None else (PortRange(port, port),)
        opens = (Match((protocol,), src, dst, None, dst_ports),)
        # Options after the protocol (timers, syslog) do not change which packets pass.
        return DynamicFilter(filter_number, opens, source)
    return DynamicFilter(
        filter_number,
        (Match(None, src, dst),),
        source,
        understood=False,
        approximation=f"dynamic filter protocol '{words[3]}' read as any protocol",
    )


def _dynamic_by_filters(
    filter_number: int, words: Sequence[str], source: Source, statics: Mapping[int, StaticFilter]
) -> DynamicFilter:
    """`filter F [in F ...] [out F ...]`: the trigger filters' conditions open the sessions."""
    triggers: list[int] = []
    for word in words:
        if word.lower() in {"in", "out"}:
            break
        triggers.append(number(word, 1, 2147483647, "filter number"))
    matches: list[Match] = []
    understood = True
    for trigger in triggers:
        found = statics.get(trigger)
        if found is None:
            understood = False
            continue
        matches.extend(found.line.matches)
        understood = understood and found.line.understood
    if not understood or not matches:
        return DynamicFilter(
            filter_number, (Match(),), source, False, "trigger filter not defined before this line: read as any packet"
        )
    return DynamicFilter(filter_number, tuple(matches), source)


def reversed_match(match: Match) -> Match:
    """The replies of a session opened by `match`: addresses and ports swapped."""
    return Match(match.protocols, match.dst, match.src, match.dst_ports, match.src_ports, False, None)


@dataclass(frozen=True)
class Binding:
    """One `ip IF secure filter DIRECTION N ... [dynamic D ...]` line."""

    interface: str
    direction: str  # in | out
    statics: tuple[int, ...]
    dynamics: tuple[int, ...]
    source: Source


def read_binding(interface: str, words: Sequence[str], source: Source) -> Binding:
    """The words after `secure filter`: `in|out N ... [dynamic D ...]`."""
    if not words or words[0].lower() not in {"in", "out"}:
        raise NotUnderstood("expected 'secure filter in|out N ...'")
    statics: list[int] = []
    dynamics: list[int] = []
    target = statics
    for word in words[1:]:
        if word.lower() == "dynamic":
            target = dynamics
            continue
        target.append(number(word, 1, 2147483647, "filter number"))
    return Binding(interface, words[0].lower(), tuple(statics), tuple(dynamics), source)


def acl_lines(
    binding: Binding,
    opposite: Binding | None,
    statics: Mapping[int, StaticFilter],
    dynamics: Mapping[int, DynamicFilter],
    elsewhere: Sequence[Binding] = (),
) -> tuple[AclLine, ...]:
    """The lines of the list `binding` makes: its dynamic filters' openers, the replies of
    the opposite direction's dynamic filters and of those bound on other interfaces
    (`elsewhere`), then its static filters in list order."""
    lines: list[AclLine] = []
    for dynamic_number in binding.dynamics:
        dynamic = dynamics.get(dynamic_number)
        if dynamic is not None:
            lines.append(_dynamic_line(dynamic, dynamic.opens, "dynamic filter"))
    replied: set[int] = set()
    for other in (opposite, *elsewhere):
        if other is None:
            continue
        for dynamic_number in other.dynamics:
            dynamic = dynamics.get(dynamic_number)
            if dynamic is not None and dynamic_number not in replied:
                replied.add(dynamic_number)
                replies = tuple(reversed_match(match) for match in dynamic.opens)
                lines.append(_dynamic_line(dynamic, replies, "replies of dynamic filter"))
    for static_number in binding.statics:
        found = statics.get(static_number)
        if found is not None:
            lines.append(found.line)
    return tuple(lines)


def _dynamic_line(dynamic: DynamicFilter, matches: tuple[Match, ...], what: str) -> AclLine:
    note = f"{what} {dynamic.number} (session state read as stateless permits)"
    if dynamic.approximation:
        note = f"{note}; {dynamic.approximation}"
    return AclLine(Action.PERMIT, matches, dynamic.source, dynamic.number, dynamic.understood, note)
