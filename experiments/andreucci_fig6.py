"""Andreucci et al., Fig. 6: I_4(k1 = 3, theta; N = 1000), the quantum kinetic temperature of a site not
held by a bath (intensive baths, both at T: the O(dT^0) term of Eq. 55); inset: low temperature.

Paper units m = kA = 1 (``MeanField.from_andreucci(1.0)``), hbar = k_B = 1: w0 = sqrt(2), gamma = k1 sqrt(2),
theta = 2 T/(hbar w0) (Eq. 46). Engine: ``jl.negf_steady_state(system, hbar=1).temperature_at([N // 2])``
(exact residues; the bath sites diverge, Eq. 54, and are not read). Eq. (55) as printed,
T_i = m <v_i^2> = (hbar gamma/(2m)) I_4, is misprinted by pi/4: Eq. (53) gives T_i = (2 hbar gamma/(pi m)) I_4
(``jaxlangevin.analytic.andreucci_quantum`` docstring), so here I_4 = pi m T_i / (2 hbar gamma).
Overlays: Eq. (56) by scipy quadrature at a few theta (markers; the engine matches it with the corrected
prefactor, and is 4/pi = 1.2732 above it with the printed one); the classical engine (``hbar=None``, linear in
theta, the same conversion); the zero-point value I_4(0) (engine at T = 1e-12, checked against quadrature of
Eq. 56 with coth = 1). Eq. (58) for I_4(0) needs k1 < 2 (complex roots R) and does not apply at k1 = 3;
it is checked on the side at k1 = 1 (``andreucci_i4_zero_temperature``, O(1/N)). Inset: Eq. (59)'s form
I_4(0) + pi^2 theta^2 / (48 k1^2), valid for T << T_N, i.e. theta << 2 k1/N = 0.006.
--quick: same N, 13 theta instead of 61 (and 11 inset points).
Key numbers: engine vs Eq. (56) quadrature; engine / printed-prefactor T_i; I_4(0); the theta^2 coefficient
vs pi^2/(48 k1^2); quantum / classical at the largest theta; Eq. (58) at k1 = 1.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin.analytic as an

NAME = "andreucci_fig6"
K1, N = 3.0, 1000
T_ZERO = 1e-12  # "T = 0" for the engine (temperatures must be positive)


def I4_eq56(k1, theta, N):
    """Andreucci Eq. (56)."""
    def f(y):
        return C.y_coth(y, theta) / (y * y * (y * y - 1) ** 2 + k1**2 * (y * y - 2.0 / N) ** 2)
    pts = [k1 / N / 2, k1 / N, 2 * k1 / N, np.sqrt(2.0 / N), 0.5, 1.0, 2.0] + [theta * c for c in (0.5, 2, 8, 30)]
    return C.integrate_0_inf(f, pts) / N**2


def bulk_temperature(N, T, k1, hbar):
    """T_i of the middle site, both intensive baths at T."""
    return C.middle_temperature(C.andreucci_intensive_system(N, k1, temperatures=(T, T)), hbar)


def to_I4(T_i, k1):
    """I_4 = pi m T_i / (2 hbar gamma), Eq. (55) corrected (m = hbar = 1)."""
    return np.pi * T_i / (2 * C.andreucci_gamma(k1))


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    C.quiet_precision_warnings()
    thetas, Ts = C.andreucci_theta_grid(args.quick)
    th_in = np.linspace(0, 0.012, 11 if args.quick else 25)
    I4 = np.array([to_I4(bulk_temperature(N, T, K1, 1.0), K1) for T in Ts])
    I4_cl = np.array([to_I4(bulk_temperature(N, T, K1, None), K1) for T in Ts])
    I4_0 = to_I4(bulk_temperature(N, T_ZERO, K1, 1.0), K1)
    T_in = np.maximum(C.andreucci_temperature(th_in), T_ZERO)
    I4_in = np.array([to_I4(bulk_temperature(N, T, K1, 1.0), K1) for T in T_in])
    idx = np.arange(0, len(thetas), 4 if args.quick else 6)
    quad_vals = np.array([I4_eq56(K1, thetas[i], N) for i in idx])
    rel_quad = float(np.max(np.abs(I4[idx] / quad_vals - 1)))
    I4_0_quad = I4_eq56(K1, 0.0, N)
    # the printed prefactor of Eq. (55): T_i = (hbar gamma / 2m) I_4 -> engine T_i / that
    printed_ratio = float(np.median(
        [bulk_temperature(N, Ts[i], K1, 1.0) / (C.andreucci_gamma(K1) / 2 * q)
         for i, q in zip(idx[:3], quad_vals[:3])]))
    eq59 = I4_0 + np.pi**2 * th_in**2 / (48 * K1**2)
    # theta^2 coefficient deep in T << T_N (theta = 1e-4 = theta_N / 60), and at the inset's theta = 0.003
    coef = (I4[0] - I4_0) / thetas[0] ** 2 / (np.pi**2 / (48 * K1**2))
    j = int(np.argmin(np.abs(th_in - 0.003)))
    coef_mid = (I4_in[j] - I4_0) / th_in[j] ** 2 / (np.pi**2 / (48 * K1**2))
    cl_ratio = I4[-1] / I4_cl[-1]
    # Eq. (58) where it applies (k1 = 1 < 2), same N
    eq58 = float(an.andreucci_i4_zero_temperature(1.0, N))
    eq58_engine = to_I4(bulk_temperature(N, T_ZERO, 1.0, 1.0), 1.0)

    fig, ax = plt.subplots(figsize=(7, 5))
    ax.loglog(thetas, I4, "C0-", label=f"engine, N={N}")
    ax.loglog(thetas[idx], quad_vals, "ko", mfc="none", label="Eq. 56 quadrature")
    ax.loglog(thetas, I4_cl, "C3--", lw=0.9, label="classical engine")
    ax.axhline(I4_0, color="0.4", ls=":", lw=0.9, label=r"$I_4(\theta=0)$ (zero point)")
    ax.set(xlabel=r"$\theta$", ylabel="$I_4$", title=f"$k_1$={K1:g}, N={N}: bulk site, $T_L=T_R=T$",
           ylim=(I4_0 / 20, 0.1))
    ax.legend(fontsize=8, loc="upper left")
    ins = ax.inset_axes([0.61, 0.08, 0.37, 0.32])
    ins.plot(th_in, I4_in * 1e6, "C0o-", ms=3, lw=1, label="engine")
    ins.plot(th_in, eq59 * 1e6, "k--", lw=0.9, label=r"$I_4(0)+\pi^2\theta^2/(48k_1^2)$")
    ins.axvline(2 * K1 / N, color="0.6", lw=0.6, ls=":", label=r"$\theta_N = 2k_1/N$")
    ins.set_xlabel(r"$\theta$", fontsize=7)
    ins.set_ylabel(r"$10^6 I_4$", fontsize=7)
    ins.tick_params(labelsize=6)
    ins.legend(fontsize=6, loc="upper left")
    C.save(args, NAME, fig, theta=thetas, I4=I4, I4_classical=I4_cl, I4_zero=I4_0, I4_zero_eq56=I4_0_quad,
           quad_theta=thetas[idx], I4_eq56=quad_vals, I4_engine=I4[idx], rel_err_quad=rel_quad,
           ratio_to_printed_prefactor=printed_ratio, theta_inset=th_in, I4_inset=I4_in, I4_eq59_form=eq59,
           theta2_coef_over_eq59=coef, theta2_coef_mid=coef_mid, quantum_over_classical_top=cl_ratio,
           I4_zero_k1_1_eq58=eq58, I4_zero_k1_1_engine=eq58_engine, N=N, k1=K1)
    C.report(NAME, f"engine vs Eq.56 quadrature (corrected prefactor 2 hbar gamma/(pi m)) max rel err {rel_quad:.1e}; "
             f"engine T_i / printed (hbar gamma/2m) I4 = {printed_ratio:.5f} (4/pi = {4 / np.pi:.5f}: Eq.55 misprint); "
             f"I4(0) = {I4_0:.5e} (Eq.56 quad {I4_0_quad:.5e}); (I4 - I4(0))/theta^2 = {coef:.5f} x pi^2/(48 k1^2) "
             f"at theta={thetas[0]:.0e}, {coef_mid:.3f} at theta={th_in[j]:.4f} (Eq.59 needs theta << 2k1/N); "
             f"I4/I4_classical at theta={thetas[-1]:g}: {cl_ratio:.6f}; "
             f"k1=1: engine I4(0)/Eq.58 - 1 = {eq58_engine / eq58 - 1:.2e} (O(1/N))")


if __name__ == "__main__":
    main()
