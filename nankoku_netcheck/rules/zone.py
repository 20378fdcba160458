"""Zone segmentation rules proved by symbolic reachability (rules.md, first table)."""

from __future__ import annotations

from ..model import Channel, ExternalPeer, FlowSpec, Source, ZoneKind, int_to_ip, normalize_mac, prefix_mask
from ..profiles import CHANNELS, NONE, effective_profile, pair_policies
from ..reach.engine import Start
from ..reach.packets import Packet, PacketSet
from ..reach.trace import TracePath
from ..redact import redact
from ..result import Evidence, Finding
from ..wording import count_of
from .flows import OUTSIDE, FlowContext, MessageBuilder, flow_set, reply_set


def check_zone_001(ctx: FlowContext) -> list[Finding]:
    """ZONE-001: no flow between the mynumber zone and any other zone, either direction,
    except flows to and from declared external links (those are ZONE-002's); nor to
    anything outside the modelled network."""
    findings = unmodelled(ctx, "ZONE-001", _policy_zones(ctx, "ZONE-001"))
    findings += _check_pairs(ctx, "ZONE-001", _isolation_message)
    for mynumber in ctx.zone_ids_of_kind(ZoneKind.MYNUMBER):
        outside = ctx.flows(mynumber).get(OUTSIDE)
        if outside is not None:
            findings += explain_split(
                ctx, "ZONE-001", mynumber, OUTSIDE, ctx.exempt("ZONE-001", outside), _isolation_message
            )
    if ctx.zone_ids_of_kind(ZoneKind.MYNUMBER):
        findings += unproven(ctx, "ZONE-001", ctx.zone_ids())
    return findings


def check_zone_005(ctx: FlowContext) -> list[Finding]:
    """ZONE-005: every flow between the lgwan and internet zones, either direction,
    lies inside a declared 無害化 channel (or is a TCP reply of one)."""
    findings = unmodelled(ctx, "ZONE-005", _policy_zones(ctx, "ZONE-005"))
    findings += _check_pairs(ctx, "ZONE-005", _channel_message)
    zones = ctx.zone_ids_of_kind(ZoneKind.LGWAN) + ctx.zone_ids_of_kind(ZoneKind.INTERNET)
    if len(zones) >= 2:
        findings += unproven(ctx, "ZONE-005", zones)
    return findings


def check_zone_010(ctx: FlowContext) -> list[Finding]:
    """ZONE-010: the topology's `zone_policy` between additional zones holds."""
    findings = unmodelled(ctx, "ZONE-010", _policy_zones(ctx, "ZONE-010"))
    findings += _check_pairs(ctx, "ZONE-010", _channel_message)
    involved = sorted(
        {zone for p in pair_policies(ctx.network.topology) if p.rule == "ZONE-010" for zone in (p.from_zone, p.to_zone)}
    )
    if involved:
        findings += unproven(ctx, "ZONE-010", involved)
    return findings


def _check_pairs(ctx: FlowContext, rule: str, describe: MessageBuilder) -> list[Finding]:
    findings: list[Finding] = []
    sanctioned = sanctioned_flows(ctx)
    for policy in pair_policies(ctx.network.topology):
        if policy.rule != rule:
            continue
        packets = ctx.flows(policy.from_zone).get(policy.to_zone)
        if packets is None:
            continue
        if policy.allow == CHANNELS:
            packets &= ~sanctioned
        message = _isolation_message if policy.allow == NONE else describe
        findings += explain_split(ctx, rule, policy.from_zone, policy.to_zone, ctx.exempt(rule, packets), message)
    return findings


def _isolation_message(src_en: str, dst_en: str, src_ja: str, dst_ja: str, packets: str, where: str) -> tuple[str, str]:
    return (
        f"{src_en} → {dst_en}: {packets} gets through (permitted at {where}). These zones must not communicate.",
        f"{src_ja} → {dst_ja}: {packets} が到達します（許可箇所: {where}）。これらの領域間の通信は禁止です。",
    )


def _channel_message(src_en: str, dst_en: str, src_ja: str, dst_ja: str, packets: str, where: str) -> tuple[str, str]:
    return (
        f"{src_en} → {dst_en}: {packets} gets through outside every declared sanitised channel (permitted at {where}).",
        f"{src_ja} → {dst_ja}: 無害化通信として宣言された経路以外で {packets} が到達します（許可箇所: {where}）。",
    )


