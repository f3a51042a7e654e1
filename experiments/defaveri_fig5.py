"""Defaveri, Olivares & Anteneodo, PRE 2022, Fig. 5: local (kinetic) temperature profile T_n, N = 20,
k = gamma = 1, T_L = 1.5, T_R = 0.5, Nt = N-1, k0 in {0, 1}; identical, graded and random masses
(mean 1, delta = 0.1).

Engine: ``jl.negf_steady_state(...).temperature`` (Eq. 31; equal masses: the steady state reached from
rest, CONVENTIONS). Reference: for identical masses and k0 = 0 the bulk level is O(1/N), Andreucci et al.
Eq. (30): T_bulk ~ (T_L+T_R)/(2N) = 0.05 at N = 20 (leading order); unequal masses thermalise the bulk at
~(T_L+T_R)/2 = 1. The paper's stochastic-simulation check ("not shown") is not reproduced.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin as jl

NAME = "defaveri_fig5"
N = 20


def main(argv=None):
    args = C.parse_args(__doc__, argv)  # --quick changes nothing: N = 20 is already cheap
    C.quiet_precision_warnings()
    masses, k0s = ["uniform", "graded", "random"], [0.0, 1.0]
    T = np.zeros((len(k0s), len(masses), N))
    for b, k0 in enumerate(k0s):
        for c, mk in enumerate(masses):
            system = C.mean_field_system(N, k=1.0, kac="N-1", k0=k0, gamma=1.0, masses=C.mass_family(mk, N))
            T[b, c] = np.asarray(jl.negf_steady_state(system).temperature)
    ref_uniform = (C.T_L + C.T_R) / (2 * N)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    marks, cols = {"uniform": "o", "graded": "s", "random": "^"}, ["darkorange", "indigo"]
    n = np.arange(1, N + 1)
    for b, k0 in enumerate(k0s):
        for c, mk in enumerate(masses):
            ax.plot(n, T[b, c], marks[mk] + "-", color=cols[b], ms=8 - 3 * b, lw=0.6, label=f"k0={k0:g}, {mk}")
    ax.axhline(ref_uniform, color="k", ls="--", lw=0.8, label="(T_L+T_R)/(2N) [Andreucci Eq. 30]")
    ax.axhline((C.T_L + C.T_R) / 2, color="gray", ls=":", lw=0.8, label="(T_L+T_R)/2")
    ax.set(xlabel="n", ylabel=r"$T_n$", yscale="log", title=rf"N={N}, k=$\gamma$=1, $\tilde N$=N-1")
    ax.legend(fontsize=7)
    bulk = T[:, :, 1:-1].mean(axis=-1)
    C.save(args, NAME, fig, n=n, T=T, bulk_mean=bulk, k0s=np.array(k0s), masses=np.array(masses),
           ref_uniform=ref_uniform)
    C.report(NAME, f"bulk mean T (k0=0): uniform {bulk[0,0]:.4f} vs (TL+TR)/2N={ref_uniform:.3f}, graded "
             f"{bulk[0,1]:.3f}, random {bulk[0,2]:.3f} vs (TL+TR)/2=1; (k0=1): {bulk[1,0]:.4f}, {bulk[1,1]:.3f}, "
             f"{bulk[1,2]:.3f}; ends T_1={T[0,0,0]:.3f}, T_N={T[0,0,-1]:.3f}")


if __name__ == "__main__":
    main()
