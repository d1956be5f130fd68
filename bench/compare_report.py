#!/usr/bin/env python3
"""bench/compare_report.py DIR: the table `make bench-compare` ends with (bench/compare.sh).

DIR holds engine-<round>.txt (je_bench_throughput's output) and reference-<round>.txt
(bench/reference/run.sh's). Every figure is the median over the rounds; each aim compares
medians and ends in one line `AIM <name>: ratio <r> (goal <g>) met|short`. Throughput aims are
met at ratio >= goal, latency aims at ratio <= goal (issue 16). A figure missing in every round
makes its aim `short` with the reason, never a crash: a broken side is a result too.
"""
import re
import statistics
import sys
from pathlib import Path

# The engine's figure names (bench/throughput/engine_bench.cpp) -> our keys.
ENGINE = {
    "drain via in-process runner": "drain",
    "enqueue via je.jobs (in-process)": "enqueue-service",
    "enqueue via POST /jobs/batch": "enqueue-rest",
    "drain via worker bridge (batch claim + batch complete)": "bridge",
    "enqueue -> start latency p50": "latency-p50",
    "enqueue -> start latency p99": "latency-p99",
}
ENGINE_LINE = re.compile(r"^engine\s+(.+?)\s{2,}(\d+(?:\.\d+)?)\s")
# "<queue> <version>  <figure>  <value> [(settings)]" (bench/reference/common.mjs report()).
REF_LINE = re.compile(r"^(graphile-worker|pg-boss) (\S+)  (enqueue|drain|latency)  (.+?)(?:  \(|$)")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def read_rounds(directory, prefix, parse):
    rounds = []
    for path in sorted(directory.glob(f"{prefix}-*.txt")):
        figures = {}
        for line in path.read_text(errors="replace").splitlines():
            parse(line, figures)
        rounds.append(figures)
    return rounds


def parse_engine(line, figures):
    m = ENGINE_LINE.match(line)
    if m and m.group(1).strip() in ENGINE:
        figures[ENGINE[m.group(1).strip()]] = float(m.group(2))


def parse_reference(line, figures):
    m = REF_LINE.match(line)
    if not m:
        return
    queue, version, figure, value = m.groups()
    figures.setdefault("versions", {})[queue] = version
    if figure == "latency":
        p50, p99 = (re.search(rf"{p} (\d+(?:\.\d+)?) ms", value) for p in ("p50", "p99"))
        if p50 and p99:
            figures[f"{queue} latency-p50"] = float(p50.group(1))
            figures[f"{queue} latency-p99"] = float(p99.group(1))
    else:
        n = NUMBER.search(value)
        if n:
            figures[f"{queue} {figure}"] = float(n.group(0))


def median(rounds, key):
    values = [r[key] for r in rounds if key in r]
    return (statistics.median(values), values) if values else (None, [])


def main():
    directory = Path(sys.argv[1])
    engine = read_rounds(directory, "engine", parse_engine)
    reference = read_rounds(directory, "reference", parse_reference)
    versions = {}
    for r in reference:
        versions.update(r.get("versions", {}))
    gw = f"graphile-worker {versions.get('graphile-worker', '?')}"
    boss = f"pg-boss {versions.get('pg-boss', '?')}"

    # (aim, engine key, reference key, goal, higher is better)
    rows = [
        ("drain", "drain", "graphile-worker drain", 1.5, True),
        ("enqueue (je.jobs)", "enqueue-service", "graphile-worker enqueue", 1.2, True),
        ("enqueue (POST /jobs/batch)", "enqueue-rest", "graphile-worker enqueue", 1.2, True),
        ("latency-p50", "latency-p50", "graphile-worker latency-p50", 0.8, False),
        ("latency-p99", "latency-p99", "graphile-worker latency-p99", 1.0, False),
        ("bridge", "bridge", "pg-boss drain", 1.2, True),
    ]
    print(f"medians of {len(engine)} engine and {len(reference)} reference rounds "
          f"(reference: {gw}, {boss})")
    print(f"| {'figure':<28} | {'JobEngine':>10} | {'reference':>10} | {'ratio':>6} | "
          f"{'goal':>6} | rounds (engine; reference) |")
    print("|---|---|---|---|---|---|")
    ratios = {}
    for name, ek, rk, goal, higher in rows:
        e, e_all = median(engine, ek)
        ref, r_all = median(reference, rk)
        ratio = e / ref if e is not None and ref else None
        ratios[name] = (ratio, goal, higher, e is None, ref is None)
        fmt = lambda v: "-" if v is None else f"{v:.1f}"
        sign = ">=" if higher else "<="
        print(f"| {name:<28} | {fmt(e):>10} | {fmt(ref):>10} | "
              f"{'-' if ratio is None else f'{ratio:.2f}':>6} | {sign}{goal:<4} | "
              f"{', '.join(fmt(v) for v in e_all)}; {', '.join(fmt(v) for v in r_all)} |")
    print()

    def verdict(ratio, goal, higher):
        return "met" if (ratio >= goal if higher else ratio <= goal) else "short"

    # One line per aim; `enqueue` is met only when both enqueue paths are.
    enqueue = [ratios["enqueue (je.jobs)"], ratios["enqueue (POST /jobs/batch)"]]
    aims = [
        ("drain", ratios["drain"]),
        ("enqueue", min(enqueue, key=lambda r: float("inf") if r[0] is None else r[0])),
        ("latency-p50", ratios["latency-p50"]),
        ("latency-p99", ratios["latency-p99"]),
        ("bridge", ratios["bridge"]),
    ]
    for name, (ratio, goal, higher, no_engine, no_ref) in aims:
        if ratio is None:
            missing = "the engine's figure" if no_engine else "the reference figure"
            print(f"AIM {name}: ratio - (goal {goal}) short ({missing} is missing)")
        else:
            print(f"AIM {name}: ratio {ratio:.2f} (goal {goal}) {verdict(ratio, goal, higher)}")


if __name__ == "__main__":
    main()