def sanctioned_flows(ctx: FlowContext) -> PacketSet:
    """Every packet a declared channel sanctions (its flows and the TCP replies), plus, in
    the α' profile, LGWAN terminals' flows to the approved cloud destinations."""
    space = ctx.space
    result = space.false
    flows = [channel.flow for channel in ctx.network.topology.channels]
    if effective_profile(ctx.network.topology).local_breakout:
        flows += list(ctx.network.topology.cloud_destinations)
    for flow in flows:
        result |= flow_set(space, flow) | reply_set(space, flow)
    return result


# --- external links ----------------------------------------------------------------------


def check_zone_002(ctx: FlowContext) -> list[Finding]:
    """ZONE-002: each external link carries only its `allow` flows (and their TCP
    replies), declared at host level with explicit ports."""
    findings: list[Finding] = []
    if ctx.network.topology.external_peers:
        findings += unmodelled(ctx, "ZONE-002", ctx.zone_ids())
    for peer in ctx.network.topology.external_peers:
        klass = f"peer:{peer.id}"
        allowed = ctx.space.false
        for flow in peer.allow:
            allowed |= flow_set(ctx.space, flow) | reply_set(ctx.space, flow)
            findings += _broad_allow_entry(peer, flow)
        for source in ctx.zone_ids():
            packets = ctx.flows(source).get(klass)
            if packets is not None:
                findings += explain_split(
                    ctx, "ZONE-002", source, klass, ctx.exempt("ZONE-002", packets & ~allowed), _link_message
                )
        link_end = _link_end_addresses(ctx, peer)
        for dest, packets in sorted(ctx.flows(klass).items()):
            if dest == klass:
                continue
            findings += explain_split(
                ctx, "ZONE-002", klass, dest, ctx.exempt("ZONE-002", packets & ~allowed & ~link_end), _link_message
            )
    if ctx.network.topology.external_peers:
        findings += unproven(
            ctx, "ZONE-002", [*ctx.zone_ids(), *(f"peer:{p.id}" for p in ctx.network.topology.external_peers)]
        )
    return findings


def _link_end_addresses(ctx: FlowContext, peer: ExternalPeer) -> PacketSet:
    """Packets to the city's own end of the link (the attach interface's addresses): the
    link itself, not a system behind it. A router filters them with its inbound ACL like
    any other; a firewall answers them by its management settings, not its ACLs."""
    device_name, if_name = ctx.network.interface_ref(peer.attach)
    interface = ctx.network.devices[device_name].interfaces[if_name]
    addresses = [*(a.address for a in interface.addresses), *interface.virtual_addresses]
    return ctx.space.prefixes("dst", [(address, 32) for address in addresses])


def _broad_allow_entry(peer: ExternalPeer, flow: FlowSpec) -> list[Finding]:
    problems = []
    if not flow.src or any(length != 32 for _, length in flow.src):
        problems.append("src")
    if not flow.dst or any(length != 32 for _, length in flow.dst):
        problems.append("dst")
    if flow.proto is None or (flow.proto in (6, 17) and flow.dport is None):
        problems.append("port")
    if not problems:
        return []
    what = ", ".join(problems)
    return [
        Finding(
            rule="ZONE-002",
            severity="error",
            status="violated",
            from_zone="",
            to_zone=f"peer:{peer.id}",
            message_en=(
                f"External link {peer.id}: an allow entry is broader than host level with explicit ports ({what})."
            ),
            message_ja=f"外部接続 {peer.id}: allow の指定がホスト単位・ポート指定より広くなっています（{what}）。",
            evidence=(Evidence(flow.at.file, flow.at.line, "", "declared"),),
        )
    ]


def _link_message(src_en: str, dst_en: str, src_ja: str, dst_ja: str, packets: str, where: str) -> tuple[str, str]:
    return (
        f"{src_en} → {dst_en}: {packets} crosses the external link outside its declared allow flows "
        f"(permitted at {where}).",
        f"{src_ja} → {dst_ja}: 外部接続で許可宣言外の {packets} が通過します（許可箇所: {where}）。",
    )


