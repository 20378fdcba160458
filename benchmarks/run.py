"""Benchmarks (not tests): wall time, CPU time and peak memory of `verify`, stage by stage,
on generated cities of growing size.

For each size N (devices) a synthetic city is generated with 200 ACL entries and 5 host
segments per device (the target shape: 1,000 devices / 200,000 ACL lines / 5,000
segments; see nankoku_netcheck/synth.py). Then, each in a fresh process so that its peak
RSS is its own:

- floor: read every config file and split it into lines;
- ciscoconfparse2: build ciscoconfparse2's tree of every config (ciscoconfparse2 alone);
- cold: verify with an empty parse cache, by stage: parse, graph, reach, rules, report;
- warm: verify again, the parse cache filled;
- edit: add one ACL entry to one access switch and verify again (warm cache: that one
  config is parsed again, everything else comes from the cache).

Without --quick, two more runs go end to end as the command line does, through `analyze`
with the cache and rendering one report (text), their imports included; they come after
warm and before edit:

- warm e2e: the parse cache filled, no result kept yet (the whole-run result is computed
  and kept);
- unchanged: the same again, nothing changed: the kept result is returned
  (result_cache.py), nothing is parsed or searched;
- edit e2e: the first `verify` after the edit, through `analyze`, with the cache as `unchanged`
  left it (the `edit` run above used a copy): the edited config is parsed, the result cache
  misses, the searches the edit cannot affect are taken from the store (incremental.py), the
  rest are searched; the row records how many were re-used.
- diff e2e: `diff` of the city before the edit (a copy, read as `diff --base-ref` reads a
  revision's export) against the edited one, one text report, with a copy of the cache as it
  was before `edit e2e` (it holds the searches of the state before the edit, as after a
  `verify` of the committed configs): what an admin waits for before pushing the change.

All rules run (what `verify` runs by default); the rules stage is also split by family.

    python benchmarks/run.py                                  # N = 100, table on stdout
    python benchmarks/run.py --devices 100 300 1000 --results # also benchmarks/RESULTS.md + results.json
    python benchmarks/run.py --quick --gate                   # what CI runs: N = 100, cold only, speed gate
    python benchmarks/run.py --devices 100 300 --backend cudd oxidd --results --merge   # engines side by side

Rows are kept per (devices, engine, date): `--merge` adds today's rows next to the committed
ones. `--gate` fails (exit 1) when the N = 100 cold run took more than GATE_FACTOR times the
CPU seconds of the newest committed row of the same engine (CPU, not wall: CI shares the
machine, and waiting for a core is not a regression of ours).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ACL_LINES_PER_DEVICE = 200
SEGMENTS_PER_DEVICE = 5
EDITED_DEVICE = "lg-as0001"
REPORT_FORMATS = ("text", "json", "sarif", "junit", "md", "csv", "html")
GATE_DEVICES = 100
GATE_FACTOR = 2.0
# Rows committed before rows named their engine and date were all measured with CUDD then.
LEGACY_ENGINE = "cudd"
LEGACY_DATE = "2026-11-26"


# --- measuring ---------------------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (parse workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mib() -> float:
    """Peak resident memory so far of this process or of any finished child (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


class Meter:
    """Wall and CPU time of consecutive stages, and the peak RSS at the end of each."""

    def __init__(self) -> None:
        self.stages: list[dict[str, Any]] = []
        self._started = time.perf_counter()
        self._cpu = cpu_seconds()
        self._wall0, self._cpu0 = self._started, self._cpu

    def stage(self, name: str) -> None:
        now, cpu = time.perf_counter(), cpu_seconds()
        self.stages.append(
            {
                "stage": name,
                "wall_s": round(now - self._started, 3),
                "cpu_s": round(cpu - self._cpu, 3),
                "peak_rss_mib": peak_rss_mib(),
            }
        )
        self._started, self._cpu = now, cpu

    def total(self) -> dict[str, Any]:
        return {
            "stage": "total",
            "wall_s": round(time.perf_counter() - self._wall0, 3),
            "cpu_s": round(cpu_seconds() - self._cpu0, 3),
            "peak_rss_mib": peak_rss_mib(),
        }


# --- the measured runs (each in its own process) -----------------------------------------------------------


def config_paths(topology: Path) -> list[Path]:
    return sorted((topology.parent / "device_configs").glob("*.cfg"))


def run_floor(topology: Path) -> dict[str, Any]:
    meter = Meter()
    lines = 0
    for path in config_paths(topology):
        lines += len(path.read_bytes().decode("utf-8").splitlines())
    meter.stage("floor")
    return {"stages": meter.stages, "config_lines": lines}


def run_ciscoconfparse2(topology: Path) -> dict[str, Any]:
    from ciscoconfparse2 import CiscoConfParse
    from loguru import logger

    logger.disable("ciscoconfparse2")  # as the parsers do: no log records to format
    meter = Meter()
    for path in config_paths(topology):
        CiscoConfParse(config=path.read_bytes().decode("utf-8").splitlines(), ignore_blank_lines=False)
    meter.stage("ciscoconfparse2")
    return {"stages": meter.stages}


def run_verify(topology: Path, cache_dir: Path | None, backend: str, jobs: int | None) -> dict[str, Any]:
    """verify, stage by stage, as `analyze` runs it."""
    from nankoku_netcheck.analyze import (
        Loaded,
        analyze_loaded,
        available_cores,
        flow_context,
        packet_space,
        parse_devices,
        prepare_store,
    )
    from nankoku_netcheck.cache import ParseCache
    from nankoku_netcheck.graph import build_network
    from nankoku_netcheck.model import ZoneKind
    from nankoku_netcheck.profiles import pair_policies
    from nankoku_netcheck.reach.budget import DEFAULT_BUDGET
    from nankoku_netcheck.report import render, shared_digest
    from nankoku_netcheck.rules import REGISTRY
    from nankoku_netcheck.rules.presearch import search_with, start_search_worker, stop_search_worker
    from nankoku_netcheck.topology import load_topology, read_device_configs

    meter = Meter()
    cache = ParseCache(cache_dir) if cache_dir is not None else None
    topology_model = load_topology(str(topology))
    configs = read_device_configs(topology_model)
    devices = parse_devices(topology_model, configs, cache, jobs or available_cores())
    meter.stage("parse")
    loaded = Loaded(topology_model, configs, devices, build_network(topology_model, devices))
    meter.stage("graph")
    space = packet_space(backend, cache)
    rule_ids = [rule.id for rule in REGISTRY]
    # As analyze does: the search worker starts before the long ACLs compile, makes searches with
    # this process, then reads certificate lines while this process runs the rules.
    worker = start_search_worker(
        loaded.network, configs, rule_ids, cache, jobs or available_cores(), space.backend, DEFAULT_BUDGET
    )
    prepare_store(space, loaded, jobs or available_cores())
    context = flow_context(loaded, space)
    # Every flow the rules ask for: from each zone and external peer, from the public
    # internet, and with routing ignored (ZONE-008) from each zone of a zone pair.
    classes = [zone.id for zone in topology_model.zones]
    classes += [f"peer:{peer.id}" for peer in topology_model.external_peers]
    classes += [
        f"public:{zone.id}" for zone in topology_model.zones if zone.kind is ZoneKind.INTERNET and zone.upstream
    ]
    search_with(context, worker)
    for source_class in classes:
        context.reach(source_class)
    for source_class in sorted({policy.from_zone for policy in pair_policies(topology_model)}):
        context.reach(source_class, routing=False)
    meter.stage("reach")
    rule_times: dict[str, float] = {}
    clock = {"rule": "", "at": time.perf_counter()}

    def progress(stage: str) -> None:
        now = time.perf_counter()
        if clock["rule"]:
            family = rule_family(str(clock["rule"]))
            rule_times[family] = rule_times.get(family, 0.0) + now - float(clock["at"])
        clock.update(rule=stage if stage != "reach" else "", at=now)

    try:
        result = analyze_loaded(
            loaded,
            space,
            context=context,
            progress=progress,
            timestamp="2026-01-01T00:00:00Z",
            today=dt.date(2026, 1, 1),
            search_worker=worker,
        ).result
    finally:
        stop_search_worker(worker)
    progress("")
    meter.stage("rules")
    digest = shared_digest(result, REPORT_FORMATS)
    for output_format in REPORT_FORMATS:
        render(result, output_format, "en", digest)
    meter.stage("report")
    total = meter.total()
    errors = sorted({f.rule for f in result.findings if f.severity == "error"})
    return {
        "stages": meter.stages,
        "total": total,
        "rules_by_family": {k: round(v, 3) for k, v in rule_times.items()},
        "stats": result.stats,
        "findings": len(result.findings),
        "error_rules": errors,
        "cache_hits": cache.hits if cache else 0,
        "cache_misses": cache.misses if cache else 0,
        "engine": space.backend,
    }


def run_end_to_end(topology: Path, cache_dir: Path | None, backend: str, jobs: int | None) -> dict[str, Any]:
    """verify as the command line runs it: `analyze` with the cache (and so the result
    cache), then one report; the package's imports are measured too (a re-run that finds
    its result spends most of its time importing)."""
    meter = Meter()
    from nankoku_netcheck.analyze import analyze, available_cores
    from nankoku_netcheck.cache import ParseCache
    from nankoku_netcheck.report import RENDERERS

    meter.stage("import")
    said: list[str] = []
    result = analyze(
        str(topology),
        backend=backend,
        timestamp="2026-01-01T00:00:00Z",
        today=dt.date(2026, 1, 1),
        cache=ParseCache(cache_dir) if cache_dir is not None else None,
        jobs=jobs or available_cores(),
        progress=said.append,
    )
    meter.stage("analyze")
    RENDERERS["text"](result, "en")
    meter.stage("report")
    reused = next(
        (stage.removeprefix("searches re-used: ") for stage in said if stage.startswith("searches re-used")), ""
    )
    return {"stages": meter.stages, "total": meter.total(), "findings": len(result.findings), "searches_reused": reused}


def run_diff(topology: Path, before: Path, cache_dir: Path | None, backend: str) -> dict[str, Any]:
    """diff as the command line runs it with `--base-ref`: the revision's export (`before`, a
    folder of its own) against the working tree's topology, then one text report."""
    meter = Meter()
    from nankoku_netcheck.cache import ParseCache
    from nankoku_netcheck.diff import diff_topologies
    from nankoku_netcheck.report.diff_report import render_diff_text

    meter.stage("import")
    root = str(before.parent)
    result = diff_topologies(
        str(before),
        str(topology),
        backend=backend,
        cache=ParseCache(cache_dir) if cache_dir is not None else None,
        today=dt.date(2026, 1, 1),
        before_display=(root, "HEAD:"),
        before_root=root,
    )
    meter.stage("diff")
    render_diff_text(result, "en")
    meter.stage("report")
    return {"stages": meter.stages, "total": meter.total(), "changes": len(result.changes)}


def rule_family(rule_id: str) -> str:
    if rule_id == "certificates":
        return "isolation certificates"
    prefix = rule_id.split("-")[0]
    if prefix in ("ZONE", "ACL", "RT", "META"):
        return {"RT": "ACL"}.get(prefix, prefix) + " rules"
    return "device rules"


CHILD_RUNS: dict[str, Callable[..., dict[str, Any]]] = {
    "floor": lambda args: run_floor(args.topology),
    "ciscoconfparse2": lambda args: run_ciscoconfparse2(args.topology),
    "verify": lambda args: run_verify(args.topology, args.cache_dir, args.backend[0], args.jobs),
    "end-to-end": lambda args: run_end_to_end(args.topology, args.cache_dir, args.backend[0], args.jobs),
    "diff": lambda args: run_diff(args.topology, args.before, args.cache_dir, args.backend[0]),
}


class TimedOut(Exception):
    """A run took longer than --timeout."""


def in_fresh_process(
    kind: str,
    topology: Path,
    backend: str,
    jobs: int | None,
    cache_dir: Path | None = None,
    timeout: float | None = None,
    before: Path | None = None,
) -> dict[str, Any]:
    """Run one measurement in a new interpreter: its peak RSS and CPU are its own."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        "--topology",
        str(topology),
        "--backend",
        backend,
    ]
    if jobs:
        command += ["--jobs", str(jobs)]
    if cache_dir is not None:
        command += ["--cache-dir", str(cache_dir)]
    if before is not None:
        command += ["--before", str(before)]
    # Imports as an installed package has them: pip compiles bytecode on install. Without this a
    # PYTHONDONTWRITEBYTECODE=1 environment (this project's sandbox) recompiles every module in each
    # child, ~0.25 s a process, which users do not pay.
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=timeout, env=environment
        )
    except subprocess.TimeoutExpired as expired:
        raise TimedOut(kind) from expired
    if completed.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{completed.stderr}")
    return json.loads(completed.stdout.splitlines()[-1])


# --- one size ----------------------------------------------------------------------------------------------


def edit_one_device(topology: Path) -> None:
    """A typical change: one more deny entry in one access switch's VLAN ACL."""
    path = topology.parent / "device_configs" / f"{EDITED_DEVICE}.cfg"
    text = path.read_text(encoding="utf-8")
    marker = "ip access-list extended VLAN10-IN\n"
    if marker not in text:
        raise RuntimeError(f"{path} has no {marker.strip()}")
    path.write_text(text.replace(marker, marker + " deny tcp any host 10.159.255.250 eq 23\n", 1), encoding="utf-8")


def measure_size(
    devices: int,
    backend: str,
    jobs: int | None,
    work: Path,
    quick: bool,
    log: Callable[[str], None],
    timeout: float | None = None,
) -> dict[str, Any]:
    from nankoku_netcheck.synth import CitySpec, generate

    spec = CitySpec(
        devices=devices, acl_lines=ACL_LINES_PER_DEVICE * devices, segments=SEGMENTS_PER_DEVICE * devices, seed=1
    )
    started = time.perf_counter()
    topology = generate(spec, work / f"city-{devices}")
    generated = round(time.perf_counter() - started, 2)
    cache_dir = work / f"cache-{devices}"
    # The state before the edit, and the cache as `edit e2e` finds it, for `diff e2e`.
    before, diff_cache = work / f"city-{devices}-before", work / f"cache-{devices}-diff"
    # The stage-by-stage edit run fills a copy: the end-to-end runs after it find the cache as
    # a user's first run after the edit does (the edited config not parsed yet, nothing of it kept).
    edit_cache = work / f"cache-{devices}-edit"
    runs: dict[str, Any] = {}
    plan = [("floor", None), ("ciscoconfparse2", None), ("cold", cache_dir)]
    if not quick:
        plan += [("warm", cache_dir), ("warm e2e", cache_dir), ("unchanged", cache_dir), ("edit", edit_cache)]
        plan += [("edit e2e", cache_dir), ("diff e2e", diff_cache)]
    for name, cache in plan:
        if name == "edit":
            shutil.copytree(topology.parent, before)
            shutil.copytree(cache_dir, edit_cache)
            edit_one_device(topology)
        if name == "edit e2e":
            shutil.copytree(cache_dir, diff_cache)
        kind = name if name in ("floor", "ciscoconfparse2") else "verify"
        kind = "end-to-end" if name in END_TO_END_RUNS else kind
        kind = "diff" if name == "diff e2e" else kind
        log(f"  N={devices}: {name} ...")
        try:
            runs[name] = in_fresh_process(
                kind, topology, backend, jobs, cache, timeout, before / topology.name if kind == "diff" else None
            )
        except TimedOut:
            log(f"  N={devices}: {name} did not finish within {timeout} s")
            runs[name] = {"timed_out_s": timeout}
            break
        if kind in ("verify", "end-to-end", "diff"):
            total = runs[name]["total"]
            log(f"  N={devices}: {name} {total['wall_s']} s, peak {total['peak_rss_mib']} MiB")
    for folder in (work / f"city-{devices}", cache_dir, before, diff_cache, edit_cache):
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "devices": devices,
        "engine": chosen_engine(backend),
        "date": dt.date.today().isoformat(),
        "acl_lines_requested": spec.acl_lines,
        "segments_requested": spec.segments,
        "generate_s": generated,
        "config_lines": runs["floor"]["config_lines"],
        "runs": runs,
    }


