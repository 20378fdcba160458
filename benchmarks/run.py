"""Benchmark: parse and verify time and peak memory, for the bundled sample and for
generated cities. Not a test: it reports numbers; CI runs it small to catch errors.

    python benchmarks/run.py                      # sample + 100 devices
    python benchmarks/run.py --devices 100 300 1000 --acl-lines 200
    python benchmarks/run.py --quick              # what CI runs
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nankoku_netcheck.analyze import load  # noqa: E402
from nankoku_netcheck.reach.engine import ReachEngine, boundary_interfaces  # noqa: E402
from nankoku_netcheck.reach.packets import PacketSpace  # noqa: E402
from nankoku_netcheck.reach.trace import Tracer  # noqa: E402
from nankoku_netcheck.rules import REGISTRY  # noqa: E402
from nankoku_netcheck.rules.flows import FlowContext  # noqa: E402
from nankoku_netcheck.synth import CitySpec, generate  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_isolated(label: str, topology: Path, backend: str) -> dict[str, object]:
    """Run one case in a fresh process so its peak RSS is its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(measure, (label, topology, backend))


def measure(label: str, topology: Path, backend: str) -> dict[str, object]:
    stages: dict[str, float] = {}
    started = time.perf_counter()
    cpu_started = time.process_time()
    loaded = load(str(topology))
    stages["parse+graph"] = time.perf_counter() - started
    mark = time.perf_counter()
    space = PacketSpace(backend)
    engine = ReachEngine(loaded.network, space, boundary_interfaces(loaded.network))
    context = FlowContext(loaded.network, space, engine, Tracer(engine))
    for zone in context.zone_ids():
        context.reach(zone)
    stages["reach"] = time.perf_counter() - mark
    mark = time.perf_counter()
    findings = [finding for rule in REGISTRY for finding in rule.check(context)]
    stages["rules"] = time.perf_counter() - mark
    total = time.perf_counter() - started
    return {
        "case": label,
        "devices": len(loaded.devices),
        "acl_lines": sum(len(a.lines) for d in loaded.devices.values() for a in d.acls.values()),
        "config_lines": sum(len(c.lines) for c in loaded.configs.values()),
        "segments": len(loaded.network.segments),
        "findings": len(findings),
        "engine": space.backend,
        **{f"{name}_s": round(value, 3) for name, value in stages.items()},
        "total_s": round(total, 3),
        "cpu_s": round(time.process_time() - cpu_started, 3),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def acl_compile_bench(lines: int, backend: str) -> dict[str, object]:
    """Build one `lines`-line extended ACL's permit set from scratch (the hot loop of
    the engine) with a fresh BDD manager."""
    import random

    from nankoku_netcheck.parse import parse_config

    rng = random.Random(7)
    body = ["ip access-list extended BIG"]
    for _ in range(lines):
        src = f"10.{rng.randrange(256)}.{rng.randrange(256)}.0 0.0.0.{rng.choice((0, 15, 255))}"
        dst = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
        action = rng.choice(("permit", "permit", "deny"))
        proto = rng.choice(("tcp", "udp"))
        low = rng.randrange(1, 60000)
        ports = rng.choice((f"eq {low}", f"range {low} {low + rng.randrange(1, 500)}", f"gt {low}"))
        body.append(f" {action} {proto} {src} host {dst} {ports}")
    device = parse_config("\n".join(body) + "\n", "bench.cfg")
    acl = device.acls["BIG"]
    started = time.perf_counter()
    space = PacketSpace(backend)
    permitted = space.acl_permits(acl)
    elapsed = time.perf_counter() - started
    return {"case": f"compile {lines}-line ACL", "engine": space.backend, "seconds": round(elapsed, 3),
            "bdd_nodes": len(permitted)}


def diff_bench(devices: int, acl_lines: int, backend: str, work: Path) -> list[dict[str, object]]:
    """Cold verify of a generated city, then one ACL line changed on one gateway and a
    diff run with the parse cache warm (only that file is parsed again)."""
    import shutil

    from nankoku_netcheck.analyze import analyze
    from nankoku_netcheck.cache import ParseCache
    from nankoku_netcheck.diff import diff_topologies

    before = generate(CitySpec(devices=devices, acl_lines=acl_lines), work / "before")
    after_dir = work / "after"
    shutil.copytree(before.parent, after_dir)
    gateway = after_dir / "device_configs" / "lg-gw.cfg"
    text = gateway.read_text(encoding="utf-8")
    marker = " deny ip any any log"
    position = text.index(marker)
    gateway.write_text(text[:position] + " permit tcp 10.128.2.0 0.0.0.255 any eq 443\n" + text[position:],
                       encoding="utf-8")
    cache = ParseCache(work / "cache")
    started = time.perf_counter()
    analyze(str(before), backend=backend, cache=cache)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    analyze(str(before), backend=backend, cache=cache)
    warm = time.perf_counter() - started
    started = time.perf_counter()
    diff = diff_topologies(str(before), str(after_dir / "topology.yaml"), backend=backend, cache=cache)
    diff_time = time.perf_counter() - started
    return [{"case": f"{devices} devices: cold verify (empty cache)", "seconds": round(cold, 2)},
            {"case": f"{devices} devices: warm re-verify (cache)", "seconds": round(warm, 2)},
            {"case": f"{devices} devices: diff after one ACL edit (warm cache)", "seconds": round(diff_time, 2),
             "changes": len(diff.changes)}]


def markdown(rows: list[dict[str, object]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, nargs="*", default=[100])
    parser.add_argument("--acl-lines", type=int, default=200)
    parser.add_argument("--backend", default="auto", choices=["auto", "cudd", "autoref"])
    parser.add_argument("--quick", action="store_true", help="CI mode: sample + the first size only")
    parser.add_argument("--acl-bench", type=int, default=0, metavar="LINES",
                        help="also time compiling one ACL of LINES lines with each BDD backend")
    parser.add_argument("--diff-bench", type=int, default=0, metavar="DEVICES",
                        help="also time cold verify, warm re-verify and diff after one ACL edit")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    sizes = args.devices[:1] if args.quick else args.devices
    rows = []
    sample = ROOT / "topologies" / "nankoku.yaml"
    if sample.exists():
        rows.append(measure_isolated("sample (nankoku.yaml)", sample, args.backend))
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            topology = generate(CitySpec(devices=size, acl_lines=args.acl_lines), Path(tmp) / f"city{size}")
            rows.append(measure_isolated(f"synthetic {size}", topology, args.backend))
    table = markdown(rows)
    if args.diff_bench:
        with tempfile.TemporaryDirectory() as tmp:
            diff_rows = diff_bench(args.diff_bench, args.acl_lines, args.backend, Path(tmp))
        table += "\n\n" + markdown([{**row, "changes": row.get("changes", "")} for row in diff_rows])
    if args.acl_bench:
        acl_rows = [acl_compile_bench(args.acl_bench, backend) for backend in ("cudd", "autoref")]
        table += "\n\n" + markdown(acl_rows)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}\n{table}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(f"machine: {machine}\n\n{table}\n", encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n",
                                           encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
