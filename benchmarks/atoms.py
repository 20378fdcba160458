"""Experiment (issue #20 item 1, run on demand, not in CI): would atomic predicates pay here?

Atomic predicates (AP Verifier, Yang & Lam; APKeep): the coarsest partition of the header
space such that every predicate the search tests is a union of parts ("atoms"). With it a
packet set becomes a set of atom IDs (a Python int as a bitset) and the fixpoint runs on
integer AND/OR instead of BDD operations. It pays when the atoms are few; this script counts
them on our topologies.

For a topology it builds, with the engine's own functions (reach/engine.py), the predicates
the search intersects packet sets with, in three groups:

- fwd: per device and table every FIB region (`fib_regions`), every interface's and table's
  own addresses, every segment's destinations, host destinations and reserved addresses
  (all destination-only sets);
- acl: per interface the inbound and outbound ACL (`interface_filter`), `entry_filter`,
  `admission`, `box_filter`; on a device that decides per pair of interfaces, every pair's
  `policy_filter`, `session_filter` and `reply_filter`; `tcp_established`;
- zone: every zone's source and destination addresses (where searches start, how delivered
  sets are classified).

and refines the partition {valid headers} by each distinct predicate P (the standard
algorithm: an atom is split only when it meets both P and not P). Variants: `fwd` (the
destination classes alone), `acl` (the filters alone), `all` (the three groups). When the
budget (CPU seconds) runs out it reports "more than K atoms after T s". `product` counts
the atoms of all predicates without refining by each one: every atom of `all` is a nonempty
intersection of an atom of `acl`+`zone` with one of `fwd`, and since the `fwd` atoms are
destination-only, a meets f iff f meets a's projection on destinations.

    python benchmarks/atoms.py topologies/nankoku.yaml --variants fwd acl all product
    python benchmarks/atoms.py --synth 30 100 --budget 300      # generates cities in /tmp
    python benchmarks/atoms.py --synth 30 --variants reach     # the engine's BDD searches, for comparison

Each (topology, variant) runs in a fresh process, so peak RSS (MiB) is its own; times are CPU
seconds (`time.process_time`): the machine is shared. Output: one line per run; where the atoms
were counted, also the cost of one bitset operation (AND, OR, AND NOT, equality) on a Python int
of that many bits, the unit a fixpoint over atom IDs would pay instead of a BDD operation.
Variant `reach`: CPU seconds and work units (packet sets entering a device) of every zone's
search by the engine, what a bitset fixpoint would have to beat, atoms included.

Measured 2026-12-07 (OxiDD, CPU seconds, a machine loaded 7-18 on 2 cores; atoms of
fwd / acl / all, seconds of `all`): nankoku 9 devices 76 / 97 / 1,077 (0.12 s); kitagawa 5
devices 53 / 29 / 525 (0.03 s); otoyo 4 devices 46 / 39 / 508 (0.03 s); city N = 30: 549 /
3,052 / 172,247 (130.5 s, 838 MiB; `product` 26.0 s), while the engine's searches of every
zone take 1.1 s; city N = 100: 1,809 atoms of 2,614 forwarding predicates (16.5 s), 10,054
of 1,021 filter predicates (581.6 s, 2,576 MiB), `all` more than 221,464 atoms after 150 s
(2,801 of 3,639 predicates: the routes and 187 filters), at most 1,809 x 10,054+ = 18 M.
Rejected: the atoms are the product of destination classes and source/filter classes, so
computing them costs about 100 times the searches they would speed up.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nankoku_netcheck.analyze import flow_context, load  # noqa: E402
from nankoku_netcheck.reach.engine import ReachEngine  # noqa: E402
from nankoku_netcheck.reach.filters import decides_per_pair, forwards  # noqa: E402
from nankoku_netcheck.reach.packets import PacketSet, PacketSpace  # noqa: E402
from nankoku_netcheck.rules.flows import FlowContext  # noqa: E402

SAMPLES = ("topologies/nankoku.yaml", "topologies/kitagawa.yaml", "topologies/otoyo.yaml")
VARIANTS = ("fwd", "acl", "all", "product", "reach")
ACL_LINES_PER_DEVICE = 200  # as benchmarks/run.py
SEGMENTS_PER_DEVICE = 5


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the predicates -----------------------------------------------------------------------


@dataclass
class Predicates:
    """Distinct predicates per group, in a fixed order (first occurrence wins)."""

    space: PacketSpace
    groups: dict[str, list[PacketSet]] = field(default_factory=dict)
    _seen: set[Any] = field(default_factory=set)

    def add(self, group: str, packets: PacketSet) -> None:
        packets &= self.space.valid
        if packets == self.space.false or packets == self.space.valid or packets in self._seen:
            return
        self._seen.add(packets)
        self.groups.setdefault(group, []).append(packets)

    def of(self, groups: Iterable[str]) -> list[PacketSet]:
        return [packets for group in groups for packets in self.groups.get(group, [])]


def collect(engine: ReachEngine, context: FlowContext) -> Predicates:
    space = engine.space
    found = Predicates(space)
    network = engine.network
    for device_name in sorted(network.devices):
        device = network.devices[device_name]
        tables = sorted({interface.vrf for interface in device.interfaces.values()})
        for vrf in tables:
            for region, _ in engine.fib_regions(device_name, vrf):
                found.add("fwd", region)
        found.add("fwd", engine.local_addresses(device_name))
        for if_name in sorted(device.interfaces):
            found.add("fwd", engine.interface_addresses(device_name, if_name))
            found.add("fwd", engine.table_addresses(device_name, if_name))
            for direction in ("in", "out"):
                found.add("acl", engine.interface_filter(device_name, if_name, direction))
            found.add("acl", engine.entry_filter(device_name, if_name))
            found.add("acl", engine.admission(device_name, if_name))
            found.add("acl", engine.box_filter(device_name, if_name))
        if decides_per_pair(device):
            through = [name for name in sorted(device.interfaces) if forwards(device.interfaces[name])]
            for in_if in through:
                for out_if in through:
                    if in_if != out_if:
                        found.add("acl", engine.policy_filter(device_name, in_if, out_if))
                        found.add("acl", engine.session_filter(device_name, in_if, out_if))
                        if device.stateful:
                            found.add("acl", engine.reply_filter(device_name, in_if, out_if))
    found.add("acl", space.tcp_established())
    for segment_id in sorted(network.segments):
        segment = network.segments[segment_id]
        found.add("fwd", engine.segment_destinations(segment))
        found.add("fwd", engine.host_destinations(segment))
        found.add("fwd", engine.reserved_destinations(segment))
    for zone_id in context.zone_ids():
        found.add("zone", context.owned(zone_id, "src"))
        found.add("zone", context.owned(zone_id, "dst"))
        for _, sources in context.starts(zone_id):
            found.add("zone", sources)
    return found


# --- atoms --------------------------------------------------------------------------------


@dataclass
class Atoms:
    atoms: list[PacketSet]
    predicates_done: int
    finished: bool
    seconds: float


def refine(space: PacketSpace, predicates: list[PacketSet], budget: float) -> Atoms:
    """The atoms of `predicates` (standard refinement), or the partition so far when `budget`
    CPU seconds run out."""
    started = time.process_time()
    atoms = [space.valid]
    false = space.false
    for done, predicate in enumerate(predicates):
        if time.process_time() - started > budget:
            return Atoms(atoms, done, False, time.process_time() - started)
        refined: list[PacketSet] = []
        for index, atom in enumerate(atoms):
            # One pass over a few hundred thousand atoms takes minutes: stop inside it too (the
            # atoms split so far plus those not yet visited are still a partition).
            if index % 4096 == 4095 and time.process_time() - started > budget:
                return Atoms(refined + atoms[index:], done, False, time.process_time() - started)
            inside = atom & predicate
            if inside in (false, atom):
                refined.append(atom)
            else:
                refined.append(inside)
                refined.append(atom & ~predicate)
        atoms = refined
    return Atoms(atoms, len(predicates), True, time.process_time() - started)


def product_count(space: PacketSpace, mixed: list[PacketSet], destinations: list[PacketSet], budget: float) -> Atoms:
    """How many atoms `mixed` and the destination-only `destinations` have together (the
    nonempty intersections of their atoms), counted, not built: a mixed atom meets a
    destination atom iff its projection on destinations does. Stops after `budget` seconds."""
    started = time.process_time()
    others = [bit for bit in space.all_bits if not bit.startswith("dst")]
    count = 0
    for atom in mixed:
        if time.process_time() - started > budget:
            return Atoms([], count, False, time.process_time() - started)
        projected = space.bdd.exist(others, atom)
        count += sum(1 for destination in destinations if destination & projected != space.false)
    return Atoms([], count, True, time.process_time() - started)


def reach_costs(context: FlowContext) -> dict[str, Any]:
    """What the engine's BDD searches cost: CPU seconds and work units (packet sets that
    entered a device) of every zone's search, for comparison with bitset operations."""
    started = time.process_time()
    work = sum(context.reach(zone_id).work for zone_id in context.zone_ids())
    return {"reach_s": round(time.process_time() - started, 2), "work": work, "seconds": 0, "finished": True}