def check_zone_004(ctx: FlowContext) -> list[Finding]:
    """ZONE-004: an external peer is not internet-connected: declared so, and no flow
    between it and the internet zone through its link."""
    findings: list[Finding] = []
    internet_zones = ctx.zone_ids_of_kind(ZoneKind.INTERNET)
    if ctx.network.topology.external_peers:
        findings += unmodelled(ctx, "ZONE-004", internet_zones)
    for peer in ctx.network.topology.external_peers:
        klass = f"peer:{peer.id}"
        if peer.internet_connected:
            findings.append(
                Finding(
                    rule="ZONE-004",
                    severity="error",
                    status="violated",
                    to_zone=klass,
                    message_en=(
                        f"External peer {peer.id} is declared internet-connected; mynumber-zone peers must not be."
                    ),
                    message_ja=f"外部接続先 {peer.id} がインターネット接続ありと宣言されています。"
                    f"マイナンバー利用事務系の"
                    f"接続先はインターネットに接続してはなりません。",
                    evidence=(Evidence(peer.at.file, peer.at.line, "internet_connected: true", "declared"),),
                )
            )
        for internet in internet_zones:
            for source, dest in ((klass, internet), (internet, klass)):
                packets = ctx.flows(source).get(dest)
                if packets is not None:
                    findings += explain_split(
                        ctx, "ZONE-004", source, dest, ctx.exempt("ZONE-004", packets), _isolation_message
                    )
    return findings


# --- channels, egress, exposure --------------------------------------------------------------


def check_zone_006(ctx: FlowContext) -> list[Finding]:
    """ZONE-006: channels run one way — as the policy profile says for their kind."""
    profile = effective_profile(ctx.network.topology)
    findings = []
    for channel in ctx.network.topology.channels:
        expected = profile.direction(channel.kind)
        actual = _channel_direction(ctx, channel)
        if expected and actual != expected:
            findings.append(
                Finding(
                    rule="ZONE-006",
                    severity="error",
                    status="violated",
                    message_en=(
                        f"Channel {channel.id} ({channel.kind}) runs {actual or 'between unexpected zones'}; "
                        f"the {profile.id} profile allows only {expected}."
                    ),
                    message_ja=(
                        f"無害化通信 {channel.id}（{channel.kind}）の向きが {actual or '想定外の領域間'} です。"
                        f"{profile.id} では {expected} のみ認められます。"
                    ),
                    evidence=(Evidence(channel.at.file, channel.at.line, f"id: {channel.id}", "declared"),),
                )
            )
    return findings


def _channel_direction(ctx: FlowContext, channel: Channel) -> str:
    def kind_of(prefixes: tuple[tuple[int, int], ...]) -> str:
        kinds = set()
        for network, _ in prefixes:
            zone_id = ctx.network.zones.zone_of(network)
            kinds.add(ctx.network.topology.zone(zone_id).kind.value if zone_id else "")
        return kinds.pop() if len(kinds) == 1 else ""

    source, dest = kind_of(channel.flow.src), kind_of(channel.flow.dst)
    return f"{source}->{dest}" if source and dest else ""


def check_zone_007(ctx: FlowContext) -> list[Finding]:
    """ZONE-007: packets leave to addresses no zone or peer owns only through the
    declared upstream. Every other exit is reported with what reaches it."""
    findings = unmodelled(ctx, "ZONE-007", ctx.zone_ids())
    for source in ctx.zone_ids():
        result = ctx.reach(source)
        for endpoint in sorted(result.delivered):
            if endpoint.kind != "exit":
                continue
            packets = ctx.classify(endpoint, result.delivered[endpoint]).get(OUTSIDE)
            if packets is None:
                continue
            packets = ctx.exempt("ZONE-007", packets)
            findings += ctx.explain("ZONE-007", "error", source, OUTSIDE, packets, _egress_message, endpoint=endpoint)
    return findings


def _egress_message(src_en: str, dst_en: str, src_ja: str, dst_ja: str, packets: str, where: str) -> tuple[str, str]:
    return (
        f"{src_en}: {packets} leaves the network through an exit that is not the declared upstream "
        f"(permitted at {where}). Internet egress must go through the security cloud.",
        f"{src_ja}: {packets} が宣言された上流（自治体情報セキュリティクラウド）以外の出口から外部へ出ます"
        f"（許可箇所: {where}）。",
    )


