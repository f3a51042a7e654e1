"""Andreucci et al., Fig. 1: (a) I_1(k1, N) for N = 100..500, (b) N I_1(k1, N) for N = 1000..5000, with
the large-N prediction N I_1 = pi k1 (Eq. 23, dashed).

Mapping (CONVENTIONS): Andreucci Phi = 2 kA (delta - 1/N) -> ``MeanField.from_andreucci(kA)``; with m = 1,
kA = 1/2 (so sqrt(2 kA/m) = 1) and k1^2 = gamma^2/(2 m kA) = gamma^2, Eq. (18) gives
I_1 = 2 pi J / dT. Engine: ``jl.negf_steady_state``; overlay: Eq. (19) by quadrature (exact at finite N).
Key number: N I_1 / (pi k1) at the largest N and small k1 (paper: -> 1).
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np
from scipy.integrate import quad

import jaxlangevin as jl

NAME = "andreucci_fig1"
KA = 0.5


def I1_eq19(k1, N):
    """Andreucci Eq. (19)."""
    def f(y):
        a = (y * y - 1) ** 2
        return a / (a + k1**2 * y * y) / (y * y * a + k1**2 * (y * y - 2.0 / N) ** 2)
    pts = [0, min(k1 / N, 0.1), 0.5, 1.0, 2.0]
    val = sum(quad(f, lo, hi, limit=400, epsabs=0, epsrel=1e-11)[0] for lo, hi in zip(pts[:-1], pts[1:]))
    val += quad(f, 2.0, np.inf, limit=400)[0]
    return 2 * k1**2 / N**2 * 2 * val


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    Na = [100, 300] if args.quick else [100, 200, 300, 400, 500]
    Nb = [1000, 5000] if args.quick else [1000, 2000, 3000, 4000, 5000]
    k1s = np.logspace(-2, 2.5, 10 if args.quick else 46)
    I1 = {}
    for N in Na + Nb:
        I1[N] = np.array([2 * np.pi * float(jl.negf_steady_state(jl.System(
            masses=jl.masses.uniform(N, 1.0), coupling=jl.MeanField.from_andreucci(KA),
            baths=jl.intensive(N, temperatures=(C.T_L, C.T_R), gamma=float(k1)))).flux[0]) / C.DELTA_T
            for k1 in k1s])
    check = [(N, k1) for N in (Na[0], Nb[-1]) for k1 in k1s[:: max(len(k1s) // 5, 1)]]
    quad_vals = np.array([I1_eq19(k1, N) for N, k1 in check])
    eng_vals = np.array([I1[N][list(k1s).index(k1)] for N, k1 in check])
    rel = float(np.max(np.abs(quad_vals / eng_vals - 1)))
    fig, (axa, axb) = plt.subplots(1, 2, figsize=(11, 4.5))
    for N in Na:
        axa.semilogx(k1s, I1[N], label=f"N={N}")
    for N in Nb:
        axb.loglog(k1s, N * I1[N], label=f"N={N}")
    axb.loglog(k1s, np.pi * k1s, "k--", label=r"$\pi k_1$ (Eq. 23)")
    axa.set(xlabel="$k_1$", ylabel="$I_1$", title="(a)")
    axb.set(xlabel="$k_1$", ylabel="$N I_1$", title="(b)", ylim=(1e-2, None))
    axa.legend(fontsize=7)
    axb.legend(fontsize=7)
    C.save(args, NAME, fig, k1=k1s, Na=np.array(Na), Nb=np.array(Nb),
           I1=np.array([I1[N] for N in Na + Nb]), check_N_k1=np.array(check, float),
           I1_eq19=quad_vals, I1_engine=eng_vals)
    ratio = Nb[-1] * I1[Nb[-1]][0] / (np.pi * k1s[0])
    kmax = {N: k1s[int(np.argmax(I1[N]))] for N in Na}
    C.report(NAME, f"N I1/(pi k1) at N={Nb[-1]}, k1={k1s[0]:.2g}: {ratio:.4f} vs Eq.23 1; argmax_k1 I1 "
             f"{ {N: round(float(v), 2) for N, v in kmax.items()} } (moves right with N, as in paper); "
             f"engine vs Eq.19 max rel err {rel:.1e}")


if __name__ == "__main__":
    main()
