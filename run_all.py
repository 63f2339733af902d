"""The kit's main job: run every reference lab end to end, then grade the master and the release.

    python run_all.py          # default mode: each lab as a student would run it (figures in out/)
    python run_all.py --fast   # RNNLAB_FAST=1: a smoke run of every lab in a few seconds each

A newcomer sees the whole kit work in one go: the labs print their numbers and write their
figures, ``check`` gives the master full marks, and the untouched student release scores 0 with a
"not implemented yet" line per exercise. Exits non-zero if any step fails.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent


def lab_scripts():
    return sorted(KIT_ROOT.glob("solutions/lab[0-9]*_*.py"), key=lambda p: int(p.stem[3:].split("_")[0]))


def run_step(title, command, env):
    print(f"\n=== {title}", flush=True)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=KIT_ROOT, env=env)
    seconds = time.perf_counter() - started
    status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
    print(f"=== {title}: {status} in {seconds:.0f} s", flush=True)
    return title, result.returncode == 0, seconds


def expect_score(title, json_path, full):
    try:
        result = json.loads((KIT_ROOT / json_path).read_text())
        # Full marks for the master means every point, the bonus (extra credit above max_score) too.
        every_point = result["max_score"] + result.get("bonus_max", 0)
        ok = result["score"] == (every_point if full else 0) and result["max_score"] > 0
        # A release that scored 0 because the grader crashed is not a release that works: every
        # test must say "not implemented yet" (or wait for one that does).
        ok = ok and (full or all(t["status"] in ("not_implemented", "blocked") for t in result["tests"]))
    except (OSError, ValueError, KeyError):
        ok = False
    return title, ok, 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="smoke-run every lab (RNNLAB_FAST=1)")
    args = parser.parse_args()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg")
    if args.fast:
        env["RNNLAB_FAST"] = "1"
    python = sys.executable
    (KIT_ROOT / "out").mkdir(exist_ok=True)
    steps = []
    labs = lab_scripts()
    for index, script in enumerate(labs, 1):
        steps.append(run_step(f"[{index}/{len(labs)}] {script.relative_to(KIT_ROOT)}", [python, str(script)], env))
    steps.append(run_step("check: the master solution (expect full marks)",
                          [python, "-m", "autograder", "check", "solutions", "--json", "out/check-solutions.json"], env))
    steps.append(run_step("check: the untouched student release (expect 0, 'not implemented yet')",
                          [python, "-m", "autograder", "check", "labs", "--json", "out/check-release.json"], env))
    steps.append(expect_score("the master has full marks", "out/check-solutions.json", full=True))
    steps.append(expect_score("the untouched release scores 0", "out/check-release.json", full=False))
    print("\nSummary")
    for title, ok, seconds in steps:
        print(f"  {'ok  ' if ok else 'FAIL'} {seconds:5.0f} s  {title}")
    print(f"Figures are in {KIT_ROOT / 'out'}/")
    return 0 if all(ok for _, ok, _ in steps) else 1


if __name__ == "__main__":
    sys.exit(main())