def check_zone_009(ctx: FlowContext) -> list[Finding]:
    """ZONE-009: hosts reachable from the public internet sit behind a firewall: every
    path of a session-starting packet from an upstream crosses a device with role firewall."""
    findings = unmodelled(ctx, "ZONE-009", ctx.zone_ids_of_kind(ZoneKind.INTERNET))
    firewalls = {entry.name for entry in ctx.network.topology.devices if entry.role == "firewall"}
    space = ctx.space
    for zone_id in ctx.zone_ids_of_kind(ZoneKind.INTERNET):
        public = f"public:{zone_id}"
        result = ctx.reach(public)
        exposed = space.false
        for endpoint, packets in result.delivered.items():
            if endpoint.kind == "hosts":
                exposed |= packets
        exposed &= ~space.tcp_established()
        remaining = exposed
        listed = 0  # per internet zone: one zone with many classes must not crowd out the others
        while remaining != space.false and listed < MAX_EXPOSED_CLASSES_PER_ZONE:
            packet, path, start = ctx.example(public, zone_id, remaining, to_hosts=True)
            klass = remaining & ctx.path_region(path)
            remaining &= ~klass
            if any(hop.device in firewalls for hop in path.hops):
                continue
            listed += 1
            # At the cap, what is left may hold more unprotected classes: say so.
            more = remaining != space.false and listed == MAX_EXPOSED_CLASSES_PER_ZONE
            findings.append(
                ctx.build_finding(
                    "ZONE-009",
                    "error",
                    public,
                    _dest_label(ctx, path, packet),
                    packet,
                    klass,
                    path,
                    _exposure_message,
                    more,
                    start,
                )
            )
    return findings


MAX_EXPOSED_CLASSES_PER_ZONE = 16


def _dest_label(ctx: FlowContext, path: TracePath, packet: Packet) -> str:
    return ctx.classify_packet(path.endpoint, packet) if path.endpoint is not None else "transit"


def _exposure_message(src_en: str, dst_en: str, src_ja: str, dst_ja: str, packets: str, where: str) -> tuple[str, str]:
    return (
        f"{packets} from the public internet reaches a host without crossing a device with role firewall "
        f"(permitted at {where}).",
        f"インターネットからの {packets} がファイアウォール（role: firewall）を経由せずに到達します"
        f"（許可箇所: {where}）。",
    )


# --- shared pieces ------------------------------------------------------------------------------


def explain_split(
    ctx: FlowContext, rule: str, source: str, dest: str, packets: PacketSet, describe: MessageBuilder
) -> list[Finding]:
    """Session-starting packets are errors; leakage of TCP packets with ACK/RST set only
    (what stateless `established` lets through) is a warning, reported, not hidden."""
    space = ctx.space
    established = space.tcp_established()
    session_start = packets & ~established
    # A reply-flagged packet whose session-starting twin also passes belongs to the error.
    twins = space.bdd.exist(space.bits["est"], session_start & space.protocol(6)) & established
    errors = session_start | (packets & twins)
    findings = ctx.explain(rule, "error", source, dest, errors, describe)
    findings += ctx.explain(rule, "warning", source, dest, packets & ~errors, _established_only(describe))
    return findings


def _established_only(describe: MessageBuilder) -> MessageBuilder:
    def message(src_en: str, dst_en: str, src_ja: str, dst_ja: str, packets: str, where: str) -> tuple[str, str]:
        en, ja = describe(src_en, dst_en, src_ja, dst_ja, packets, where)
        return (
            f"{en} Only TCP packets with ACK or RST set pass (stateless 'established').",
            f"{ja} 通過するのは ACK/RST 付きの TCP パケットのみです（ステートレスな established）。",
        )

    return message


def _policy_zones(ctx: FlowContext, rule: str | None) -> list[str]:
    """Zones on either side of a restricted pair checked by `rule` (None: by any rule)."""
    return sorted(
        {
            zone
            for policy in pair_policies(ctx.network.topology)
            if rule is None or policy.rule == rule
            for zone in (policy.from_zone, policy.to_zone)
        }
    )


def unmodelled(ctx: FlowContext, rule: str, zones: list[str], severity: str = "error") -> list[Finding]:
    """One inconclusive finding per zone among `zones` that nothing in the network stands
    for: no segment (no device interface address in its prefixes) and no upstream. Flows
    start on segments, so such a zone sends nothing and receives nothing, and every
    property about it would hold vacuously: a wrong prefix or a config that was not read
    must not show as a pass."""
    with_segments = {segment.zone for segment in ctx.network.segments.values()}
    findings = []
    for zone_id in sorted(set(zones)):
        zone = ctx.network.topology.zone(zone_id)
        if zone_id in with_segments or zone.upstream:
            continue
        findings.append(
            Finding(
                rule=rule,
                severity=severity,
                status="inconclusive",
                from_zone=zone_id,
                message_en=(
                    f"zone '{zone_id}' has no modelled segment: nothing can be proved about it "
                    f"(no device interface address lies in its prefixes and it has no upstream)."
                ),
                message_ja=(
                    f"領域 '{zone_id}' にはモデル化されたセグメントがありません。"
                    f"この領域については何も証明できません（どの機器のインターフェースアドレスもその接頭辞に含まれず、上流の宣言もありません）。"
                ),
                evidence=(Evidence(zone.at.file, zone.at.line, f"{zone_id}:", "declared"),),
            )
        )
    return findings


