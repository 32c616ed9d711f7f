"""`python benchmarks/profile.py`: where each framework spends its time per request, by owner."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psutil

from benchmarks.harness.endpoints import ENDPOINTS, verify
from benchmarks.harness.load import Wrk, script_for, script_for_all
from benchmarks.harness.profiling import GROUPS, Profile, parse_stacks, record
from benchmarks.harness.server import FRAMEWORKS, Server, ServerError

__all__ = ["main"]

RESULTS = Path(__file__).resolve().parents[1] / "results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchmarks/profile.py",
        description="Sample each framework's server with py-spy under wrk load and report, per "
        "endpoint, the CPU time per request split by owner (kwik, Starlette, Pydantic, uvicorn, "
        "event loop) and the hottest functions.",
    )
    parser.add_argument("--frameworks", default="kwik,starlette", help="(kwik,starlette)")
    parser.add_argument(
        "--endpoints",
        default=",".join(e.key for e in ENDPOINTS),
        help=f"({','.join(e.key for e in ENDPOINTS)})",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds sampled (10)")
    parser.add_argument("--rate", type=int, default=250, help="samples per second (250)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--top", type=int, default=15, help="functions listed per endpoint (15)")
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS / "profile-latest.md",
        help="the Markdown report (benchmarks/results/profile-latest.md); '-' for none",
    )
    parser.add_argument(
        "--stacks", type=Path, help="keep py-spy's raw stacks here (flamegraph.pl input)"
    )
    return parser


def _profile(
    framework: str, endpoints: list[str], args: argparse.Namespace, stacks: Path
) -> list[Profile]:
    wrk = Wrk(1, args.connections, args.duration, cpu=1)
    profiles = []
    with Server(FRAMEWORKS[framework], log_path=stacks / f"{framework}.log", cpu=0) as server:
        prefix = FRAMEWORKS[framework].prefix
        failures = verify(server.host, server.port, prefix=prefix)
        if failures:
            raise ServerError("answers wrongly:\n  " + "\n  ".join(failures))
        base_url = f"http://{server.host}:{server.port}"
        everything = tuple(e.under(prefix) for e in ENDPOINTS)
        wrk.run(base_url, "/", script_for_all(everything), duration_s=3)
        process = psutil.Process(server.pid)

        def cpu_seconds() -> float:
            times = process.cpu_times()
            return times.user + times.system

        for endpoint in (e for e in ENDPOINTS if e.key in endpoints):
            print(f"== {framework} {endpoint.label}: sampling {args.duration}s", file=sys.stderr)
            raw, load, used = record(
                server.pid,
                wrk=wrk,
                base_url=base_url,
                path=endpoint.under(prefix).path,
                script=script_for(endpoint),
                duration_s=args.duration,
                rate=args.rate,
                output=stacks / f"{framework}-{endpoint.key}.txt",
                cpu_seconds=cpu_seconds,
            )
            profile = Profile(framework, endpoint.label, load, used)
            for frames, count in parse_stacks(raw):
                profile.add(frames, count)
            profiles.append(profile)
    return profiles


def render(profiles: list[Profile], top: int) -> str:
    groups = [g for g in GROUPS if any(p.by_group[g] for p in profiles)]
    out = [
        "## CPU per request by owner (self time of the innermost Python frame)",
        "",
        "µs of server CPU per request; the share of samples in brackets. Time in C extensions "
        "counts for the Python code that called them (pydantic-core under `pydantic`, uvloop's "
        "socket writes under `uvicorn`).",
        "",
        "| framework | endpoint | req/s (sampled) | CPU µs/req | " + " | ".join(groups) + " |",
        "|---|---|---:|---:|" + "---:|" * len(groups),
    ]
    for p in profiles:
        cells = [
            f"{p.microseconds(p.by_group, g):.0f} ({p.share(p.by_group, g):.0%})" for g in groups
        ]
        out.append(
            f"| {p.framework} | {p.endpoint} | {p.load.requests_per_s:,.0f} | "
            f"{p.cpu_us_per_request:.0f} | " + " | ".join(cells) + " |"
        )
    for p in profiles:
        out += [
            "",
            f"## {p.framework} {p.endpoint}: hottest lines ({p.samples} samples)",
            "",
            "| µs/req | share | owner: function (file:line) |",
            "|---:|---:|---|",
        ]
        for name, _ in p.by_leaf.most_common(top):
            out.append(
                f"| {p.microseconds(p.by_leaf, name):.1f} | {p.share(p.by_leaf, name):.1%} | "
                f"`{name}` |"
            )
        if p.inclusive:
            out += [
                "",
                f"{p.framework} {p.endpoint}: time under kwik's and the app's functions "
                "(inclusive: everything they call)",
                "",
                "| µs/req | share | function |",
                "|---:|---:|---|",
            ]
            for name, _ in p.inclusive.most_common(top):
                out.append(
                    f"| {p.microseconds(p.inclusive, name):.1f} | "
                    f"{p.share(p.inclusive, name):.1%} | `{name}` |"
                )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    frameworks = [f for f in args.frameworks.split(",") if f]
    endpoints = [e for e in args.endpoints.split(",") if e]
    if unknown := [f for f in frameworks if f not in FRAMEWORKS]:
        print(f"Unknown framework(s) {unknown}; choose from {', '.join(FRAMEWORKS)}")
        return 2
    profiles: list[Profile] = []
    with tempfile.TemporaryDirectory(prefix="kwik-profile-") as temporary:
        stacks = args.stacks or Path(temporary)
        stacks.mkdir(parents=True, exist_ok=True)
        for framework in frameworks:
            profiles += _profile(framework, endpoints, args, stacks)
    date = datetime.now(UTC).replace(microsecond=0).isoformat()
    text = (
        f"# Kwik profile\n\n- {date}; py-spy at {args.rate} Hz for {args.duration}s per endpoint"
        f" under wrk ({args.connections} connections); server on CPU 0, wrk on CPU 1\n\n"
        + render(profiles, args.top)
    )
    print(text)
    if str(args.output) != "-":
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0
