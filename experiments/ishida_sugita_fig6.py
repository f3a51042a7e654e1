"""Ishida and Sugita, Fig. 6: the two sides of Eq. 150 against the coupling lambda for the tilted Ising chain
(theta = pi/4, N = 6, parameters of Fig. 5): LHS t_N - t_1 and RHS (alpha_zz/alpha_+) [sum_l (<sigma^z_{l-1}
rho^A_{l,l+1}> - <rho^A_{l-1,l} sigma^z_{l+1}>) - t_L <rho^A_{1,2}> + <rho^A_{N-1,N}> t_R], the three-body
correlations of Eq. 151-152 that carry the temperature gradient. lambda = 0.001, 0.005, 0.01, 0.02, 0.05, 0.1,
0.2 as in the caption; h = 1, T_L = 1.5, T_R = 0.5, c = d = 1, hbar = k_B = 1.
Engine: ``jl.spins.steady_state(chain).eq150`` (exact NESS, dense LU).
Checks of the text: both sides converge to the same nonzero value as lambda -> 0 ("slightly slower than the
temperature"); printed: LHS, RHS, their difference and its log-log slope in lambda (O(lambda) expected).
--quick: N = 4 and lambda = 0.001, 0.01, 0.1.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

from jaxlangevin import spins

NAME = "ishida_sugita_fig6"
COUPLINGS = (0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2)


def sides(n, coupling):
    chain = spins.SpinChain.tilted_ising(n=n, coupling=coupling, theta=np.pi / 4, temperatures=(C.T_L, C.T_R))
    lhs, rhs = spins.steady_state(chain).eq150
    return float(lhs), float(rhs)


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    n, couplings = (4, (0.001, 0.01, 0.1)) if args.quick else (6, COUPLINGS)
    lhs, rhs = np.array([sides(n, lam) for lam in couplings]).T
    small = np.asarray(couplings) <= 0.01
    slope = C.loglog_slope(np.asarray(couplings)[small], (lhs - rhs)[small])

    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    ax.semilogx(couplings, lhs, "o", mfc="none", label=r"LHS $t_N - t_1$")
    ax.semilogx(couplings, rhs, "s", mfc="none", label="RHS (three-body correlations)")
    ax.set(xlabel=r"$\lambda$", ylabel="Eq. (150)", title=rf"tilted Ising, $\theta=\pi/4$, N = {n}")
    ax.legend(fontsize=8)
    C.save(args, NAME, fig, n=n, couplings=np.array(couplings), lhs=lhs, rhs=rhs, slope=slope)
    for lam, a, b in zip(couplings, lhs, rhs):
        C.report(NAME, f"lambda = {lam:g}: LHS {a:.6f}  RHS {b:.6f}  RHS/LHS - 1 = {b / a - 1:+.2e}")
    C.report(NAME, f"log-log slope of |LHS - RHS| for lambda <= 0.01: {slope:.3f}")


if __name__ == "__main__":
    main()