def unproven(ctx: FlowContext, rule: str, sources: list[str]) -> list[Finding]:
    """A property is inconclusive when a device its flows reach has lines that may change
    forwarding or filtering and were not understood."""
    devices: set[str] = set()
    for source in sources:
        devices |= ctx.reach(source).visited_devices
    affected = sorted(name for name in devices if ctx.network.devices[name].forwarding_unknowns)
    if not affected:
        return []
    evidence = tuple(
        Evidence(u.source.file, u.source.line, "", "not understood")
        for name in affected
        for u in ctx.network.devices[name].forwarding_unknowns
    )
    names = ", ".join(affected)
    return [
        Finding(
            rule=rule,
            severity="error",
            status="inconclusive",
            message_en=(
                f"{rule} cannot be proven: {count_of(len(evidence), 'line')} on {names}, which the analysed flows "
                f"reach, may change forwarding or filtering and were not understood (see META-001)."
            ),
            message_ja=(
                f"{rule} を証明できません: 解析対象の通信が通過する {names} に、転送やフィルタに影響し得る"
                f"未解釈の行が {len(evidence)} 行あります（META-001 を参照）。"
            ),
            evidence=evidence,
        )
    ]


# --- isolation that does not rest on routing ----------------------------------------------------


def check_zone_008(ctx: FlowContext) -> list[Finding]:
    """ZONE-008: isolation holds whatever the routing. Packets that today's routes keep
    apart but the filters would let through are a warning, with the path one route
    change would open."""
    findings = unmodelled(ctx, "ZONE-008", _policy_zones(ctx, None), severity="warning")
    sanctioned = sanctioned_flows(ctx)
    reserved: PacketSet | None = None  # made once, when a pair first needs it
    for policy in pair_policies(ctx.network.topology):
        filtered_only = ctx.flows(policy.from_zone, routing=False).get(policy.to_zone)
        if filtered_only is None:
            continue
        if reserved is None:
            reserved = ctx.reserved_destinations()
        routed = ctx.flows(policy.from_zone).get(policy.to_zone, ctx.space.false)
        # With routing, packets to a network or broadcast address reach their segment and stop
        # there; ignoring routing sends them out of the upstream as well, which no route change
        # makes a leak of anything: they are left out.
        exposed = filtered_only & ~routed & ~reserved
        if policy.allow == CHANNELS:
            exposed &= ~sanctioned
        exposed = ctx.exempt("ZONE-008", exposed)
        remaining = exposed
        listed = 0  # per pair: a pair with many classes must not crowd out the pairs after it
        while remaining != ctx.space.false and listed < MAX_ROUTING_ONLY_CLASSES_PER_PAIR:
            packet, path, start = ctx.example(policy.from_zone, policy.to_zone, remaining, routing=False)
            klass = remaining & ctx.path_region(path)
            remaining &= ~klass
            listed += 1
            more = remaining != ctx.space.false and listed == MAX_ROUTING_ONLY_CLASSES_PER_PAIR
            findings.append(
                ctx.build_finding(
                    "ZONE-008",
                    "warning",
                    policy.from_zone,
                    policy.to_zone,
                    packet,
                    klass,
                    path,
                    _routing_only_message,
                    more,
                    start,
                )
            )
    return findings


MAX_ROUTING_ONLY_CLASSES_PER_PAIR = 32


def _routing_only_message(
    src_en: str, dst_en: str, src_ja: str, dst_ja: str, packets: str, where: str
) -> tuple[str, str]:
    return (
        f"{src_en} → {dst_en}: isolation rests on routing alone. No filter stops {packets}; "
        f"a route change would open this path (filters passed: {where}).",
        f"{src_ja} → {dst_ja}: 分離が経路設定だけに依存しています。{packets} を止めるフィルタがなく、"
        f"経路の変更でこの経路が開きます（通過するフィルタ: {where}）。",
    )


# --- MAC pinning of external links ------------------------------------------------------------


