"""Policy profiles: which zone pairs are isolated, which need channels, which rules apply,
and which clause of the city's own policy each rule cites.

Profiles are data files shipped in the package (data/profiles/*.yaml, described for users
in docs/profiles.md); the topology's `policy:` names one. A profile selects rules by family
(the ID prefix: `families: [ZONE, META, MGMT]`) minus `exclude:` (rule IDs). The zone-pair
matrix comes from the zone kinds, overridden by the topology's optional `zone_policy:`
entries (cities with more than three zones).

The clause a report shows for a rule is the city's: the topology's clause map (`clauses:`)
first, then the profile's `clauses:`, then, for the sample city's profile
(`sample_city_clauses: true`), the clause in the rule's record. The 総務省 guideline
section always comes from the record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    families: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    sample_city_clauses: bool = False
    clauses: tuple[tuple[str, str], ...] = ()  # (rule ID, the city's clause)

    def direction(self, channel_kind: str) -> str:
        return dict(self.channel_directions).get(channel_kind, "")

    def selects(self, rule_id: str) -> bool:
        return rule_id.rsplit("-", 1)[0] in self.families and rule_id not in self.exclude


@dataclass(frozen=True)
class PairPolicy:
    """What may flow from one zone to another, and which rule reports the rest."""

    from_zone: str
    to_zone: str
    allow: str  # none | channels | any
    rule: str


def shipped_profiles() -> tuple[str, ...]:
    """The IDs of the profiles shipped in the package, sorted."""
    folder = resources.files("nankoku_netcheck").joinpath("data", "profiles")
    return tuple(sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir() if entry.name.endswith(".yaml")))


@cache
def load_profile(profile_id: str) -> Profile:
    """A shipped profile (its file is package data, checked by tests, not user input)."""
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
        families=tuple(data["families"]),
        exclude=tuple(data.get("exclude") or ()),
        sample_city_clauses=bool(data.get("sample_city_clauses", False)),
        clauses=tuple(sorted((str(k), str(v)) for k, v in (data.get("clauses") or {}).items())),
    )


def effective_profile(topology: Topology) -> Profile:
    """The topology's profile: the shipped one it names, or its base with the city's own
    profile file (`policy: FILE.yaml`) applied."""
    base = load_profile(topology.policy)
    custom = topology.custom_profile
    if custom is None:
        return base
    return replace(
        base,
        id=custom.path,
        label_ja=custom.label_ja or base.label_ja,
        label_en=custom.label_en or base.label_en,
        families=base.families if custom.families is None else custom.families,
        exclude=base.exclude if custom.exclude is None else custom.exclude,
        clauses=custom.clauses or base.clauses,
    )


def profile_name(topology: Topology) -> str:
    """How reports name the profile: its ID, or the city's file with its base."""
    custom = topology.custom_profile
    return topology.policy if custom is None else f"{custom.path} ({custom.base})"


def city_clause(topology: Topology, rule_id: str, sample_clause: str) -> str:
    """The clause of the city's own policy a rule enforces ("" = none given): the topology's
    clause map, else the profile's, else `sample_clause` under the sample city's profile."""
    profile = effective_profile(topology)
    for mapping in (topology.clauses, profile.clauses):
        for mapped_id, text in mapping:
            if mapped_id == rule_id:
                return text
    return sample_clause if profile.sample_city_clauses else ""


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
