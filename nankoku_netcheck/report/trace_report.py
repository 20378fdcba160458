"""Renderers for `trace`: every path of one packet."""

from __future__ import annotations

import json
from typing import Any

from ..model import format_prefix
from ..reach.trace import AclDecision, Hop
from ..redact import redact
from ..tracing import PacketTrace


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
    route = None
    if hop.next_hop is not None:
        source = hop.next_hop.route.source
        route = {"route": hop.next_hop.route.describe(), "kind": hop.next_hop.route.kind.value}
        if source.line:
            route.update({"file": source.file, "line": source.line})
        if hop.next_hop.dynamic is not None:
            route["note"] = "dynamic routing, over-approximated"
    return {"device": hop.device, "in_interface": hop.in_interface, "out_interface": hop.out_interface or None,
            "ingress": _decision(hop.ingress), "route": route, "egress": _decision(hop.egress)}


def _rewrites(previous: tuple, hop: Hop) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    """NAT rewrites first applied at this hop."""
    return [
        {"field": r.field, "to": format_prefix(r.network, r.length), "pool": r.pool,
         **({"file": r.rule.file, "line": r.rule.line} if r.rule else {})}
        for r in hop.translation[len(previous):]
    ]


def _hops(hops: tuple[Hop, ...]) -> list[dict[str, Any]]:
    out = []
    previous: tuple = ()  # type: ignore[type-arg]
    for hop in hops:
        record = _hop(hop)
        if hop.translation != previous:
            record["nat"] = _rewrites(previous, hop)
            previous = hop.translation
        out.append(record)
    return out


def trace_to_dict(trace: PacketTrace) -> dict[str, Any]:
    zones = dict(trace.zone_of_endpoint)
    return {
        "packet": trace.packet.describe(),
        "start": trace.start.segment or f"{trace.start.device}:{trace.start.interface}",
        "paths": [
            {"disposition": path.disposition,
             "endpoint": path.endpoint.describe() if path.endpoint else None,
             "zone": zones.get(path.endpoint, "") if path.endpoint else None,
             "hops": _hops(path.hops),
             "nat_at_end": [{"field": r.field, "to": format_prefix(r.network, r.length)}
                            for r in (path.endpoint.translation if path.endpoint else ())]}
            for path in trace.paths
        ],
    }


def render_trace_json(trace: PacketTrace) -> str:
    return json.dumps(trace_to_dict(trace), ensure_ascii=False, indent=2) + "\n"


def render_trace_text(trace: PacketTrace, lang: str = "en") -> str:
    ja = lang == "ja"
    record = trace_to_dict(trace)
    lines = [f"{'パケット' if ja else 'packet'}: {record['packet']}",
             f"{'開始' if ja else 'start'}: {record['start']}"]
    if not record["paths"]:
        lines.append("どこにも届きません" if ja else "reaches nothing")
    for number, path in enumerate(record["paths"], 1):
        outcome = path["disposition"] + (f" → {path['endpoint']}" if path["endpoint"] else "")
        if path["zone"]:
            outcome += f" [{path['zone']}]"
        lines.append(f"{'経路' if ja else 'path'} {number}: {outcome}")
        for hop in path["hops"]:
            text = f"  {hop['device']}: in {hop['in_interface']}"
            text += _decision_text(hop["ingress"])
            if hop["route"]:
                route = hop["route"]
                where = f" ({route['file']}:{route['line']})" if "file" in route else ""
                text += f"; route {route['route']}{where}"
            for rewrite in hop.get("nat", []):
                text += f"; NAT {rewrite['field']} → {rewrite['to']}"
            if hop["out_interface"]:
                text += f"; out {hop['out_interface']}" + _decision_text(hop["egress"])
            lines.append(text)
    return "\n".join(lines) + "\n"


def _decision_text(decision: dict[str, Any] | None) -> str:
    if decision is None or decision["acl"] is None:
        return ""
    verdict = "permit" if decision["permitted"] else "DENY"
    where = f" {decision['file']}:{decision['line']}" if "file" in decision else f" ({decision.get('note', '')})"
    return f" [{decision['acl']} {verdict}{where}]"
