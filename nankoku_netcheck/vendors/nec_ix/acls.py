"""NEC UNIVERGE IX access lists and their binding to interfaces.

Syntax (IX2000/IX3000 `show running-config`):
`ip access-list NAME permit|deny PROTO src SRC [sport PORTS] dest DST [dport PORTS]`,
PROTO `ip|tcp|udp|icmp|<0-255>`, SRC/DST `any | A.B.C.D/LEN | A.B.C.D`, PORTS
`any | eq P | range P Q | gt P | lt P | ne P`. Lines with one NAME form one list in file order.

Binding: `ip filter NAME SEQ in|out` inside `interface X`. All filters of one interface and
direction are evaluated in SEQ order as one list, the first matching entry decides, and a
packet no entry matches is dropped once at least one filter is bound in that direction
(implicit deny). That maps onto reach/filters.py exactly by building one Acl per interface
and direction (`ip filter <interface> <in|out>`) whose lines are the named lists' entries
concatenated in SEQ order: an ACL with entries has the implicit deny, none bound permits all.
IX filters also see packets addressed to the router itself (the corpus configs open IKE and
ESP in their `in` filters for that reason), so `to_the_box` stays `ToTheBox.FILTERED`.

Where the documentation available here is not explicit we choose more reachability: a filter
naming an undefined list counts as a permit-any entry (`understood=False`), and an entry
with syntax not understood is a permit over-approximation or an ignored deny (AclLine contract),
each also a META-001 line.

Dynamic filters (the IX's stateful inspection): `ip access-list dynamic NAME access LIST`
bound like any list with `ip filter NAME SEQ in|out`. A packet the trigger list LIST permits
passes at that place of the interface's filters and opens a session; the session's return
packets pass the interface's filters of the other direction before any static entry; a
dynamic list and a static list of one name: the dynamic one is evaluated (so a public IX2215
change procedure describes them, citing NEC's command reference 13-3 and 24-6 and function
manual 2-421 to 2-430; the reference itself was not at hand here). Mapped as:
- the dynamic list's place in the filter holds LIST's permit entries (new connections pass
  exactly where the device lets them pass); LIST's deny entries are kept `understood=False`,
  which the engine ignores: whether a packet they match is dropped or goes on to the next
  filter is not documented, and going on is the wider reading (the `ip access-list dynamic`
  line is META-001 then, saying so);
- return traffic: the device is `stateful` once a dynamic list is bound (reach/filters.py):
  a TCP packet with ACK/RST passes iff its reverse passes as a new connection. That is wider
  than the IX, whose session cache lets replies bypass only the filters of the interface that
  holds the dynamic list, and only for sessions a dynamic list opened; replies of other
  protocols are decided as new connections, as on every stateful device of the model;
- the other forms (`access src ... dest ...` written inline, options after LIST) are not
  established from the documentation available here: META-001, and the list filters as a
  permit-any entry.
`ip inspect` is not an IX command in the documentation available here: a line starting with
it is META-001 (parser.py), since whatever session state it keeps, the model does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from nankoku_netcheck.model import (
    PORT_MAX,
    PROTO_TCP,
    PROTO_UDP,
    Acl,
    AclLine,
    Action,
    Match,
    PortRange,
    Source,
    Wildcard,
    ip_to_int,
    is_decimal,
    prefix_mask,
)

PROTOCOLS: Mapping[str, int] = {"icmp": 1, "tcp": PROTO_TCP, "udp": PROTO_UDP}
IPV4_ANY = 0xFFFFFFFF


class AclSyntaxError(Exception):
    """One access-list entry not understood; the message says what."""


@dataclass(frozen=True)
class FilterBinding:
    """One `ip filter NAME SEQ in|out` line."""

    name: str
    sequence: int
    source: Source


def _address(word: str) -> tuple[Wildcard, ...] | None:
    if word.lower() == "any":
        return None
    text, _, length_text = word.partition("/")
    try:
        address = ip_to_int(text)
    except ValueError:
        raise AclSyntaxError(f"'{word}' is not an address") from None
    length = 32
    if length_text:
        if not is_decimal(length_text) or int(length_text) > 32:
            raise AclSyntaxError(f"bad prefix length in '{word}'")
        length = int(length_text)
    mask = prefix_mask(length)
    return (Wildcard(address & mask, ~mask & IPV4_ANY),)


def _port(word: str) -> int:
    if not is_decimal(word) or int(word) > PORT_MAX:
        raise AclSyntaxError(f"'{word}' is not a port number")
    return int(word)


def _ports(words: list[str]) -> tuple[PortRange, ...] | None:
    """`any`, `eq P`, `range P Q`, `gt P`, `lt P`, `ne P` (taken from the front of `words`)."""
    operator = words.pop(0).lower() if words else ""
    if operator == "any":
        return None
    if operator in ("eq", "gt", "lt", "ne") and words:
        port = _port(words.pop(0))
        if operator == "eq":
            return (PortRange(port, port),)
        if operator == "gt":
            return (PortRange(port + 1, PORT_MAX),) if port < PORT_MAX else ()
        if operator == "lt":
            return (PortRange(0, port - 1),) if port > 0 else ()
        below = (PortRange(0, port - 1),) if port > 0 else ()
        above = (PortRange(port + 1, PORT_MAX),) if port < PORT_MAX else ()
        return below + above
    if operator == "range" and len(words) >= 2:
        low, high = _port(words.pop(0)), _port(words.pop(0))
        if high < low:
            raise AclSyntaxError(f"port range {low}-{high} is empty")
        return (PortRange(low, high),)
    raise AclSyntaxError(f"port operator '{operator}' not understood")


def read_entry(words: Sequence[str]) -> tuple[Action, Match]:
    """`permit|deny PROTO src SRC [sport ..] dest DST [dport ..]` (words after the list name)."""
    rest = [word for word in words]
    if len(rest) < 6:
        raise AclSyntaxError("incomplete access-list entry")
    action_word = rest.pop(0).lower()
    if action_word not in ("permit", "deny"):
        raise AclSyntaxError(f"action '{action_word}' not understood")
    protocol_word = rest.pop(0).lower()
    protocols: tuple[int, ...] | None
    if protocol_word == "ip":
        protocols = None
    elif protocol_word in PROTOCOLS:
        protocols = (PROTOCOLS[protocol_word],)
    elif is_decimal(protocol_word) and int(protocol_word) <= 255:
        protocols = (int(protocol_word),)
    else:
        raise AclSyntaxError(f"protocol '{protocol_word}' not understood")
    if rest.pop(0).lower() != "src":
        raise AclSyntaxError("expected 'src'")
    src = _address(rest.pop(0))
    src_ports: tuple[PortRange, ...] | None = None
    if rest and rest[0].lower() == "sport":
        rest.pop(0)
        src_ports = _ports(rest)
    if not rest or rest.pop(0).lower() != "dest" or not rest:
        raise AclSyntaxError("expected 'dest ADDRESS'")
    dst = _address(rest.pop(0))
    dst_ports: tuple[PortRange, ...] | None = None
    if rest and rest[0].lower() == "dport":
        rest.pop(0)
        dst_ports = _ports(rest)
    if rest:
        raise AclSyntaxError(f"'{' '.join(rest)}' not understood")
    ports_apply = protocols is not None and set(protocols) <= {PROTO_TCP, PROTO_UDP}
    if not ports_apply and (src_ports is not None or dst_ports is not None):
        raise AclSyntaxError("ports given for a protocol without ports")
    action = Action.PERMIT if action_word == "permit" else Action.DENY
    return action, Match(protocols=protocols, src=src, dst=dst, src_ports=src_ports, dst_ports=dst_ports)


def not_understood_line(action_word: str, source: Source) -> AclLine:
    """An entry not understood: a permit that matches everything (a deny the engine ignores)."""
    action = Action.DENY if action_word.lower() == "deny" else Action.PERMIT
    return AclLine(action, (Match(),), source, understood=False)


def bound_acl(
    interface: str,
    direction: str,
    bindings: Sequence[FilterBinding],
    lists: Mapping[str, list[AclLine]],
    dynamic: Mapping[str, str] | None = None,
) -> Acl:
    """The one list the interface applies in `direction`: the bound lists' entries in SEQ
    order. `dynamic`: the trigger list of each dynamic list, by the dynamic list's name."""
    ordered = sorted(bindings, key=lambda binding: binding.sequence)
    lines: list[AclLine] = []
    triggers = dynamic or {}
    for binding in ordered:
        trigger = triggers.get(binding.name)
        entries = lists.get(binding.name) if trigger is None else trigger_lines(lists.get(trigger))
        if entries is None:
            lines.append(AclLine(Action.PERMIT, (Match(),), binding.source, binding.sequence, understood=False))
            continue
        lines.extend(entries)
    return Acl(acl_name(interface, direction), tuple(lines), ordered[0].source)


def trigger_lines(entries: Sequence[AclLine] | None) -> list[AclLine] | None:
    """A dynamic list's entries at its place in a filter: its trigger list's permits, and its
    denies ignored (see the module docstring). None when the trigger list is not defined."""
    if entries is None:
        return None
    return [line if line.action is Action.PERMIT else replace(line, understood=False) for line in entries]


def acl_name(interface: str, direction: str) -> str:
    return f"ip filter {interface} {direction}"
