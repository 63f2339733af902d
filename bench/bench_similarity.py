"""The similarity report on a class of 100: how long it adds to ``grade``, and what it flags.

    python bench/bench_similarity.py [--count 100]

The class is built from what tests/classkit.py has: master copies, copies of one submission
written in another style, untouched releases (a third each), and every tenth entry a disguised
copy (renamed locals, comments dropped, functions reordered) of the entry before it. Two styles
for a class of 100 is far from a real class, where each student's code differs: each style here
is shared by a third of the class, which is exactly what the report leaves out as "what the
exercise makes everybody write" (more than max(4, 10%) of the class), except between identical
own code. So this bench measures the time (against ~3.5 min for ``grade`` of 100, README) and
shows that limit; tests/test_class_policy.py checks the flags on a class of one each.
"""

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(KIT_ROOT), str(KIT_ROOT / "tests")]

from benchkit import cpu_model  # noqa: E402
from classkit import disguised_copy, independent, master_copy, release_copy  # noqa: E402

from autograder.engine.similarity import compare, read_entry, write_similarity_report  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        subs, kinds, sources = Path(scratch) / "class", {}, {}
        makers = [("master", master_copy), ("independent", independent), ("release", release_copy)]
        for index in range(args.count):
            kind, make = makers[index % 3]
            name = f"s{index:03d}_{kind}"
            if index % 10 == 9:  # every tenth: a disguised copy of the one before
                previous = sorted(subs.iterdir())[-1]
                disguised_copy(previous, subs / (name := f"s{index:03d}_copy_of_{previous.name}"))
                kind = "copy"
            else:
                make(subs / name)
            kinds[name] = kind
            if kind == "copy":
                sources[name] = previous.name
        entries = [(path, path.name) for path in sorted(subs.iterdir())]
        started = time.perf_counter()
        flagged = write_similarity_report(Path(scratch), entries, log=lambda m: None)
        seconds = time.perf_counter() - started
        pairs = [p for p in compare([read_entry(p, i) for p, i in entries]) if p.flagged]
    by_kind = Counter(tuple(sorted((kinds[p.a.submission], kinds[p.b.submission]))) for p in pairs)
    print(f"CPU: {cpu_model()}")
    print(f"{args.count} submissions: similarity report in {seconds:.2f} s, {flagged} pairs flagged")
    for (a, b), n in sorted(by_kind.items()):
        print(f"  {a} / {b}: {n}")
    found = {frozenset((p.a.submission, p.b.submission)) for p in pairs}
    for kind in ("master", "independent", "release"):
        planted = [(c, s) for c, s in sources.items() if kinds[s] == kind]
        hits = sum(frozenset((c, s)) in found for c, s in planted)
        why = "" if hits == len(planted) else " (a release has no code of its own to copy)" if kind == "release" \
            else " (that code is shared by a third of this class: left out, as MOSS's -m does)"
        print(f"disguised copies of {kind} entries flagged with their source: {hits} of {len(planted)}{why}")


if __name__ == "__main__":
    main()
