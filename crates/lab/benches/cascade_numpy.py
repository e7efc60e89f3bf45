"""The cascade bench's workload in vectorised NumPy, to compare against.

`python3 crates/lab/benches/cascade_numpy.py` (needs numpy and networkx)
builds a Barabási–Albert graph of 100,000 nodes (m = 5, networkx's
generator), then runs the Independent Cascade on it as
`cargo bench -p siloscope-lab --bench cascade` does: each node is a seed
with chance 0.0005 (about 50), then for 60 steps each newly active node
gets one chance per tie, p = 0.05, to activate the far end. It prints the
same figures as the Rust bench: the median ms per replicate (the cascade
only; the graph is built once), tie evaluations per second (the sum of the
degrees of the nodes that became active, over the time) and the mean final
size. `SILOSCOPE_BENCH_AGENTS` and `SILOSCOPE_BENCH_REPLICATES` change the
workload, as for the Rust bench.
"""

import os
import statistics
import time

import networkx as nx
import numpy as np

N = int(os.environ.get("SILOSCOPE_BENCH_AGENTS", 100_000))
REPLICATES = int(os.environ.get("SILOSCOPE_BENCH_REPLICATES", 40))
M, P, SEED_SHARE, STEPS = 5, 0.05, 0.0005, 60


def csr(graph):
    """The graph as CSR arrays: node a's neighbours are
    indices[indptr[a]:indptr[a + 1]]."""
    edges = np.array(graph.edges(), dtype=np.int64)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.argsort(src, kind="stable")
    indices = dst[order]
    indptr = np.zeros(graph.number_of_nodes() + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=graph.number_of_nodes()), out=indptr[1:])
    return indptr, indices


def cascade(indptr, indices, rng):
    """One replicate: the active nodes at the end."""
    active = np.zeros(N, dtype=bool)
    frontier = np.flatnonzero(rng.random(N) < SEED_SHARE)
    active[frontier] = True
    # Step 0 seeds; the steps after it spread, as in the model's run.
    for _ in range(STEPS - 1):
        if frontier.size == 0:
            break
        starts, lens = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
        offsets = np.repeat(starts - np.cumsum(lens) + lens, lens)
        targets = indices[offsets + np.arange(lens.sum())]
        hit = targets[rng.random(targets.size) < P]
        frontier = np.unique(hit[~active[hit]])
        active[frontier] = True
    return active


def main():
    t0 = time.perf_counter()
    graph = nx.barabasi_albert_graph(N, M, seed=1)
    indptr, indices = csr(graph)
    degree = np.diff(indptr)
    print(f"numpy cascade benchmark: {N} nodes, {indices.size} directed ties, "
          f"built in {time.perf_counter() - t0:.1f} s (numpy {np.__version__})")
    ms, rates, sizes = [], [], []
    for r in range(REPLICATES):
        rng = np.random.default_rng(1000 + r)
        t = time.perf_counter()
        active = cascade(indptr, indices, rng)
        secs = time.perf_counter() - t
        ms.append(secs * 1e3)
        rates.append(degree[active].sum() / secs)
        sizes.append(int(active.sum()))
    print(f"  ms per replicate  median {statistics.median(ms):.2f}")
    print(f"  tie evaluations/s median {statistics.median(rates):.3e}")
    died = sum(s < N / 200 for s in sizes)
    print(f"  final size        mean {statistics.mean(sizes):.0f}; "
          f"{100 * died / REPLICATES:.0f} % of replicates died out early")


if __name__ == "__main__":
    main()
