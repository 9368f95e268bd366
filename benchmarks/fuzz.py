"""Fuzz the endpoint: random conversations and random raw inputs, each drawn from a seed.

Every seed draws one simulated conversation (random configs, ISNs near 2**32, every open and
close order, aborts, zero windows, loss, duplication, reordering, injected control segments) and
one random input sequence for an endpoint in some state, and checks the promises of
tests/fuzzing.py (a to h).  Prints the examples run, the time, and every distinct failure with
its seeds and the smallest reproduction (Python to paste into a regression test).

    .venv/bin/python benchmarks/fuzz.py                      # 50,000 seeds (make fuzz)
    .venv/bin/python benchmarks/fuzz.py --examples 5000 --jobs 2
    .venv/bin/python benchmarks/fuzz.py --replay 363         # one seed, in detail

Exit status 1 if any promise was broken.
"""

import argparse
import multiprocessing
import pathlib
import random
import sys
import time
from collections import defaultdict

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from tcplab.sim.apps import Connect
from tests.fuzzing import (
    Broken,
    check_conversation,
    check_inputs,
    random_conversation,
    random_inputs,
)


def run_seed(seed):
    """[(what, kind, detail)] for every promise broken by *seed* (empty if none)."""
    failures = []
    conversation = None
    try:
        conversation = random_conversation(random.Random(seed))
        check_conversation(conversation)
    except Broken as broken:
        failures.append(("conversation", kind_of(broken, conversation), str(broken)))
    except Exception as error:  # noqa: BLE001 - a harness bug is reported, not fatal to the run
        failures.append(("conversation", f"(harness) {type(error).__name__}", f"{type(error).__name__}: {error}"))
    try:
        check_inputs(random_inputs(random.Random(seed)))
    except Broken as broken:
        failures.append(("inputs", kind_of(broken, None), str(broken)))
    except Exception as error:  # noqa: BLE001
        failures.append(("inputs", f"(harness) {type(error).__name__}", f"{type(error).__name__}: {error}"))
    return seed, failures


def kind_of(broken, conversation):
    """The failure with numbers and times taken out, and what the conversation had that matters."""
    detail = broken.detail.split(":")[0]
    tags = []
    if conversation is not None:
        if conversation.server_script and isinstance(conversation.server_script[0], Connect):
            tags.append("simultaneous open")
        if any(c.window_scale and c.recv_buffer >> c.window_scale == 0 for c in (conversation.client,
                                                                               conversation.server)):
            tags.append("recv_buffer < 2**window_scale")
        if conversation.hostile:
            tags.append("aborts/injections")
    return f"({broken.promise}) {detail}" + (f"  [{', '.join(tags)}]" if tags else "")


def size(seed, what):
    """How big a reproduction is (steps, faults, bytes), to show the smallest one."""
    if what == "inputs":
        return len(random_inputs(random.Random(seed)).steps)
    c = random_conversation(random.Random(seed))
    return (len(c.client_script) + len(c.server_script) + len(c.faults) + len(c.injections),
            len(c.sent_by("client")) + len(c.sent_by("server")))


def replay(seed):
    conversation = random_conversation(random.Random(seed))
    inputs = random_inputs(random.Random(seed))
    print(f"seed {seed}\n{conversation.repro()}\n{inputs.repro()}")
    _, failures = run_seed(seed)
    for what, _, detail in failures:
        print(f"{what}: {detail}")
    print("no promise broken" if not failures else "")
    return bool(failures)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50_000, help="seeds to run (default 50000)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--time-limit", type=float, default=3600.0,
                        help="stop after this many seconds of wall time (default 3600)")
    parser.add_argument("--replay", type=int, metavar="SEED", help="run one seed and print its reproduction")
    args = parser.parse_args(argv)
    if args.replay is not None:
        return 1 if replay(args.replay) else 0
    if args.examples < 1 or args.jobs < 1 or args.time_limit <= 0:
        parser.error("--examples and --jobs must be >= 1 and --time-limit > 0")

    seeds = range(args.seed, args.seed + args.examples)
    by_kind = defaultdict(list)     # (what, kind) -> [(seed, detail)]
    done, start = 0, time.monotonic()
    with multiprocessing.Pool(args.jobs) as pool:
        for seed, failures in pool.imap_unordered(run_seed, seeds, chunksize=50):
            done += 1
            for what, kind, detail in failures:
                by_kind[what, kind].append((seed, detail))
            if done % 5000 == 0:
                print(f"... {done} examples, {time.monotonic() - start:.0f} s, {len(by_kind)} kinds of failure",
                      flush=True)
            if time.monotonic() - start > args.time_limit:
                pool.terminate()
                print(f"time limit of {args.time_limit:g} s reached", flush=True)
                break
    elapsed = time.monotonic() - start
    failed_seeds = {seed for cases in by_kind.values() for seed, _ in cases}
    print(f"\n{done} examples (each a conversation and a raw-input sequence, seeds {args.seed}..."
          f"{args.seed + args.examples - 1}) in {elapsed:.1f} s ({done / elapsed:.0f}/s), "
          f"{len(failed_seeds)} failing seeds, {len(by_kind)} kinds of failure")
    for (what, kind), cases in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        cases.sort()
        smallest = min((seed for seed, _ in cases), key=lambda seed: size(seed, what))
        print(f"\n== {len(cases)} x {what} {kind}\n   seeds: {' '.join(str(s) for s, _ in cases[:12])}"
              f"{' ...' if len(cases) > 12 else ''}")
        print(f"   smallest: seed {smallest}: {dict(cases)[smallest]}")
        source = random_conversation(random.Random(smallest)) if what == "conversation" \
            else random_inputs(random.Random(smallest))
        print("   " + source.repro().replace("\n", "\n   "))
        print(f"   replay: .venv/bin/python benchmarks/fuzz.py --replay {smallest}")
    return 1 if by_kind else 0


if __name__ == "__main__":
    sys.exit(main())
