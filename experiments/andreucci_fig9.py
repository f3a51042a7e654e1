"""Andreucci et al., Fig. 9: extensive baths, quantum flux. (a) I_7(theta) for k1 = 3 and
(aL, aR) = (1/20, 1/20), (1/3, 1/5), (1/2, 1/2); (b) low theta, aL = aR = 1/3, k1 = 5, 10, 15, with the
linear law Eq. (70).

Paper units m = kA = 1 (``MeanField.from_andreucci(1.0)``), hbar = k_B = 1: w0 = sqrt(2), gamma = k1 sqrt(2),
theta = 2 T/(hbar w0) (Eq. 46). Baths ``jl.extensive(N, (aL, aR), ...)`` on the first aL N and the last
aR N sites; N = 600 (60 with --quick) makes aL N, aR N whole numbers, so the finite-N engine is the paper's
formula exactly (I_7 depends on N only through that rounding). Engine: ``jl.thermal_conductance(system, T,
hbar=1)[0, 0]`` = K = J/dT in linear response; Eq. (67), K = w0 I_7 / pi, gives I_7 = pi K / w0.
Eq. (68) as printed has y^2/sinh(y/theta); Eq. (47), its intensive counterpart, and Eq. (69), used to get
Eq. (70), have y^2/sinh^2(y/theta). Both are integrated with scipy at a few theta: the engine matches the
sinh^2 form (to ~1e-13); the printed sinh form is 2.557 = 21 zeta(3)/pi^2 times too large at low theta and
goes to 0 instead of the classical plateau at high theta, so Eq. (68) is misprinted (sinh -> sinh^2).
Overlays: Eq. (70) (``jl.analytic.andreucci_i7_low_t``) dashed, the classical plateau (``hbar=None``:
I_7 -> I_5/2 of Eq. 63) dotted. Eq. (71) is Eq. (70) in K: K / ((pi T/6) 4 aL aR/(aL+aR)^2) -> 1.
Ordering: the caption lists (a) the pairs and (b) k1 = 5, 10, 15 "from bottom to top". The exact curves give
at high theta (1/20, 1/20) < (1/2, 1/2) < (1/3, 1/5) in (a) (as in Fig. 7, a smaller coupled fraction can
carry more heat), and in (b) k1 = 15 lowest: Eq. (70) bounds the curves from above and the text's statement
that the linear range shrinks with k1 puts the largest k1 at the bottom, so the caption's order is reversed.
Key numbers: engine vs quadrature of both forms; I_7/theta at the lowest theta vs Eq. (70) (slope), Eq. (71);
for (b) the theta where the engine is 5% off Eq. (70) (decreases with k1, as the paper says).
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin.analytic as an

NAME = "andreucci_fig9"
K1 = 3.0
W0 = C.ANDREUCCI_W0
PAIRS = [(1 / 20, 1 / 20), (1 / 3, 1 / 5), (1 / 2, 1 / 2)]
K1S_B = [5.0, 10.0, 15.0]
A_B = 1 / 3


def _sinh_weight(y, th, power):
    """y^2 / sinh(y/theta)^power, without overflow."""
    u = y / th
    if u < 1e-8:
        return th * th if power == 2 else y * th
    return 0.0 if u > 300 else y * y / np.sinh(u) ** power


def I7_eq68(k1, theta, aL, aR, power=2):
    """Andreucci Eq. (68) with y^2/sinh^power(y/theta): power=1 as printed, power=2 as in Eqs. (47), (69)."""
    s = aL + aR

    def f(y):
        a = (y * y - 1) ** 2
        return a / (a + k1**2 * y * y) * _sinh_weight(y, theta, power) / (y * y * a + k1**2 * (y * y - s) ** 2)
    pts = [np.sqrt(s), 0.5, 1.0, 2.0, 1 / k1] + [theta * c for c in (0.5, 2, 8, 30, 100)]
    return aL * aR * k1**2 / theta**2 * 2 * C.integrate_0_inf(f, pts)


def I7_engine(s, thetas):
    """I_7 = pi K / w0, Eq. (67), from the engine's quantum conductance."""
    return np.array([np.pi * C.conductance(s, C.andreucci_temperature(th), hbar=1.0) / W0 for th in thetas])


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    N = 60 if args.quick else 600
    thetas = np.logspace(-3, 2, 11 if args.quick else 51)
    th_b = np.linspace(0.0025, 0.1, 9 if args.quick else 40)
    I7, I7_cl, K_low = [], [], []
    for p in PAIRS:
        s = C.andreucci_extensive_system(N, p, K1)
        I7.append(I7_engine(s, thetas))
        I7_cl.append(np.pi * C.conductance(s, 1.0) / W0)
        K_low.append(I7[-1][0] * W0 / np.pi / float(an.andreucci_quantum_conductance_extensive_low_t(
            thetas[0] * W0 / 2, *p, 1.0)))
    I7, I7_cl, K_low = np.array(I7), np.array(I7_cl), np.array(K_low)
    eq70 = np.array([[float(an.andreucci_i7_low_t(th, *p)) for th in thetas] for p in PAIRS])
    idx = np.arange(0, len(thetas), 2 if args.quick else 5)
    q2 = np.array([[I7_eq68(K1, thetas[i], *p, power=2) for i in idx] for p in PAIRS])
    q1 = np.array([[I7_eq68(K1, thetas[i], *p, power=1) for i in idx] for p in PAIRS])
    rel_q2 = float(np.max(np.abs(I7[:, idx] / q2 - 1)))
    printed_low, printed_top = q1[:, 0] / I7[:, idx[0]], q1[:, -1] / I7[:, idx[-1]]
    slope_a = I7[:, 0] / eq70[:, 0]

    I7b = np.array([I7_engine(C.andreucci_extensive_system(N, (A_B, A_B), k1), th_b) for k1 in K1S_B])
    eq70_b = np.array([float(an.andreucci_i7_low_t(th, A_B, A_B)) for th in th_b])
    slope_b = np.array([I7_engine(C.andreucci_extensive_system(N, (A_B, A_B), k1), [1e-4])[0] / 1e-4
                        for k1 in K1S_B]) / (np.pi**2 / 12)
    th5 = np.array([C.first_departure(th_b, r / eq70_b, 0.05) for r in I7b])  # 5% off Eq. (70)

    fig, (axa, axb) = plt.subplots(1, 2, figsize=(11.5, 4.6))
    for i, (p, col) in enumerate(zip(PAIRS, ("C0", "C1", "C2"))):
        lab = f"$\\alpha_L$={p[0]:.3g}, $\\alpha_R$={p[1]:.3g}"
        axa.loglog(thetas, I7[i], "-", color=col, label="engine " + lab)
        axa.loglog(thetas, eq70[i], "--", color=col, lw=0.8)
        axa.axhline(I7_cl[i], color=col, ls=":", lw=0.8)
        axa.loglog(thetas[idx], q2[i], "o", mfc="none", color=col, ms=5)
        axa.loglog(thetas[idx], q1[i], "x", color=col, ms=4)
    axa.plot([], [], "k--", lw=0.8, label="Eq. 70")
    axa.plot([], [], "ko", mfc="none", label=r"Eq. 68 quadrature, $\sinh^2$")
    axa.plot([], [], "kx", label=r"Eq. 68 as printed ($\sinh$)")
    axa.plot([], [], "k:", lw=0.8, label="classical plateau")
    axa.set(xlabel=r"$\theta$", ylabel="$I_7$", title=f"(a) $k_1$={K1:g}, N={N}", ylim=(3e-4, 1))
    axa.legend(fontsize=7, loc="lower right")
    for k1, r in zip(K1S_B, I7b):
        axb.plot(th_b, r, "-", label=f"engine $k_1$={k1:g}")
    axb.plot(np.r_[0, th_b], np.r_[0, eq70_b], "k--", label=r"Eq. 70: $\pi^2\theta/12$")
    axb.set(xlabel=r"$\theta$", ylabel="$I_7$", title=f"(b) $\\alpha_L=\\alpha_R$=1/3, N={N}", xlim=(0, None),
            ylim=(0, None))
    axb.legend(fontsize=8)
    C.save(args, NAME, fig, theta=thetas, pairs=np.array(PAIRS), I7=I7, I7_classical=I7_cl, I7_eq70=eq70,
           quad_theta=thetas[idx], I7_eq68_sinh2=q2, I7_eq68_printed_sinh=q1, rel_err_quad_sinh2=rel_q2,
           printed_over_engine_low=printed_low, printed_over_engine_top=printed_top, low_theta_over_eq70=slope_a,
           K_low_over_eq71=K_low, theta_b=th_b, k1_b=np.array(K1S_B), I7_b=I7b, I7_eq70_b=eq70_b,
           slope_b_over_eq70=slope_b, theta_5pct_b=th5, N=N, k1=K1)
    C.report(NAME, f"engine vs Eq.68 quadrature with sinh^2 max rel err {rel_q2:.1e}; as printed (sinh): "
             f"{printed_low.min():.4f}..{printed_low.max():.4f} x engine at theta={thetas[idx[0]]:g} "
             f"(21 zeta(3)/pi^2 = {21 * 1.2020569031595942 / np.pi**2:.4f}), {printed_top.max():.1e} at "
             f"theta={thetas[idx[-1]]:g} -> Eq.68 misprint; (a) I7/Eq.70 at theta={thetas[0]:g}: "
             + ", ".join(f"{v:.5f}" for v in slope_a) + "; K/Eq.71 " + ", ".join(f"{v:.5f}" for v in K_low)
             + "; (b) slope at theta=1e-4 / (pi^2/12): " + ", ".join(f"{v:.6f}" for v in slope_b)
             + "; engine 5% off Eq.70 from theta = " + ", ".join(f"{v:.4f}" for v in th5)
             + f" for k1 = {K1S_B} (decreases with k1)")


if __name__ == "__main__":
    main()