def check_zone_003(ctx: FlowContext) -> list[Finding]:
    """ZONE-003: every declared MAC address of an external link is pinned on the path to
    its attach interface (static ARP entry or port-security static MAC), and no pin on the
    link's segment names a MAC that was not declared."""
    findings: list[Finding] = []
    for peer in ctx.network.topology.external_peers:
        devices = _devices_on_link_path(ctx, peer)
        pins = _mac_pins(ctx, devices)
        attach_device, attach_interface = ctx.network.interface_ref(peer.attach)
        subnets = [
            (a.network, a.prefix_length)
            for a in ctx.network.devices[attach_device].interfaces[attach_interface].addresses
        ]
        wanted = {normalize_mac(mac) or mac for mac in peer.mac}
        where = ", ".join(sorted(devices))
        for mac in sorted(wanted):
            if not any(pin_mac == mac for pin_mac, _, _ in pins):
                findings.append(
                    Finding(
                        rule="ZONE-003",
                        severity="error",
                        status="violated",
                        to_zone=f"peer:{peer.id}",
                        message_en=(
                            f"External link {peer.id}: declared MAC {mac} is not pinned on the path to "
                            f"{attach_device}:{attach_interface} (devices checked: {where}); add a static ARP "
                            f"entry or a port-security static MAC."
                        ),
                        message_ja=(
                            f"外部接続 {peer.id}: 宣言された MAC {mac} が {attach_device}:{attach_interface} "
                            f"までの経路上で固定されていません（確認した機器: {where}）。"
                            f"静的 ARP またはポートセキュリティの静的 MAC で固定してください。"
                        ),
                        evidence=(Evidence(peer.at.file, peer.at.line, f"mac: {mac}", "declared"),),
                    )
                )
        for mac, address, source in pins:
            on_link = address is not None and (
                any(address & prefix_mask(length) == network for network, length in subnets)
                or any(address & prefix_mask(length) == network for network, length in peer.addresses)
            )
            if on_link and mac not in wanted:
                findings.append(
                    Finding(
                        rule="ZONE-003",
                        severity="error",
                        status="violated",
                        to_zone=f"peer:{peer.id}",
                        message_en=(
                            f"External link {peer.id}: {source.where()} pins {int_to_ip(address or 0)} to MAC "
                            f"{mac}, which is not a declared MAC of the link."
                        ),
                        message_ja=(
                            f"外部接続 {peer.id}: {source.where()} が {int_to_ip(address or 0)} を宣言外の MAC "
                            f"{mac} に固定しています。"
                        ),
                        evidence=(Evidence(source.file, source.line, redact(source.text.strip()), "pins"),),
                    )
                )
    return findings


def _devices_on_link_path(ctx: FlowContext, peer: ExternalPeer) -> set[str]:
    """The attach device and every device the link's allowed flows cross on their way to it."""
    attach_device, attach_interface = ctx.network.interface_ref(peer.attach)
    devices = {attach_device}
    exit_point = (attach_device, attach_interface)
    for flow in peer.allow:
        if not flow.src or not flow.dst:
            continue
        src, dst = flow.src[0][0], flow.dst[0][0]
        proto = flow.proto if flow.proto is not None else 6
        dport = flow.dport[0].low if flow.dport else 0
        packet = Packet(
            src=src,
            dst=dst,
            proto=proto,
            dport=dport if proto in (6, 17) else 0,
            sport=49152 if proto in (6, 17) else 0,
        )
        for segment in ctx.network.segments.values():
            if not segment.contains(src):
                continue
            for path in ctx.tracer.trace(Start(segment=segment.id), packet):
                if path.endpoint is not None and (path.endpoint.device, path.endpoint.interface) == exit_point:
                    devices |= {hop.device for hop in path.hops}
    return devices


def _mac_pins(ctx: FlowContext, devices: set[str]) -> list[tuple[str, int | None, Source]]:
    """(MAC, pinned IP address or None for a port pin, source line) on the given devices."""
    pins: list[tuple[str, int | None, Source]] = []
    for name in sorted(devices):
        device = ctx.network.devices[name]
        for entry in device.static_arp:
            pins.append((entry.mac, entry.address, entry.source))
        for interface in device.mgmt.interfaces.values():
            for mac in interface.static_macs:
                normalized = normalize_mac(mac)
                if normalized is not None:
                    pins.append((normalized, None, interface.port_security_source or interface.source))
    return pins
