"""Benchmark of the core (prints figures; not a test).

1. Simulated segments per second for a 1 MiB transfer, MSS 1460, 1 % seeded loss,
   measured beside the cost of building the same number of segments as scapy packets.
2. The same transfer at MSS 100 and MSS 1460, interleaved in one run: the work per
   segment must not grow with the number of segments in flight (the ratio stays near 1).
3. `import tcplab` time in a fresh interpreter, and whether scapy got imported.

Each measurement is repeated; medians are printed.  Run: .venv/bin/python benchmarks/bench_core.py
"""

import statistics
import subprocess
import sys
import time

from tcplab import scenarios, Config, Endpoint
from tcplab.io.scapy_convert import to_scapy
from tcplab.sim.apps import Close, Connect, Listen, SendBytes, WaitEstablished, WaitPeerClose
from tcplab.sim.faults import RandomLoss
from tcplab.sim.simulator import Simulator

REPEATS = 5


def simulate_one_mib(seed, mss=1460):
    sim = Simulator(delay=0.01, faults=[RandomLoss(0.01, seed)])
    sim.add_host("client", Endpoint(40000, name="client", config=Config(seed=seed, max_retries=40)),
                 [Connect(), WaitEstablished(), SendBytes(2**20), Close()], peer="server")
    sim.add_host("server", Endpoint(80, name="server", config=Config(seed=seed, mss=mss)),
                 [Listen(), WaitPeerClose(), Close()], peer="client")
    return sim.run()


def rate_by_mss():
    """Median segments/s at MSS 100 and 1460, runs interleaved; and the median of per-pair ratios."""
    rates = {100: [], 1460: []}
    ratios = []
    for i in range(REPEATS):
        pair = {}
        for mss in (100, 1460):
            t0 = time.perf_counter()
            trace = simulate_one_mib(seed=i, mss=mss)
            pair[mss] = len(trace.segments()) / (time.perf_counter() - t0)
            rates[mss].append(pair[mss])
        ratios.append(pair[1460] / pair[100])
    return {mss: statistics.median(r) for mss, r in rates.items()}, statistics.median(ratios)


def build_scapy_packets(segments):
    return [bytes(to_scapy(seg, "10.0.0.1", "10.0.0.2")) for seg in segments]


def import_time():
    code = ("import time, sys; t = time.perf_counter(); import tcplab; d = time.perf_counter() - t; "
            "print(d, 'scapy' in sys.modules)")
    out = subprocess.run([sys.executable, "-X", "frozen_modules=on", "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), out[1] == "True"


def main():
    sim_rates, scapy_rates, ratios = [], [], []
    for i in range(REPEATS):
        t0 = time.perf_counter()
        trace = simulate_one_mib(seed=i)
        sim_seconds = time.perf_counter() - t0
        segments = trace.segments()
        t0 = time.perf_counter()
        build_scapy_packets(segments)
        scapy_seconds = time.perf_counter() - t0
        sim_rates.append(len(segments) / sim_seconds)
        scapy_rates.append(len(segments) / scapy_seconds)
        ratios.append(scapy_seconds / sim_seconds)
    print(f"1 MiB transfer, MSS 1460, 1 % loss: {len(segments)} segments per run, {REPEATS} runs")
    print(f"  simulator:            {statistics.median(sim_rates):10,.0f} segments/s (median)")
    print(f"  scapy packet build:   {statistics.median(scapy_rates):10,.0f} segments/s (median)")
    print(f"  simulation is {statistics.median(ratios):.1f}x faster than building the same packets with scapy "
          f"(median of per-run ratios; goal >= 1)")
    by_mss, ratio = rate_by_mss()
    print(f"1 MiB transfer, 1 % loss, by MSS (interleaved runs): MSS 100 {by_mss[100]:,.0f} segments/s, "
          f"MSS 1460 {by_mss[1460]:,.0f} segments/s; ratio {ratio:.2f} (median of per-pair ratios; goal near 1)")
    times, leaked = zip(*(import_time() for _ in range(REPEATS)))
    print(f"import tcplab: {statistics.median(times) * 1000:.0f} ms (median; goal <= 300 ms); "
          f"scapy imported: {any(leaked)}")
    names = scenarios.names()
    t0 = time.perf_counter()
    for name in names:
        scenarios.run(name)
    print(f"all {len(names)} named scenarios: {(time.perf_counter() - t0) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