def bitset_op_us(bits: int, repeat: int = 500) -> float:
    """Microseconds of one AND, OR, AND NOT or equality test on `bits`-bit Python ints."""
    generator = random.Random(1)
    left, right = generator.getrandbits(bits), generator.getrandbits(bits)
    started = time.process_time()
    for _ in range(repeat):
        both = left & right
        either = left | right
        only = left & ~right
        _ = both == either or only == left
    return (time.process_time() - started) / repeat / 4 * 1e6


# --- one run ------------------------------------------------------------------------------


def run_one(topology: str, variant: str, budget: float) -> dict[str, Any]:
    started = time.process_time()
    loaded = load(topology)
    space = PacketSpace()
    context = flow_context(loaded, space)
    engine = context.engine
    loaded_at = time.process_time()
    found = collect(engine, context)
    collected_at = time.process_time()
    row: dict[str, Any] = {
        "topology": topology,
        "devices": len(loaded.devices),
        "variant": variant,
        "load_s": round(loaded_at - started, 2),
        "predicates_s": round(collected_at - loaded_at, 2),
        "rss_before_mib": round(peak_rss_mib()),
    }
    groups = {"fwd": ["fwd"], "acl": ["acl"], "all": ["fwd", "acl", "zone"]}
    if variant == "reach":
        row.update(reach_costs(context), predicates=len(found.of(groups["all"])), atoms=None)
    elif variant == "product":
        destinations = refine(space, found.of(["fwd"]), budget)
        mixed = refine(space, found.of(["acl", "zone"]), budget)
        row["predicates"] = len(found.of(["fwd", "acl", "zone"]))
        row["fwd_atoms"] = len(destinations.atoms)
        row["acl_zone_atoms"] = len(mixed.atoms)
        row["fwd_s"], row["acl_zone_s"] = round(destinations.seconds, 2), round(mixed.seconds, 2)
        if destinations.finished and mixed.finished:
            counted = product_count(space, mixed.atoms, destinations.atoms, budget)
            row["atoms"] = counted.predicates_done
            row["finished"] = counted.finished
            row["count_s"] = round(counted.seconds, 2)
            row["seconds"] = round(destinations.seconds + mixed.seconds + counted.seconds, 2)
        else:
            row["atoms"] = None
            row["finished"] = False
            row["seconds"] = round(destinations.seconds + mixed.seconds, 2)
    else:
        predicates = found.of(groups[variant])
        result = refine(space, predicates, budget)
        row.update(
            predicates=len(predicates),
            predicates_done=result.predicates_done,
            atoms=len(result.atoms),
            finished=result.finished,
            seconds=round(result.seconds, 2),
        )
    row["peak_mib"] = round(peak_rss_mib())
    if row.get("atoms") and row.get("finished"):
        row["bitset_op_us"] = round(bitset_op_us(row["atoms"]), 2)
    return row


