"""Zone segmentation rules proved by symbolic reachability (rules.md, first table)."""

from __future__ import annotations

from ..model import ZoneKind
from ..reach.packets import PacketSet
from ..result import Evidence, Finding
from .flows import TRANSIT, FlowContext, MessageBuilder


def check_zone_001(ctx: FlowContext) -> list[Finding]:
    """ZONE-001: no flow between the mynumber zone and any other zone, either direction,
    except flows to and from declared external links (those are ZONE-002's)."""
    findings: list[Finding] = []
    for mynumber in ctx.zone_ids_of_kind(ZoneKind.MYNUMBER):
        for dest, packets in sorted(ctx.flows(mynumber).items()):
            if dest in (mynumber, TRANSIT) or dest.startswith("peer:"):
                continue
            findings += explain_split(ctx, "ZONE-001", mynumber, dest, packets, _zone_001_message)
        for source in ctx.zone_ids():
            if source == mynumber:
                continue
            packets = ctx.flows(source).get(mynumber)
            if packets is not None:
                findings += explain_split(ctx, "ZONE-001", source, mynumber, packets, _zone_001_message)
        findings += unproven(ctx, "ZONE-001", ctx.zone_ids())
    return findings


def _zone_001_message(src_en: str, dst_en: str, src_ja: str, dst_ja: str, packets: str,
                      where: str) -> tuple[str, str]:
    return (
        f"{src_en} → {dst_en}: {packets} gets through (permitted at {where}). "
        f"The mynumber zone must not communicate with any other zone.",
        f"{src_ja} → {dst_ja}: {packets} が到達します（許可箇所: {where}）。"
        f"マイナンバー利用事務系は他の領域と通信してはなりません。",
    )


def check_zone_005(ctx: FlowContext) -> list[Finding]:
    """ZONE-005: every flow between the lgwan and internet zones, either direction,
    lies inside a declared 無害化 channel (or is a TCP reply of one)."""
    findings: list[Finding] = []
    sanctioned = channel_flows(ctx)
    lgwan_zones = ctx.zone_ids_of_kind(ZoneKind.LGWAN)
    internet_zones = ctx.zone_ids_of_kind(ZoneKind.INTERNET)
    for lgwan in lgwan_zones:
        for internet in internet_zones:
            for source, dest in ((lgwan, internet), (internet, lgwan)):
                packets = ctx.flows(source).get(dest)
                if packets is None:
                    continue
                outside_channels = packets & ~sanctioned
                findings += explain_split(ctx, "ZONE-005", source, dest, outside_channels, _zone_005_message)
    if lgwan_zones and internet_zones:
        findings += unproven(ctx, "ZONE-005", lgwan_zones + internet_zones)
    return findings


def _zone_005_message(src_en: str, dst_en: str, src_ja: str, dst_ja: str, packets: str,
                      where: str) -> tuple[str, str]:
    return (
        f"{src_en} → {dst_en}: {packets} gets through outside every declared sanitised channel "
        f"(permitted at {where}).",
        f"{src_ja} → {dst_ja}: 無害化通信として宣言された経路以外で {packets} が到達します（許可箇所: {where}）。",
    )


def channel_flows(ctx: FlowContext) -> PacketSet:
    """Every packet a declared channel sanctions: its own flows, and the replies of TCP
    channels (source and destination swapped, ACK/RST set)."""
    space = ctx.space
    result = space.false
    for channel in ctx.network.topology.channels:
        flow = channel.flow
        forward = space.valid
        reply = space.tcp_established()
        if flow.src:
            forward &= space.prefixes("src", flow.src)
            reply &= space.prefixes("dst", flow.src)
        if flow.dst:
            forward &= space.prefixes("dst", flow.dst)
            reply &= space.prefixes("src", flow.dst)
        if flow.proto is not None:
            forward &= space.protocol(flow.proto)
        if flow.dport is not None:
            forward &= space.ports("dport", flow.dport)
            reply &= space.ports("sport", flow.dport)
        if flow.sport is not None:
            forward &= space.ports("sport", flow.sport)
            reply &= space.ports("dport", flow.sport)
        result |= forward
        if flow.proto in (None, 6):
            result |= reply
    return result


def explain_split(ctx: FlowContext, rule: str, source: str, dest: str, packets: PacketSet,
                  describe: MessageBuilder) -> list[Finding]:
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
        return (f"{en} Only TCP packets with ACK or RST set pass (stateless 'established').",
                f"{ja} 通過するのは ACK/RST 付きの TCP パケットのみです（ステートレスな established）。")
    return message


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
        for name in affected for u in ctx.network.devices[name].forwarding_unknowns
    )
    names = ", ".join(affected)
    return [Finding(
        rule=rule, severity="error", status="inconclusive",
        message_en=(f"{rule} cannot be proven: {len(evidence)} line(s) on {names}, which the analysed flows "
                    f"reach, may change forwarding or filtering and were not understood (see META-001)."),
        message_ja=(f"{rule} を証明できません: 解析対象の通信が通過する {names} に、転送やフィルタに影響し得る"
                    f"未解釈の行が {len(evidence)} 行あります（META-001 を参照）。"),
        evidence=evidence,
    )]
