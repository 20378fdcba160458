"""Which filter decides at an interface: the vendor-neutral semantics both the symbolic
engine and the concrete tracer apply.

Stateless routers (IOS): the interface's inbound and outbound ACLs; no ACL permits all,
an undefined ACL permits all, and so does an applied ACL with no entries (only remarks or
nothing at all): IOS has the implicit deny only once an ACL holds an entry.

An applied ACL with no entries permits everything on the ASA too. Cisco does not document
the case (an ASA refuses an `access-group` naming an ACL that does not exist, but one with
only remarks exists); the choice is the one with more reachability. On an ASA the interface
ACL and the global ACL are evaluated as one list: only when that list has no entry at all
does the filter permit everything.

Stateful firewalls (ASA): an interface forwards only with a `nameif`, and a
management-only interface carries no through traffic. A new connection entering an
interface is decided by the interface's ACL followed by the global ACL (one implicit
deny at the end); with neither, by security levels: to a lower level passes, to a higher
one is dropped. Whether or not an ACL is bound, traffic to an interface of equal level
passes only with `same-security-traffic permit inter-interface`, and traffic leaving by
the interface it came in by only with `intra-interface`. Outbound ACLs apply to new
connections.
A TCP packet with ACK/RST set passes only as the reply of a connection the firewall
would have permitted the other way; anything else with ACK/RST is dropped by the state
check. Traffic to the box (any of the firewall's own addresses, entering an interface
with a `nameif`, management-only included) is not filtered by the interface or global
ACL: on an ASA management access needs no access rule (`ssh`/`telnet`/`http`/`icmp` and
control-plane ACLs decide, which are over-approximated as permitting everything); only
ACK/RST to the box is dropped. Routers (IOS) filter to-the-box traffic with the inbound
ACL like any other packet.
"""

from __future__ import annotations

from ..graph import is_up
from ..model import Acl, Device, Interface, Source

SECURITY_LEVELS = "security-level"


def forwards(device: Device, interface: Interface) -> bool:
    """Whether through traffic may enter or leave by this interface."""
    if not is_up(interface):
        return False
    if device.stateful:
        return interface.nameif is not None and not interface.management_only
    return True


def accepts_to_the_box(device: Device, interface: Interface) -> bool:
    """Whether the interface takes packets at all (to the box, and to forward if `forwards`).
    Says nothing about filters: a firewall's ACLs do not apply to traffic to the box."""
    return is_up(interface) and (not device.stateful or interface.nameif is not None)


def ingress_acl(device: Device, if_name: str) -> Acl | str | None:
    """The ACL deciding new connections entering `if_name`: an Acl, SECURITY_LEVELS
    (stateful device with no ACL: decided per egress interface), None (no ACL bound:
    permit), or the name of an undefined ACL (str)."""
    interface = device.interfaces[if_name]
    name = interface.acl_in
    if not device.stateful:
        if name is None:
            return None
        return device.acls.get(name, name)
    own = device.acls.get(name) if name else None
    shared = device.acls.get(device.global_acl) if device.global_acl else None
    if own is None and shared is None:
        if name is not None or device.global_acl is not None:
            return name or device.global_acl
        return SECURITY_LEVELS
    if shared is None:
        return own
    if own is None:
        return shared
    return Acl(name=f"{own.name}+{shared.name}", lines=own.lines + shared.lines, source=own.source, kind=own.kind)


def egress_acl(device: Device, if_name: str) -> Acl | str | None:
    name = device.interfaces[if_name].acl_out
    if name is None:
        return None
    return device.acls.get(name, name)


def security_levels_permit(device: Device, in_if: str, out_if: str, acl_bound: bool = False) -> bool:
    """Whether security levels let a new connection from `in_if` to `out_if` pass.
    `acl_bound`: an interface or global ACL decides instead of the levels, except for the
    same-security rules: traffic between interfaces of equal level and traffic leaving by
    the interface it came in by need `same-security-traffic permit inter-interface` /
    `intra-interface` whatever the ACL says (command reference: intra-interface traffic
    "is normally not allowed"; an access rule does not lift either rule)."""
    level_in = device.interfaces[in_if].security_level or 0
    level_out = device.interfaces[out_if].security_level or 0
    if in_if == out_if:
        return device.same_security_intra_interface
    if level_in == level_out:
        return device.same_security_inter_interface
    return acl_bound or level_in > level_out


def permits_everything_when_empty(acl: Acl) -> bool:
    """Whether `acl` is bound with no entries, which permits every packet (see above)."""
    return not acl.lines


def empty_acl_note(device_name: str, acl_name: str) -> str:
    return f"{device_name}: ACL {acl_name} has no entries, so it permits everything"


def undefined_permits(device: Device) -> bool:
    return device.undefined_acl_permits


def binding_source(device: Device, if_name: str, direction: str) -> Source | None:
    interface = device.interfaces[if_name]
    source = interface.acl_in_source if direction == "in" else interface.acl_out_source
    if source is None and direction == "in" and device.stateful and device.global_acl:
        return device.global_acl_source
    return source
