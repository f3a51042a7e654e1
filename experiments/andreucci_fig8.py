"""Andreucci et al., Fig. 8: I_6 as a function of aL + aR (extensive coupling, uncoupled-site temperature).

Eq. (65): T_i = (aL T_L + aR T_R)/(pi N) I_6 for a site not coupled to a bath, so from the engine
I_6 = pi N T_i / (aL T_L + aR T_R). k1 is not given in the caption: k1 = 1 here (m = 1, kA = 1/2,
gamma = 1), aL = aR. Overlays: Eq. (66) as printed, by quadrature, and the corrected closed form
``jl.analytic.andreucci_i6`` = pi / (a (1 - a)) (see its docstring: the printed integrand has a spurious
factor). Key numbers: engine vs both, and the divergence of I_6 as aL + aR -> 0.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np
from scipy.integrate import quad

import jaxlangevin as jl
import jaxlangevin.analytic as an

NAME = "andreucci_fig8"
K1 = 1.0


def I6_eq66(k1, s):
    def f(y):
        a = (y * y - 1) ** 2
        return 1.0 / ((a + k1**2 * y * y) * (y * y * a + k1**2 * (y * y - s) ** 2))
    pts = [0, min(np.sqrt(s), 0.5) / 2, 0.5, 1.0, 2.0]
    val = sum(quad(f, lo, hi, limit=400, epsrel=1e-11)[0] for lo, hi in zip(pts[:-1], pts[1:]))
    return k1 * 2 * (val + quad(f, 2.0, np.inf, limit=400)[0])


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    N = 100 if args.quick else 1000
    js = np.unique(np.round(np.geomspace(1, 0.45 * N, 8 if args.quick else 30)).astype(int))
    s, I6 = [], []
    for j in js:
        a = j / N
        ss = jl.negf_steady_state(jl.System(
            masses=jl.masses.uniform(N, 1.0), coupling=jl.MeanField.from_andreucci(0.5),
            baths=jl.extensive(N, fractions=(a, a), temperatures=(C.T_L, C.T_R), gamma=K1)))
        T_mid = float(np.asarray(ss.temperature)[N // 2])  # sites j..N-j-1 are uncoupled
        s.append(2 * a)
        I6.append(np.pi * N * T_mid / (a * C.T_L + a * C.T_R))
    s, I6 = np.array(s), np.array(I6)
    ref = np.array([I6_eq66(K1, x) for x in s])
    corrected = np.array([float(an.andreucci_i6(x / 2, x / 2)) for x in s])
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.loglog(s, I6, "o", label=f"engine, N={N}")
    ax.loglog(s, ref, "k:", label="Eq. (66) as printed")
    ax.loglog(s, corrected, "k-", label=r"corrected: $\pi/(a(1-a))$")
    ax.set(xlabel=r"$\alpha_L+\alpha_R$", ylabel="$I_6$", title=f"$k_1$={K1}")
    ax.legend(fontsize=8)
    C.save(args, NAME, fig, alpha_sum=s, I6=I6, I6_eq66=ref, I6_corrected=corrected, N=N, k1=K1)
    rel = np.abs(I6 / ref - 1)
    rel_c = np.abs(I6 / corrected - 1)
    C.report(NAME, f"I6 from {I6[0]:.3g} (a={s[0]:.3g}) to {I6[-1]:.3g} (a={s[-1]:.3g}), diverges as a->0 "
             f"(log slope {C.loglog_slope(s[:3], I6[:3]):.2f}); engine vs Eq.66 as printed: rel err max "
             f"{rel.max():.1e}, median {np.median(rel):.1e}; vs corrected pi/(a(1-a)): max {rel_c.max():.1e} at N={N}")


if __name__ == "__main__":
    main()