# The runs that go through `analyze` and one report, as the command line does.
END_TO_END_RUNS = ("warm e2e", "unchanged", "edit e2e", "diff e2e")


def chosen_engine(backend: str) -> str:
    from nankoku_netcheck.reach.packets import chosen_backend

    return chosen_backend(backend)


def engine_of(size: dict[str, Any]) -> str:
    return str(size.get("engine", LEGACY_ENGINE))


def date_of(size: dict[str, Any]) -> str:
    return str(size.get("date", LEGACY_DATE))


def size_key(size: dict[str, Any]) -> tuple[int, str, str]:
    return int(size["devices"]), engine_of(size), date_of(size)


# --- the CI speed gate --------------------------------------------------------------------------------------


def gate_reference(committed: list[dict[str, Any]], engine: str) -> dict[str, Any] | None:
    """The newest committed cold run of the gate's city with `engine`."""
    candidates = [
        size
        for size in committed
        if int(size["devices"]) == GATE_DEVICES and engine_of(size) == engine and finished(size["runs"].get("cold"))
    ]
    return max(candidates, key=date_of, default=None)


def speed_gate(measured: dict[str, Any], committed: list[dict[str, Any]], factor: float = GATE_FACTOR) -> str | None:
    """Why CI fails (a message), or None: `measured` (a size just run) against the committed
    table. A size other than the gate's, or an engine with no committed row, passes with
    nothing to compare (the message would be about a table, not about the code)."""
    if int(measured["devices"]) != GATE_DEVICES:
        return None
    cold = measured["runs"].get("cold")
    if not finished(cold):
        return f"speed gate: the {GATE_DEVICES}-device cold run did not finish"
    reference = gate_reference(committed, engine_of(measured))
    if reference is None:
        return None
    now = float(cold["total"]["cpu_s"])
    before = float(reference["runs"]["cold"]["total"]["cpu_s"])
    if now <= factor * before:
        return None
    return (
        f"speed gate: the {GATE_DEVICES}-device city's cold verify took {now:.1f} s of CPU with "
        f"{engine_of(measured)}, {now / before:.1f}× the committed {before:.1f} s "
        f"(benchmarks/results.json, {date_of(reference)}); more than {factor:g}× fails"
    )


