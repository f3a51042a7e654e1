"""Andreucci et al., Fig. 10: extensive baths, quantum kinetic temperature of the sites held by no bath.
(a) I_8^(0)(theta) for k1 = 3 and aL + aR = 0.4, 0.8; (b) I_8^(1)(theta) for k1 = 3, aL + aR = 0.4, with the
low-temperature law Eq. (78).

Paper units m = kA = 1 (``MeanField.from_andreucci(1.0)``), hbar = k_B = 1: w0 = sqrt(2), gamma = k1 sqrt(2),
theta = 2 T/(hbar w0) (Eq. 46). The caption gives only aL + aR; I_8^(0) and I_8^(1) depend on nothing else,
but the dT term of Eq. (75) needs aL != aR: (aL, aR) = (0.25, 0.15) and (0.5, 0.3). N = 600 (60 with --quick),
so aL N and aR N are whole numbers and Eq. (73) is exact at finite N (the engine then does not depend on N).
Engine: ``jl.negf_steady_state(system, hbar=1).temperature_at([N // 2])`` = T_i (bath sites diverge, Eq. 54).
Eq. (73), T_i = (hbar gamma/(2 pi N m)) [aL I_8(theta_L) + aR I_8(theta_R)] with I_8 of Eq. (74), and its
Taylor expansion Eq. (75) in dT = T_L - T_R at T = (T_L + T_R)/2:
  I_8^(0) = 2 pi N m T_i / (hbar gamma (aL + aR))                       at T_L = T_R = T,
  I_8^(1) = (hbar w0) dT_i/d(dT) / ((hbar gamma/(2 pi N m)) (aL - aR))  (central difference, dT = +-0.002 T).
So I_8^(0) = I_8(theta) of Eq. (74) and I_8^(1) = dI_8/dtheta, which is Eq. (77) as printed. Eq. (76) as
printed carries an extra factor (y^2 - 1)^2 in the numerator: it is ~90 times the engine at low theta, while
Eq. (74) matches the engine to ~1e-14, so Eq. (76) is misprinted (I_8^(0) is Eq. 74). Overlays: Eq. (74),
Eq. (76) as printed and Eq. (77) by scipy quadrature at a few theta (markers); the classical engine
(``hbar=None``, linear in theta, same conversion); Eq. (78) (``jl.analytic.andreucci_i8_1_low_t``); in (a)
I_8(0) + pi^2 theta^2/(6 k1^2 (aL + aR)^2), the theta^2 law the paper states (before Eq. 79) with the
coefficient worked out here from the same small-y expansion as Eq. (78) (not in the paper).
Key numbers: engine vs Eqs. (74), (77); Eq. (76) / engine; I_8^(0)(theta -> 0); I_8^(1)/Eq. (78) at the
lowest theta and the theta where it is 5% off; the theta^2 coefficient.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin.analytic as an

NAME = "andreucci_fig10"
K1 = 3.0
W0 = C.ANDREUCCI_W0
GAMMA = C.andreucci_gamma(K1)  # m = hbar = 1
PAIRS = [(0.25, 0.15), (0.5, 0.3)]  # aL + aR = 0.4, 0.8
REL_STEP = 2e-3  # dT = +-REL_STEP T for the central difference


def _den(y, k1, s):
    return y * y * (y * y - 1) ** 2 + k1**2 * (y * y - s) ** 2


def I8_eq74(k1, theta, s, printed76=False):
    """Andreucci Eq. (74); with printed76 Eq. (76) as printed (extra (y^2 - 1)^2). Integrands even in y."""
    def f(y):
        return C.y_coth(y, theta) / _den(y, k1, s) * ((y * y - 1) ** 2 if printed76 else 1.0)
    return 2 * C.integrate_0_inf(f, [np.sqrt(s), 0.5, 1.0, 2.0] + [theta * c for c in (0.5, 2, 8, 30)])


def I8_1_eq77(k1, theta, s):
    """Andreucci Eq. (77)."""
    def f(y):
        return C.y2_over_sinh2(y, theta) / _den(y, k1, s)
    return 2 * C.integrate_0_inf(f, [np.sqrt(s), 0.5, 1.0, 2.0] + [theta * c for c in (0.5, 2, 8, 30, 100)]) / theta**2


def bulk_temperature(N, pair, TL, TR, hbar):
    """T_i of the middle site, extensive baths ``pair`` = (aL, aR) at (TL, TR)."""
    return C.middle_temperature(C.andreucci_extensive_system(N, pair, K1, temperatures=(TL, TR)), hbar)


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    C.quiet_precision_warnings()
    N = 60 if args.quick else 600
    thetas = np.logspace(-3, 2, 11 if args.quick else 51)
    Ts = C.andreucci_temperature(thetas)
    pref = GAMMA / (2 * np.pi * N)  # hbar gamma / (2 pi N m)
    I80 = np.array([[bulk_temperature(N, p, T, T, 1.0) / (pref * sum(p)) for T in Ts] for p in PAIRS])
    I80_cl = np.array([[bulk_temperature(N, p, T, T, None) / (pref * sum(p)) for T in Ts] for p in PAIRS])
    I80_zero = np.array([bulk_temperature(N, p, 1e-12, 1e-12, 1.0) / (pref * sum(p)) for p in PAIRS])
    pb = PAIRS[0]
    I81 = np.array([(bulk_temperature(N, pb, T * (1 + REL_STEP / 2), T * (1 - REL_STEP / 2), 1.0)
                     - bulk_temperature(N, pb, T * (1 - REL_STEP / 2), T * (1 + REL_STEP / 2), 1.0))
                    / (2 * REL_STEP * T) * W0 / (pref * (pb[0] - pb[1])) for T in Ts])
    idx = np.arange(0, len(thetas), 2 if args.quick else 5)
    q74 = np.array([[I8_eq74(K1, thetas[i], sum(p)) for i in idx] for p in PAIRS])
    q76 = np.array([[I8_eq74(K1, thetas[i], sum(p), printed76=True) for i in idx] for p in PAIRS])
    q77 = np.array([I8_1_eq77(K1, thetas[i], sum(pb)) for i in idx])
    rel74 = float(np.max(np.abs(I80[:, idx] / q74 - 1)))
    rel77 = float(np.max(np.abs(I81[idx] / q77 - 1)))
    r76 = q76 / I80[:, idx]
    eq78 = np.array([float(an.andreucci_i8_1_low_t(th, K1, *pb)) for th in thetas])
    r78 = I81 / eq78
    th5 = C.first_departure(thetas, r78, 0.05)
    low2 = np.array([I80_zero[i] + np.pi**2 * thetas**2 / (6 * K1**2 * sum(p) ** 2) for i, p in enumerate(PAIRS)])
    coef = (I80[:, 0] - I80_zero) / thetas[0] ** 2 / np.array([np.pi**2 / (6 * K1**2 * sum(p) ** 2) for p in PAIRS])

    fig, (axa, axb) = plt.subplots(1, 2, figsize=(11.5, 4.6))
    for i, (p, col) in enumerate(zip(PAIRS, ("C0", "C1"))):
        axa.loglog(thetas, I80[i], "-", color=col, label=f"engine $\\alpha_L+\\alpha_R$={sum(p):g}")
        axa.loglog(thetas, I80_cl[i], "--", color=col, lw=0.8)
        axa.loglog(thetas[thetas <= 2], low2[i][thetas <= 2], ":", color=col, lw=1.0)
        axa.loglog(thetas[idx], q74[i], "o", mfc="none", color=col, ms=5)
        axa.loglog(thetas[idx], q76[i], "x", color=col, ms=4)
    axa.plot([], [], "ko", mfc="none", label="Eq. 74 quadrature")
    axa.plot([], [], "kx", label="Eq. 76 as printed")
    axa.plot([], [], "k--", lw=0.8, label="classical engine")
    axa.plot([], [], "k:", label=r"$I_8(0)+\pi^2\theta^2/(6k_1^2(\alpha_L+\alpha_R)^2)$")
    axa.set(xlabel=r"$\theta$", ylabel=r"$I_8^{(0)}$", title=f"(a) $k_1$={K1:g}, N={N}", ylim=(0.3, 1e3))
    axa.legend(fontsize=7, loc="lower right")
    axb.loglog(thetas, I81, "C0-", label=f"engine (dT term of Eq. 75), $\\alpha_L,\\alpha_R$={pb[0]:g},{pb[1]:g}")
    axb.loglog(thetas[idx], q77, "ko", mfc="none", label="Eq. 77 quadrature")
    axb.loglog(thetas, eq78, "k--", lw=0.9, label="Eq. 78")
    axb.set(xlabel=r"$\theta$", ylabel=r"$I_8^{(1)}$", title=f"(b) $k_1$={K1:g}, $\\alpha_L+\\alpha_R$={sum(pb):g}",
            ylim=(1e-3, 30))
    axb.legend(fontsize=7, loc="upper left")
    C.save(args, NAME, fig, theta=thetas, pairs=np.array(PAIRS), I8_0=I80, I8_0_classical=I80_cl, I8_0_zero=I80_zero,
           I8_1=I81, quad_theta=thetas[idx], I8_eq74=q74, I8_eq76_printed=q76, I8_1_eq77=q77, rel_err_eq74=rel74,
           rel_err_eq77=rel77, eq76_over_engine=r76, I8_1_eq78=eq78, I8_1_over_eq78=r78, theta_5pct=th5,
           theta2_coef_ratio=coef, N=N, k1=K1)
    C.report(NAME, f"engine vs Eq.74 quadrature max rel err {rel74:.1e}; Eq.76 as printed / engine = "
             f"{r76[:, 0].min():.1f}..{r76[:, 0].max():.1f} at theta={thetas[idx[0]]:g}, {r76[:, -1].min():.2f}.."
             f"{r76[:, -1].max():.2f} at theta={thetas[idx[-1]]:g} -> Eq.76 misprint (I8^(0) = Eq.74); I8^(0)(0) = "
             + ", ".join(f"{v:.5f}" for v in I80_zero) + f" for aL+aR = {[sum(p) for p in PAIRS]}; theta^2 coef / "
             "pi^2/(6 k1^2 (aL+aR)^2) = " + ", ".join(f"{v:.5f}" for v in coef)
             + f"; I8^(1) (dT term) vs Eq.77 quadrature max rel err {rel77:.1e}; I8^(1)/Eq.78 at theta={thetas[0]:g}: "
             f"{r78[0]:.6f}, 5% off Eq.78 from theta = {th5:.4f}")


if __name__ == "__main__":
    main()