# --- driver -------------------------------------------------------------------------------


def synth_city(devices: int) -> str:
    from nankoku_netcheck.synth import CitySpec, generate

    out = Path(f"/tmp/atoms-c{devices}")
    if not (out / "topology.yaml").exists():
        spec = CitySpec(
            devices=devices,
            acl_lines=ACL_LINES_PER_DEVICE * devices,
            segments=SEGMENTS_PER_DEVICE * devices,
            seed=1,
        )
        generate(spec, out)
    return str(out / "topology.yaml")


def row_text(row: dict[str, Any]) -> str:
    if row["variant"] == "reach":
        return (
            f"{Path(row['topology']).parent.name}/{Path(row['topology']).name} devices={row['devices']} "
            f"BDD reach of every zone: {row['reach_s']} s CPU, {row['work']} work units"
        )
    atoms = row["atoms"]
    if atoms is None:
        shown = f"? (fwd {row['fwd_atoms']}, acl+zone {row['acl_zone_atoms']}, unfinished)"
    elif row["finished"]:
        shown = str(atoms)
    else:
        shown = f"more than {atoms} after {row['seconds']} s"
        if "predicates_done" in row:
            shown += f" ({row['predicates_done']} of {row['predicates']} predicates)"
    extra = f" fwd={row['fwd_atoms']} acl+zone={row['acl_zone_atoms']}" if "fwd_atoms" in row else ""
    return (
        f"{Path(row['topology']).parent.name}/{Path(row['topology']).name} devices={row['devices']} "
        f"variant={row['variant']} predicates={row['predicates']} atoms={shown}{extra} "
        f"seconds={row['seconds']} (load {row['load_s']}, predicates {row['predicates_s']}) "
        f"peak={row['peak_mib']} MiB (before atoms {row['rss_before_mib']})"
        + (f" bitset op {row['bitset_op_us']} us" if "bitset_op_us" in row else "")
        + (
            f" (fwd {row['fwd_s']} s, acl+zone {row['acl_zone_s']} s, count {row.get('count_s')} s)"
            if "fwd_s" in row
            else ""
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("topologies", nargs="*")
    parser.add_argument("--synth", type=int, nargs="*", default=[], help="also synthetic cities of these sizes")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--budget", type=float, default=120.0, help="CPU seconds per refinement")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print rows as JSON lines")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.topologies[0], args.variants[0], args.budget)))
        return 0
    topologies = list(args.topologies or ([] if args.synth else SAMPLES))
    topologies += [synth_city(devices) for devices in args.synth]
    for topology in topologies:
        for variant in args.variants:
            command = [sys.executable, __file__, topology, "--one", "--variants", variant, "--budget", str(args.budget)]
            done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
            if done.returncode != 0:
                print(f"{topology} {variant}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps(row) if args.json else row_text(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
