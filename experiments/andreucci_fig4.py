"""Andreucci et al., Fig. 4: (a) I_3(k1 = 3, theta; N) for N = 500, 1000, 2000 (intensive baths, quantum
heat flux); (b) the crossover function g(x) of Eq. (49).

Paper units m = kA = 1 (``MeanField.from_andreucci(1.0)``), hbar = k_B = 1, so w0 = sqrt(2 kA/m) = sqrt(2),
k1 = gamma / sqrt(2 m kA) = 3 -> gamma = 3 sqrt(2), theta = 2 T/(hbar w0) (Eq. 46, ``andreucci_theta``).
Engine: ``jl.thermal_conductance(system, T, hbar=1)[0, 0]`` = K = J/dT in linear response (Eq. 44, exact by
residues); Eq. (45) K = w0 I_3 / 4 gives I_3 = 4 K / w0. Overlays: Eq. (47) by scipy quadrature at a few
theta (exact at finite N); the large-N law Eq. (48), I_3 = (2 k1/N) g(T_N/T) with T_N/T = 2 k1/(N theta)
(Eq. 50), from ``jl.analytic.andreucci_quantum_conductance_intensive_large_n``; the low-T limit Eq. (51)
K = pi T/(6 hbar), i.e. I_3 = pi theta / 3 for every N; the classical plateau (``hbar=None``).
g is Eq. (49) CORRECTED (``andreucci_g``: the printed last term -2x must read -2x/pi); panel (b) shows the
printed form too, which goes negative for x > 1.2 and has neither limit g(0) = 1 nor g ~ pi/(3x).
--quick: same N (the engine is O(1) in N for equal masses), 13 theta instead of 61.
Key numbers: engine vs Eq. (47) quadrature; engine vs Eq. (48) (rel. deviation x N -> const at fixed theta: O(1/N));
I_3 / (pi theta/3) at the lowest theta (Eq. 51); where the printed g crosses zero.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin.analytic as an

NAME = "andreucci_fig4"
KA, K1 = C.ANDREUCCI_KA, 3.0
W0 = C.ANDREUCCI_W0
GAMMA = C.andreucci_gamma(K1)  # m = 1
NS = [500, 1000, 2000]


def I3_eq47(k1, theta, N):
    """Andreucci Eq. (47) (integrand even in y)."""
    def f(y):
        a = (y * y - 1) ** 2
        return a / (a + k1**2 * y * y) * C.y2_over_sinh2(y, theta) / (y * y * a + k1**2 * (y * y - 2.0 / N) ** 2)
    pts = [k1 / N / 2, k1 / N, 2 * k1 / N, np.sqrt(2.0 / N), 0.5, 1.0, 2.0] + [theta * c for c in (0.5, 2, 8, 30, 100)]
    return 4 / np.pi * k1**2 / (theta**2 * N**2) * 2 * C.integrate_0_inf(f, pts)


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    thetas, Ts, Kq, Kc = C.andreucci_intensive_sweep(NS, K1, args.quick)  # hbar = 1
    I3 = {N: 4 * Kq[N] / W0 for N in NS}  # Eq. (45)
    I3_cl = {N: 4 * Kc[N] / W0 for N in NS}
    I3_largeN = {N: np.array([4 / W0 * float(an.andreucci_quantum_conductance_intensive_large_n(
        N, T, KA, 1.0, GAMMA, 1.0)) for T in Ts]) for N in NS}
    step = 4 if args.quick else 6
    idx = np.arange(0, len(thetas), step)
    quad_vals = np.array([[I3_eq47(K1, thetas[i], N) for i in idx] for N in NS])
    eng_vals = np.array([I3[N][idx] for N in NS])
    rel_quad = float(np.max(np.abs(eng_vals / quad_vals - 1)))
    dev_largeN = np.array([np.max(np.abs(I3[N] / I3_largeN[N] - 1)) for N in NS])
    dev_classical = np.array([I3[N][-1] / I3_largeN[N][-1] - 1 for N in NS])  # largest theta
    eq51 = np.pi * thetas / 3
    low = np.array([I3[N][0] / eq51[0] for N in NS])

    x = np.logspace(-2, 2, 400)
    g = np.array([float(an.andreucci_g(v)) for v in x])
    g_pr = np.array([float(an.andreucci_g_as_printed(v)) for v in x])
    neg = x[(g_pr < 0) & (x < np.pi)]
    x_zero = float(neg[0]) if len(neg) else np.nan

    fig, (axa, axb) = plt.subplots(1, 2, figsize=(11.5, 4.6))
    for N, col in zip(NS, ("C0", "C1", "C2")):
        axa.loglog(thetas, I3[N], "-", color=col, label=f"engine N={N}")
        axa.loglog(thetas, I3_largeN[N], "--", color=col, lw=0.9)
        axa.axhline(I3_cl[N], color=col, ls=":", lw=0.8)
        axa.loglog(thetas[idx], quad_vals[NS.index(N)], "o", mfc="none", color=col, ms=5)
    axa.loglog(thetas, eq51, "k-.", lw=0.9, label=r"Eq. 51: $\pi\theta/3$")
    axa.plot([], [], "k--", lw=0.9, label="Eq. 48 (corrected g)")
    axa.plot([], [], "ko", mfc="none", label="Eq. 47 quadrature")
    axa.plot([], [], "k:", lw=0.8, label="classical plateau")
    axa.set(xlabel=r"$\theta$", ylabel="$I_3$", title=f"(a) $k_1$={K1:g}", ylim=(5e-5, 3e-2))
    axa.legend(fontsize=7, loc="lower right")
    axb.semilogx(x, g, "k-", label="Eq. 49 corrected: $1-2x/\\pi+(2x^2/\\pi^2)\\psi_1(1+x/\\pi)$")
    axb.semilogx(x, np.where(np.abs(g_pr) < 5, g_pr, np.nan), "r:", label="Eq. 49 as printed")
    axb.semilogx(x, np.pi / (3 * x), "k--", lw=0.8, label=r"$\pi/(3x)$ (Eq. 51)")
    axb.axhline(0, color="0.6", lw=0.5)
    axb.set(xlabel="$x = T_N/T$", ylabel="$g(x)$", title="(b)", ylim=(-0.6, 1.15))
    axb.legend(fontsize=7, loc="lower left")
    C.save(args, NAME, fig, theta=thetas, N=np.array(NS), k1=K1, I3=np.array([I3[N] for N in NS]),
           I3_large_N=np.array([I3_largeN[N] for N in NS]), I3_classical=np.array([I3_cl[N] for N in NS]),
           quad_theta=thetas[idx], I3_eq47=quad_vals, I3_engine=eng_vals, rel_err_quad=rel_quad,
           max_rel_dev_large_N=dev_largeN, rel_dev_large_N_top_theta=dev_classical, low_theta_over_eq51=low,
           x=x, g=g, g_as_printed=g_pr, x_printed_g_negative=x_zero)
    devs = ", ".join(f"N={N}: {d:.2e} (x N = {d * N:.2f})" for N, d in zip(NS, dev_largeN))
    tops = ", ".join(f"{d * N:.3f}" for N, d in zip(NS, dev_classical))
    top_slope = C.loglog_slope(NS, dev_classical)
    C.report(NAME, f"engine vs Eq.47 quadrature ({eng_vals.size} pts) max rel err {rel_quad:.1e}; engine vs Eq.48 "
             f"max rel dev {devs} (log slope {C.loglog_slope(NS, dev_largeN):.2f}: the worst theta moves with N); "
             f"at theta={thetas[-1]:g} rel dev x N = {tops} (log slope {top_slope:.3f}: O(1/N)); "
             f"I3/(pi theta/3) at theta={thetas[0]:.0e}: " + ", ".join(f"{v:.4f}" for v in low)
             + " (Eq.51); classical plateaus I3 = " + ", ".join(f"{I3_cl[N]:.4g}" for N in NS)
             + f"; Eq.49 as printed < 0 from x = {x_zero:.2f} (corrected g > 0 everywhere)")


if __name__ == "__main__":
    main()
