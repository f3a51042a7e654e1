"""Ishida and Sugita, Fig. 4: temperature profile of the two-spin tilted Ising model between two baths, theta = pi/4
(alpha_zz = 1/2: a temperature gradient survives the weak-coupling limit) and theta = pi/2 (transverse Ising,
alpha_zz = 0: flat), at lambda = 0.1 (circles) and 0.01 (squares), with the lambda -> 0 line of Eq. 111-112.

Parameters (caption of Fig. 4, text of Sec. IV B): N = 2, h = 1, T_L = 1.5 (drawn at site 0), T_R = 0.5 (site 3),
baths of Appendix B (coupling sigma^z' = cos(theta) sigma^z - sin(theta) sigma^x on the edge spins, c_L = c_R =
d_L = d_R = 1 -- the text's "c_L = c_R = c_L = c_R = 1" is a typo), hbar = k_B = 1; the spins are sites 1, 2.
Engine: ``jl.spins.steady_state`` (exact null vector of the master equation Eq. 5-19, dense LU); T_l = h /
artanh(t_l), t_l = -<sigma^z_l>. Line: ``jl.analytic.ishida_sugita_two_spin`` (Eq. B23-B25 solved exactly;
with equal baths it is Eq. 111-114 with K of Eq. 114), t_l -> T_l the same way.
Checks of the text: at theta = pi/4 the numbers agree with Eq. 111-112 at lambda = 0.01 "with relative errors of
order 1e-2"; at theta = pi/2 the profile is flat and "the convergence is much faster". Right panel (not in the
paper): the largest relative error of T_1, T_2 against lambda, with its log-log slope fitted over lambda = 1e-2
.. 1e-3 (O(lambda) at pi/4, O(lambda^2) at pi/2; below 1e-3 the pi/2 error meets the ~1e-17 / lambda^2
rounding of the dense solve).
--quick: 5 couplings (1e-1 .. 1e-3, two per decade) in the right panel instead of 13 (1e-1 .. 1e-4).
Key numbers: T_1, T_2 of Eq. 111-112 and K of Eq. 114 per theta; relative errors of T_1, T_2 at lambda = 0.1,
0.01; the convergence slopes.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin as jl
from jaxlangevin import spins

NAME = "ishida_sugita_fig4"
H = 1.0
COUPLINGS = (1e-1, 1e-2)  # the figure's markers
THETAS = (("pi/4", np.pi / 4), ("pi/2", np.pi / 2))


def profile(coupling, theta):
    chain = spins.SpinChain.tilted_ising(
        n=2,
        coupling=coupling,
        theta=theta,
        field=H,
        temperatures=(C.T_L, C.T_R),
        spectrum=spins.ConstantSpectrum(c=1.0, d=1.0),
    )
    return np.asarray(spins.steady_state(chain).local_temperature)


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    t_l, t_r = np.tanh(H / C.T_L), np.tanh(H / C.T_R)
    analytic = np.array(
        [[H / np.arctanh(float(t)) for t in jl.analytic.ishida_sugita_two_spin(t_l, t_r, th)[:2]] for _, th in THETAS]
    )  # (theta, spin)
    k = np.array([float(jl.analytic.ishida_sugita_k(t_l, t_r, th)) for _, th in THETAS])
    temps = np.array([[profile(lam, th) for lam in COUPLINGS] for _, th in THETAS])  # (theta, lambda, spin)
    rel = temps / analytic[:, None, :] - 1

    conv = np.logspace(-1, -3, 5) if args.quick else np.logspace(-1, -4, 13)
    conv_rel = np.array(
        [[np.abs(profile(lam, th) / analytic[k_] - 1).max() for lam in conv] for k_, (_, th) in enumerate(THETAS)]
    )  # (theta, lambda)
    fit = (conv <= 1e-2 * (1 + 1e-9)) & (conv >= 1e-3 * (1 - 1e-9))
    slopes = np.array([C.loglog_slope(conv[fit], r[fit]) for r in conv_rel])

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    x = np.arange(4)
    for j, (ax, (label, _)) in enumerate(zip(axes[:2], THETAS)):
        ax.plot(x, [C.T_L, *analytic[j], C.T_R], "k-", lw=1, label="Eq. (111)-(112)")
        for i, (lam, mark) in enumerate(zip(COUPLINGS, ("o", "s"))):
            ax.plot(x[1:3], temps[j, i], mark, mfc="none", ms=8, label=rf"$\lambda = {lam:g}$")
        ax.plot([0, 3], [C.T_L, C.T_R], "kD", label="baths")
        ax.set(
            xlabel="site",
            ylabel=r"$T_l = h/\mathrm{artanh}\,t_l$",
            xticks=x,
            xticklabels=["0\n(bath L)", "1", "2", "3\n(bath R)"],
            title=rf"N = 2, $\theta = \pi/{label[-1]}$, K (Eq. 114) = {k[j] if k[j] > 1e-15 else 0:.3g}",
        )
        ax.legend(fontsize=8)
    for j, (label, _) in enumerate(THETAS):
        axes[2].loglog(
            conv, conv_rel[j], "o-", mfc="none", label=rf"$\theta = \pi/{label[-1]}$ (slope {slopes[j]:.2f})"
        )
    axes[2].set(xlabel=r"$\lambda$", ylabel=r"max$_l$ $|T_l/T_l^{(0)} - 1|$", title="convergence to Eq. (111)-(112)")
    axes[2].legend(fontsize=8)
    C.save(
        args,
        NAME,
        fig,
        couplings=np.array(COUPLINGS),
        thetas=np.array([t for _, t in THETAS]),
        temperature=temps,
        analytic=analytic,
        K=k,
        rel_err=rel,
        conv_couplings=conv,
        conv_rel_err=conv_rel,
        slopes=slopes,
    )
    for j, (label, _) in enumerate(THETAS):
        C.report(
            NAME,
            f"theta = {label}: Eq. 111-112 T_1, T_2 = {analytic[j, 0]:.6f}, {analytic[j, 1]:.6f} (K = "
            f"{k[j]:.4g}); relative errors of T_1, T_2 at "
            + ", ".join(
                f"lambda = {lam:g}: {rel[j, i, 0]:+.2e}, {rel[j, i, 1]:+.2e}" for i, lam in enumerate(COUPLINGS)
            )
            + f"; convergence slope {slopes[j]:.3f}",
        )


if __name__ == "__main__":
    main()
