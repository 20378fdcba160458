"""Policy profiles: which zone pairs are isolated, which need channels, which rules apply.

Profiles are data files shipped in the package (data/profiles/*.yaml); the topology's
`policy:` names one. The zone-pair matrix comes from the zone kinds, overridden by the
topology's optional `zone_policy:` entries (cities with more than three zones).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from .model import Topology, ZoneKind

NONE, CHANNELS, ANY = "none", "channels", "any"


@dataclass(frozen=True)
class Profile:
    id: str
    label_ja: str
    label_en: str
    channel_directions: tuple[tuple[str, str], ...]  # (channel kind, "internet->lgwan" | "lgwan->internet")
    local_breakout: bool
    rules: tuple[str, ...]

    def direction(self, channel_kind: str) -> str:
        return dict(self.channel_directions).get(channel_kind, "")


@dataclass(frozen=True)
class PairPolicy:
    """What may flow from one zone to another, and which rule reports the rest."""

    from_zone: str
    to_zone: str
    allow: str  # none | channels | any
    rule: str


@cache
def load_profile(profile_id: str) -> Profile:
    text = (
        resources.files("nankoku_netcheck")
        .joinpath("data", "profiles", f"{profile_id}.yaml")
        .read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    return Profile(
        id=data["id"],
        label_ja=data["label_ja"],
        label_en=data["label_en"],
        channel_directions=tuple(sorted(data["channel_directions"].items())),
        local_breakout=bool(data["local_breakout"]),
        rules=tuple(data["rules"]),
    )


def pair_policies(topology: Topology) -> list[PairPolicy]:
    """Every ordered zone pair whose flows are restricted, with the rule that checks it."""
    declared = {(p.from_zone, p.to_zone): p.allow for p in topology.zone_policy}
    kinds = {zone.id: zone.kind for zone in topology.zones}
    policies = []
    for source in topology.zones:
        for dest in topology.zones:
            if source.id == dest.id:
                continue
            rule = _rule_for(kinds[source.id], kinds[dest.id])
            allow = declared.get((source.id, dest.id), _default_allow(kinds[source.id], kinds[dest.id]))
            if allow != ANY:
                policies.append(PairPolicy(source.id, dest.id, allow, rule))
    return policies


def _rule_for(source: ZoneKind, dest: ZoneKind) -> str:
    if ZoneKind.MYNUMBER in (source, dest):
        return "ZONE-001"
    if {source, dest} == {ZoneKind.LGWAN, ZoneKind.INTERNET}:
        return "ZONE-005"
    return "ZONE-010"


def _default_allow(source: ZoneKind, dest: ZoneKind) -> str:
    if ZoneKind.MYNUMBER in (source, dest):
        return NONE
    if {source, dest} == {ZoneKind.LGWAN, ZoneKind.INTERNET}:
        return CHANNELS
    return ANY
