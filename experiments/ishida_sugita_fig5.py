"""Ishida and Sugita, Fig. 5: temperature profiles of the tilted Ising chain with N = 6 between two baths,
theta = pi/4 (alpha_zz = 1/2: a temperature gradient survives the weak-coupling limit) and theta = pi/2
(transverse Ising, alpha_zz = 0: the gradient vanishes, Eq. 2), for lambda = 1e-1, 1e-2, 1e-3, 1e-4.

Parameters (caption of Fig. 4-5): h = 1, T_L = 1.5, T_R = 0.5, baths of Appendix B (coupling sigma^z'
on the edge spins, c_L = c_R = d_L = d_R = 1), hbar = k_B = 1. Engine: ``jl.spins.steady_state`` (exact
null vector of the master equation Eq. 5-19, dense LU); T_l = h / artanh(t_l), t_l = -<sigma^z_l>.
The weak-coupling limit has no closed form for N = 6; it is taken from the two smallest couplings by
Richardson extrapolation of the O(lambda) error, T_0 = (10 T(1e-4) - T(1e-3)) / 9.
Checks of the text: at theta = pi/4 the profile at lambda = 0.01 agrees with the limit to relative errors
of order 1e-2, "as fast as for the two-spin case" (the N = 2 error at lambda = 0.01 is printed beside it);
at theta = pi/2 the profile is flat in the limit and converges much faster.
--quick: N = 4 instead of 6 (same couplings, same checks).
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

from jaxlangevin import spins

NAME = "ishida_sugita_fig5"
COUPLINGS = (1e-1, 1e-2, 1e-3, 1e-4)
THETAS = (("pi/4", np.pi / 4), ("pi/2", np.pi / 2))


def profile(n, coupling, theta):
    chain = spins.SpinChain.tilted_ising(n=n, coupling=coupling, theta=theta, temperatures=(C.T_L, C.T_R))
    return np.asarray(spins.steady_state(chain).local_temperature)


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    n = 4 if args.quick else 6
    temps = np.array([[profile(n, lam, th) for lam in COUPLINGS] for _, th in THETAS])  # (theta, lambda, site)
    limit = (10 * temps[:, -1] - temps[:, -2]) / 9
    rel = np.max(np.abs(temps / limit[:, None, :] - 1), axis=2)  # (theta, lambda)
    two = np.array([[profile(2, lam, th) for lam in COUPLINGS[-3:]] for _, th in THETAS])
    rel_two = np.max(np.abs(two[:, 0] / ((10 * two[:, 2] - two[:, 1]) / 9) - 1), axis=1)  # N = 2, lambda = 1e-2
    gradient = limit[:, 0] - limit[:, -1]  # T_1 - T_N in the limit

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    x = np.arange(n + 2)
    for k, (ax, (label, _)) in enumerate(zip(axes, THETAS)):
        for j, (lam, mark) in enumerate(zip(COUPLINGS, ("o", "^", "s", "x"))):
            ax.plot(x[1:-1], temps[k, j], mark, mfc="none", label=rf"$\lambda = 10^{{{int(np.log10(lam))}}}$")
        ax.plot(x[1:-1], limit[k], "k-", lw=0.8, label=r"$\lambda \to 0$ (extrapolated)")
        ax.plot([0, n + 1], [C.T_L, C.T_R], "kD", label="baths")
        ax.set(xlabel="site", title=rf"N = {n}, $\theta = \pi/{label[-1]}$", xticks=x)
    axes[0].set_ylabel(r"$T_l = h/\mathrm{artanh}\,t_l$")
    axes[0].legend(fontsize=8)
    C.save(args, NAME, fig, n=n, couplings=np.array(COUPLINGS), thetas=np.array([t for _, t in THETAS]),
           temperature=temps, limit=limit, rel_err=rel, rel_err_two_spin=rel_two, gradient=gradient)
    for k, (label, _) in enumerate(THETAS):
        C.report(NAME, f"theta = {label}: limit T = {np.array2string(limit[k], precision=4)}, T_1 - T_N = "
                 f"{gradient[k]:+.2e}; max rel err vs limit at lambda = " +
                 ", ".join(f"{lam:g}: {r:.1e}" for lam, r in zip(COUPLINGS, rel[k])) +
                 f"; N = 2 at lambda = 0.01: {rel_two[k]:.1e}")


if __name__ == "__main__":
    main()
