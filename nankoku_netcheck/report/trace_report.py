"""Renderers for `trace`: every path of one packet."""

from __future__ import annotations

from typing import Any

from ..reach.nat import new_rewrites, rewritten_to
from ..reach.trace import AclDecision, Caveat, Hop
from ..redact import redact
from ..tracing import PacketTrace
from .common import displayable_value, interface_text, json_text
from .wording import acl_note_text, disposition_text, endpoint_text, route_ja


def _decision(decision: AclDecision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    out: dict[str, Any] = {"acl": decision.acl_name, "permitted": decision.permitted}
    if decision.undefined:
        out["note"] = "referenced but not defined (permits everything)"
    if decision.empty:
        out["note"] = "no entries (permits everything)"
    if decision.line is not None:
        source = decision.line.source
        out.update({"file": source.file, "line": source.line, "text": redact(source.text.strip())})
    elif decision.acl_name is not None and not decision.undefined and not decision.empty:
        out["note"] = "implicit deny at the end"
    return out


def _hop(hop: Hop) -> dict[str, Any]:
    route: dict[str, Any] | None = None
    if hop.next_hop is not None:
        source = hop.next_hop.route.source
        route = {"route": hop.next_hop.route.describe(), "kind": hop.next_hop.route.kind.value}
        if source.line:
            route.update({"file": source.file, "line": source.line})
        if hop.next_hop.dynamic is not None:
            route["note"] = "dynamic routing, over-approximated"
    return {
        "device": hop.device,
        "in_interface": hop.in_interface,
        "out_interface": hop.out_interface or None,
        "ingress": _decision(hop.ingress),
        "route": route,
        "egress": _decision(hop.egress),
    }


def _rewrites(previous: tuple, hop: Hop) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    """NAT rewrites first applied at this hop."""
    return [
        {
            "field": r.field,
            "to": rewritten_to(r),
            "pool": r.pool,
            **({"file": r.rule.file, "line": r.rule.line} if r.rule else {}),
        }
        for r in new_rewrites(previous, hop.translation)
    ]


def _hops(
    hops: tuple[Hop, ...], caveats: tuple[tuple[Caveat, ...], ...], vrfs: dict[tuple[str, str], str]
) -> list[dict[str, Any]]:
    out = []
    previous: tuple = ()  # type: ignore[type-arg]
    for number, hop in enumerate(hops):
        record = _hop(hop)
        for key, name in (("in_vrf", hop.in_interface), ("out_vrf", hop.out_interface)):
            if (hop.device, name) in vrfs:
                record[key] = vrfs[(hop.device, name)]
        if hop.translation != previous:
            record["nat"] = _rewrites(previous, hop)
            previous = hop.translation
        record["caveats"] = [
            {"kind": c.kind, "file": c.file, "line": c.line, "message_en": c.message_en, "message_ja": c.message_ja}
            for c in (caveats[number] if number < len(caveats) else ())
        ]
        out.append(record)
    return out


# The summary when any hop has a caveat (en, ja).
MAY_DIFFER = (
    "the trace may differ from the device: some hops rest on lines not understood or on "
    "over-approximations (marked '!')",
    "トレース結果は実機と異なる可能性があります。解釈できない行や近似に基づくホップがあります（「!」の行）",
)


def trace_to_dict(trace: PacketTrace) -> dict[str, Any]:
    zones = dict(trace.zone_of_endpoint)
    vrfs = dict(trace.vrfs)
    differ = trace.may_differ()
    return {
        "packet": trace.packet.describe(),
        "start": trace.start.segment or f"{trace.start.device}:{trace.start.interface}",
        "may_differ_from_device": differ,
        "caveat_en": MAY_DIFFER[0] if differ else None,
        "caveat_ja": MAY_DIFFER[1] if differ else None,
        "paths": [
            {
                "disposition": path.disposition,
                "endpoint": path.endpoint.describe() if path.endpoint else None,
                "zone": zones.get(path.endpoint, "") if path.endpoint else None,
                "hops": _hops(path.hops, trace.caveats[number] if number < len(trace.caveats) else (), vrfs),
                "nat_at_end": [
                    {"field": r.field, "to": rewritten_to(r)}
                    for r in (path.endpoint.translation if path.endpoint else ())
                ],
            }
            for number, path in enumerate(trace.paths)
        ],
        **({"exhausted": True, "budget": trace.budget} if trace.exhausted else {}),
    }


def render_trace_json(trace: PacketTrace) -> str:
    return json_text(trace_to_dict(trace), indent=2) + "\n"


def render_trace_text(trace: PacketTrace, lang: str = "en") -> str:
    ja = lang == "ja"
    record = displayable_value(trace_to_dict(trace))
    lines = [f"{'パケット' if ja else 'packet'}: {record['packet']}", f"{'開始' if ja else 'start'}: {record['start']}"]
    if not record["paths"] and not record.get("exhausted"):
        lines.append("どこにも届きません" if ja else "reaches nothing")
    for number, path in enumerate(record["paths"], 1):
        endpoint = f" → {endpoint_text(path['endpoint'], lang)}" if path["endpoint"] else ""
        outcome = disposition_text(path["disposition"], lang) + endpoint
        if path["zone"]:
            outcome += f" [{path['zone']}]"
        lines.append(f"{'経路' if ja else 'path'} {number}: {outcome}")
        for hop in path["hops"]:
            arrival = interface_text(hop["in_interface"], hop.get("in_vrf", ""))
            text = f"  {hop['device']}: {'入力' if ja else 'in'} {arrival}"
            text += _decision_text(hop["ingress"], lang)
            if hop["route"]:
                route = hop["route"]
                where = f" ({route['file']}:{route['line']})" if "file" in route else ""
                shown = route_ja(route["route"]) if ja else route["route"]
                text += f"; {'経路' if ja else 'route'} {shown}{where}"
            for rewrite in hop.get("nat", []):
                text += f"; NAT {rewrite['field']} → {rewrite['to']}"
            if hop["out_interface"]:
                out = interface_text(hop["out_interface"], hop.get("out_vrf", ""))
                text += f"; {'出力' if ja else 'out'} {out}" + _decision_text(hop["egress"], lang)
            lines.append(text)
            for caveat in hop["caveats"]:
                where = f"{caveat['file']}:{caveat['line']}" if caveat["line"] else caveat["file"]
                lines.append(f"    ! {where}: {caveat['message_ja' if ja else 'message_en']}")
    if record["may_differ_from_device"]:
        lines.append(("注意: " if ja else "caveat: ") + record["caveat_ja" if ja else "caveat_en"])
    if record.get("exhausted"):
        lines.append(
            f"判定不能: 作業量の上限（{record['budget']}）に達したため、経路の一部しか示していません（--budget を参照）"
            if ja
            else f"INCONCLUSIVE: the path enumeration ran out of budget ({record['budget']} work units); "
            "these are only some of the paths (see --budget)"
        )
    return "\n".join(lines) + "\n"


def _decision_text(decision: dict[str, Any] | None, lang: str) -> str:
    if decision is None or decision["acl"] is None:
        return ""
    if lang == "ja":
        verdict = "許可" if decision["permitted"] else "拒否"
    else:
        verdict = "permit" if decision["permitted"] else "DENY"
    note = acl_note_text(decision.get("note", ""), lang)
    where = f" {decision['file']}:{decision['line']}" if "file" in decision else f" ({note})"
    return f" [{decision['acl']} {verdict}{where}]"
