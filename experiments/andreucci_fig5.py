"""Andreucci et al., Fig. 5: the quantum-to-classical flux ratio J_q/J_cl as a function of theta, k1 = 3,
intensive baths, N = 500, 1000, 2000, with the large-N prediction g(T_N/T) (Eq. 48 / Eq. 24).

Paper units m = kA = 1 (``MeanField.from_andreucci(1.0)``), hbar = k_B = 1: w0 = sqrt(2), gamma = k1 sqrt(2),
theta = 2 T/(hbar w0) (Eq. 46). In linear response (Eq. 43) the ratio of the fluxes is the ratio of the
conductances: engine ``jl.thermal_conductance(system, T, hbar=1)[0, 0]`` over the classical one
(``hbar=None``, T-independent), both exact at finite N. Prediction: g(x), x = T_N/T = 2 k1/(N theta)
(Eq. 50), with g = Eq. (49) CORRECTED (``jl.analytic.andreucci_g``; the printed "-2x" reads "-2x/pi", see
andreucci_fig4); the printed g is drawn for N = 1000 (dotted). Low-T limit: g -> pi/(3x) = pi N theta/(6 k1),
i.e. K -> pi T/(6 hbar), the quantum of thermal conductance (Eq. 51).
--quick: same N (O(1) in N), 13 theta instead of 61.
Key numbers: max |ratio - g| for each N, and N (ratio - g) at T = T_N for N up to 8000 (O(1/N));
N theta_1/2 (where the ratio is 1/2), constant if the crossover temperature scales as T_N ~ 1/N;
K/(pi T/6) at the lowest theta.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin.analytic as an

NAME = "andreucci_fig5"
KA, K1 = C.ANDREUCCI_KA, 3.0
GAMMA = C.andreucci_gamma(K1)  # m = 1
NS = [500, 1000, 2000]


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    thetas, Ts, Kq, Kc = C.andreucci_intensive_sweep(NS, K1, args.quick)  # hbar = 1
    ratio, g, K_low = {}, {}, {}
    for N in NS:
        ratio[N] = Kq[N] / Kc[N]
        TN = float(an.andreucci_temperature_scale(N, KA, 1.0, GAMMA, 1.0))
        g[N] = np.array([float(an.andreucci_g(TN / T)) for T in Ts])
        K_low[N] = Kq[N][0] / float(an.quantum_of_thermal_conductance(Ts[0], 1.0))
    dev = np.array([np.max(np.abs(ratio[N] - g[N])) for N in NS])
    # O(1/N) at fixed x = T_N/T (the worst theta above drifts with N): N (ratio - g) at T = T_N
    N_fix = NS if args.quick else NS + [4000, 8000]
    dev_TN = np.array([_ratio_at_TN(N) - float(an.andreucci_g(1.0)) for N in N_fix])
    # theta where the ratio crosses 1/2 (log-interpolated; the ratio increases with theta)
    half = np.array([np.exp(np.interp(0.5, ratio[N], np.log(thetas))) for N in NS])
    g_pr = np.array([float(an.andreucci_g_as_printed(2 * K1 / (1000 * th))) for th in thetas])

    fig, ax = plt.subplots(figsize=(7, 4.8))
    for N, col in zip(NS, ("C0", "C1", "C2")):
        ax.semilogx(thetas, ratio[N], "-", color=col, label=f"engine N={N}")
        ax.semilogx(thetas, g[N], "--", color=col, lw=0.9)
    ax.plot([], [], "k--", lw=0.9, label=r"$g(T_N/T)$, Eq. 49 corrected")
    ax.semilogx(thetas, np.where(g_pr > -1, g_pr, np.nan), "r:", lw=1.0, label="Eq. 49 as printed, N=1000")
    ax.axhline(0, color="0.6", lw=0.5)
    ax.set(xlabel=r"$\theta$", ylabel=r"$J_q/J_{cl}$", title=f"intensive baths, $k_1$={K1:g}", ylim=(-0.3, 1.05))
    ax.legend(fontsize=8, loc="upper left")
    C.save(args, NAME, fig, theta=thetas, N=np.array(NS), k1=K1, ratio=np.array([ratio[N] for N in NS]),
           g=np.array([g[N] for N in NS]), g_as_printed_N1000=g_pr, max_abs_dev=dev, theta_half=half,
           K_low_over_eq51=np.array([K_low[N] for N in NS]), N_fixed_x=np.array(N_fix), dev_at_TN=dev_TN)
    devs = ", ".join(f"N={N}: {d:.2e} (x N = {d * N:.2f})" for N, d in zip(NS, dev))
    fixed = ", ".join(f"{d * N:.3f}" for N, d in zip(N_fix, dev_TN))
    C.report(NAME, f"max |J_q/J_cl - g(T_N/T)| {devs} (log slope {C.loglog_slope(NS, dev):.2f}, the worst theta "
             f"drifts); at T = T_N, N (ratio - g) = {fixed} for N = {N_fix} (O(1/N)); ratio = 1/2 at N theta = "
             + ", ".join(f"{N * h:.3f}" for N, h in zip(NS, half)) + f" (g(x)=1/2 predicts "
             f"{2 * K1 / _x_half():.3f}: T_N ~ 1/N); K/(pi T/6) at theta={thetas[0]:.0e}: "
             + ", ".join(f"{K_low[N]:.4f}" for N in NS) + " (Eq.51 -> 1 for T << T_N)")

def _ratio_at_TN(N):
    """J_q/J_cl at T = T_N (Eq. 50)."""
    TN = float(an.andreucci_temperature_scale(N, KA, 1.0, GAMMA, 1.0))
    Kq, Kc = C.andreucci_intensive_conductances(N, K1, [TN])
    return float(Kq[0]) / Kc


def _x_half():
    """x with g(x) = 1/2 (bisection; g decreases)."""
    lo, hi = 0.1, 10.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if float(an.andreucci_g(mid)) > 0.5 else (lo, mid)
    return 0.5 * (lo + hi)


if __name__ == "__main__":
    main()
