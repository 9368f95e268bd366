"""The bad-input census: try every case of tests/bad_input_cases.py and count how each ends.

    python benchmarks/census_inputs.py [--timeout SECONDS]

Prints tried / clean / other / hang / accepted, then every case that is not clean with what it did.
A case is clean when it raises a tcplab error or a ValueError/TypeError whose message names the
argument.  Cases marked ``endpoint`` depend on tcplab/core/endpoint.py alone and are listed as such.
"""

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.bad_input_cases import CASES, classify  # noqa: E402

VERDICTS = ("clean", "other", "hang", "accepted")


def main(argv=None):
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--timeout", type=float, default=10.0, help="seconds a case may run before it is a hang")
    args = options.parse_args(argv)
    started = time.perf_counter()
    counts, failures = Counter(), []
    for case in CASES:
        verdict, detail = classify(case, args.timeout)
        counts[verdict] += 1
        if verdict != "clean":
            failures.append((verdict, case, detail))
    elapsed = time.perf_counter() - started
    print(f"tried {len(CASES)}: " + ", ".join(f"{counts[v]} {v}" for v in VERDICTS) + f"  ({elapsed:.1f} s)")
    endpoint = sum(1 for _, case, _ in failures if case.endpoint)
    if failures:
        print(f"\nnot clean ({endpoint} of them in tcplab/core/endpoint.py):")
    for verdict, case, detail in failures:
        where = "  [endpoint]" if case.endpoint else ""
        print(f"  {verdict:<8} {case.id}{where}\n           {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