# --- tables -------------------------------------------------------------------------------------------------


def stage(run: dict[str, Any], name: str) -> dict[str, Any]:
    return next(item for item in run["stages"] if item["stage"] == name)


def finished(run: dict[str, Any] | None) -> bool:
    return run is not None and "timed_out_s" not in run


def summary_rows(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        runs = size["runs"]
        cold = runs.get("cold")
        if not finished(cold) or not finished(runs.get("ciscoconfparse2")):
            limit = next((run["timed_out_s"] for run in runs.values() if "timed_out_s" in run), "?")
            ccp2_run = runs.get("ciscoconfparse2")
            rows.append(
                {
                    "devices": size["devices"],
                    "engine": engine_of(size),
                    "date": date_of(size),
                    "acl_lines": size["acl_lines_requested"],
                    "segments (all / host)": f"? / {size['segments_requested']}",
                    "config lines": size["config_lines"],
                    "floor s": stage(runs["floor"], "floor")["wall_s"],
                    "ccp2 alone s": stage(ccp2_run, "ciscoconfparse2")["wall_s"] if finished(ccp2_run) else "",
                    "cold verify s": f"> {limit} (stopped)",
                }
            )
            continue
        floor = stage(runs["floor"], "floor")["wall_s"]
        ccp = stage(runs["ciscoconfparse2"], "ciscoconfparse2")["wall_s"]
        parse = stage(cold, "parse")["wall_s"]
        row = {
            "devices": size["devices"],
            "engine": engine_of(size),
            "date": date_of(size),
            "acl_lines": cold["stats"]["acl_lines"],
            "segments (all / host)": f"{cold['stats']['segments']} / {size['segments_requested']}",
            "config lines": size["config_lines"],
            "floor s": floor,
            "ccp2 alone s": ccp,
            "parse cold s": parse,
            "parse / ccp2": ratio(parse, ccp),
            "parse / floor": ratio(parse, floor),
            "cold verify s": cold["total"]["wall_s"],
            "cold CPU s": cold["total"]["cpu_s"],
            "cold peak RSS MiB": cold["total"]["peak_rss_mib"],
        }
        for name in ("warm", "edit"):
            if name in runs:
                row[f"{name} verify s"] = (
                    runs[name]["total"]["wall_s"]
                    if finished(runs[name])
                    else f"> {runs[name]['timed_out_s']} (stopped)"
                )
        for name in END_TO_END_RUNS:
            if finished(runs.get(name)):
                row[f"{name} CPU s"] = runs[name]["total"]["cpu_s"]
        if finished(runs.get("edit e2e")):
            row["edit e2e searches re-used"] = runs["edit e2e"].get("searches_reused", "")
        rows.append(row)
    return rows


def stage_rows(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        for run_name in ("cold", "warm", "warm e2e", "unchanged", "edit", "edit e2e", "diff e2e"):
            run = size["runs"].get(run_name)
            if not finished(run):
                continue
            for item in [*run["stages"], run["total"]]:
                rows.append(
                    {
                        "devices": size["devices"],
                        "engine": engine_of(size),
                        "date": date_of(size),
                        "run": run_name,
                        "stage": item["stage"],
                        "wall s": item["wall_s"],
                        "CPU s": item["cpu_s"],
                        "peak RSS MiB": item["peak_rss_mib"],
                    }
                )
    return rows


def family_rows(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        if not finished(size["runs"].get("cold")):
            continue
        families = size["runs"]["cold"]["rules_by_family"]
        rows.append(
            {
                "devices": size["devices"],
                "engine": engine_of(size),
                "date": date_of(size),
                **{
                    name: families.get(name, 0.0)
                    for name in ("ZONE rules", "ACL rules", "device rules", "META rules", "isolation certificates")
                },
            }
        )
    return rows


def growth(sizes: list[dict[str, Any]]) -> list[str]:
    """Per engine and date: the exponent k of time ∝ N^k between the smallest size ≥ 300 and
    the largest, next to N log N's over the same range."""
    lines = []
    for engine, date in sorted({(engine_of(s), date_of(s)) for s in sizes}, key=lambda pair: (pair[1], pair[0])):
        measured = sorted(
            (s["devices"], s["runs"]["cold"]["total"]["wall_s"])
            for s in sizes
            if s["devices"] >= 300 and (engine_of(s), date_of(s)) == (engine, date) and finished(s["runs"].get("cold"))
        )
        if len(measured) < 2:
            continue
        (n_small, t_small), (n_big, t_big) = measured[0], measured[-1]
        exponent = math.log(t_big / t_small) / math.log(n_big / n_small)
        n_log_n = math.log(n_big * math.log(n_big) / (n_small * math.log(n_small))) / math.log(n_big / n_small)
        lines.append(
            f"Growth of the cold verify ({engine}, {date}) from N={n_small} to N={n_big}: time ∝ N^{exponent:.2f} "
            f"(N log N over the same range: N^{n_log_n:.2f})."
        )
    return lines


def side_by_side_rows(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each stage of the engines measured on the same day, next to each other: the ratio is
    the other engine's CPU time over CUDD's (below 1: faster than CUDD). CPU, not wall: on a
    shared machine the wall clock measures the neighbours."""
    by_key = {size_key(size): size for size in sizes}
    rows = []
    for devices, engine, date in sorted(by_key):
        reference = by_key.get((devices, "cudd", date))
        if engine == "cudd" or reference is None:
            continue
        size = by_key[(devices, engine, date)]
        for run_name in ("cold", "warm", "edit"):
            run, base = size["runs"].get(run_name), reference["runs"].get(run_name)
            if not finished(run) or not finished(base):
                continue
            for item, base_item in zip([*run["stages"], run["total"]], [*base["stages"], base["total"]], strict=True):
                rows.append(
                    {
                        "devices": devices,
                        "date": date,
                        "run": run_name,
                        "stage": item["stage"],
                        "cudd CPU s": base_item["cpu_s"],
                        f"{engine} CPU s": item["cpu_s"],
                        f"{engine} / cudd": ratio(item["cpu_s"], base_item["cpu_s"]),
                        "cudd wall s": base_item["wall_s"],
                        f"{engine} wall s": item["wall_s"],
                        "cudd peak MiB": base_item["peak_rss_mib"],
                        f"{engine} peak MiB": item["peak_rss_mib"],
                    }
                )
    return rows


def ratio(value: float, base: float) -> str:
    return f"{value / base:.1f}×" if base else "-"


def markdown(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    # Every column any row has, in the order they first appear (older rows lack newer columns).
    columns = list(dict.fromkeys(column for row in rows for column in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    from nankoku_netcheck.reach.packets import PacketSpace

    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            memory = f"{int(handle.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        import dd

        dd_version = dd.__version__
    except (ImportError, AttributeError):
        dd_version = "?"
    return {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
        "bdd": f"{PacketSpace().backend} by default (dd {dd_version}, oxidd {oxidd_version()})",
    }


def oxidd_version() -> str:
    try:
        import oxidd

        return str(oxidd.__version__)
    except (ImportError, AttributeError):
        return "not installed"


def render(sizes: list[dict[str, Any]], about: dict[str, Any]) -> str:
    parts = [
        f"Machine: {about['machine']}, {about['cpus']} CPUs, {about['memory']} RAM, {about['system']}; "
        f"Python {about['python']}; BDD engine {about['bdd']}.",
        "",
        "Times in seconds (wall clock unless marked CPU); peak RSS in MiB, including finished parse workers.",
        "",
        "## Summary",
        "",
        markdown(summary_rows(sizes)),
        "",
        *growth(sizes),
        "",
        "## Engines side by side (same city, same day; CPU ratio below 1: faster than CUDD)",
        "",
        markdown(side_by_side_rows(sizes)),
        "",
        "## Stages",
        "",
        markdown(stage_rows(sizes)),
        "",
        "## Rules stage of the cold run, by rule family",
        "",
        markdown(family_rows(sizes)),
    ]
    return "\n".join(parts) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, nargs="*", default=[100])
    parser.add_argument(
        "--backend",
        nargs="+",
        default=["auto"],
        choices=["auto", "cudd", "oxidd", "autoref"],
        help="BDD engines to measure, one after the other on each size (default: the default one)",
    )
    parser.add_argument(
        "--gate",
        action="store_true",
        help=f"fail if the {GATE_DEVICES}-device cold run takes over {GATE_FACTOR:g}× the committed CPU time",
    )
    parser.add_argument("--jobs", type=int, default=None, help="parse processes (default: one per core)")
    parser.add_argument("--quick", action="store_true", help="CI mode: the first size, cold run only")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "out",
        help="where results.md and results.json go (default: benchmarks/out)",
    )
    parser.add_argument(
        "--results",
        action="store_true",
        help="write benchmarks/RESULTS.md and benchmarks/results.json (the committed table)",
    )
    parser.add_argument(
        "--cold-only-from",
        type=int,
        default=None,
        metavar="N",
        help="sizes of N devices and more: the cold run only (no warm and edit runs)",
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="stop a run after this many seconds; the table shows it as stopped"
    )
    parser.add_argument(
        "--merge", action="store_true", help="with --results: keep the committed sizes not measured in this run"
    )
    parser.add_argument(
        "--label",
        default=None,
        help="the rows' date label instead of today's date (a second measurement the same day: 2026-12-07b; "
        "labels sort as text, the newest last)",
    )
    parser.add_argument("--child", choices=sorted(CHILD_RUNS), help=argparse.SUPPRESS)
    parser.add_argument("--topology", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--before", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILD_RUNS[args.child](args)))
        return 0
    sizes_wanted = args.devices[:1] if args.quick else args.devices

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    about = machine()
    sizes: list[dict[str, Any]] = []
    committed = committed_sizes()
    today = args.label or dt.date.today().isoformat()
    measuring = {(devices, chosen_engine(backend), today) for devices in sizes_wanted for backend in args.backend}
    kept = [size for size in committed if size_key(size) not in measuring] if args.merge and args.results else []
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for devices in sizes_wanted:
            cold_only = args.quick or (args.cold_only_from is not None and devices >= args.cold_only_from)
            for backend in args.backend:
                log(f"  N={devices}: engine {chosen_engine(backend)}")
                size = measure_size(devices, backend, args.jobs, Path(tmp), cold_only, log, args.timeout)
                size["date"] = today
                sizes.append(size)
                failure = speed_gate(size, committed) if args.gate else None
                if failure:
                    failures.append(failure)
                merged = sorted(kept + sizes, key=lambda item: (date_of(item), int(item["devices"]), engine_of(item)))
                # After each size: long runs keep what they have.
                text = write_results(merged, about, args.out, args.results)
    print(text)
    for failure in failures:
        log(failure)
    return 1 if failures else 0


def committed_sizes() -> list[dict[str, Any]]:
    """The sizes in the committed results.json."""
    path = ROOT / "benchmarks" / "results.json"
    if not path.is_file():
        return []
    sizes: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["sizes"]
    return sizes


def write_results(sizes: list[dict[str, Any]], about: dict[str, Any], out: Path, committed: bool) -> str:
    text = render(sizes, about)
    payload = json.dumps({"machine": about, "sizes": sizes}, indent=1) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(text, encoding="utf-8")
    (out / "results.json").write_text(payload, encoding="utf-8")
    if committed:
        header = "# Benchmark results\n\nGenerated by `python benchmarks/run.py --devices ... --results`.\n\n"
        (ROOT / "benchmarks" / "RESULTS.md").write_text(header + text, encoding="utf-8")
        (ROOT / "benchmarks" / "results.json").write_text(payload, encoding="utf-8")
    return text


if __name__ == "__main__":
    sys.exit(main())
