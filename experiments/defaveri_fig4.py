"""Defaveri, Olivares & Anteneodo, PRE 2022, Fig. 4: heat flux J vs N, gamma = 1, k = 0.1,
k0 in {0, 0.02}; main plot Nt = N-1, inset Nt = 1; identical, graded and random masses (delta = 0.1).

Engine: ``jl.negf_steady_state`` (exact NEGF; O(N^2) for unequal masses). Overlay: large-N closed forms
Eq. (25) J/dT = gamma/(2mN) (k0 = 0 or Nt = 1) and Eq. (30) J/dT = 1/(2AN), A = (m/g)(1 + w0^2 g^2/k^2)
(k0 > 0, Nt = N-1; here A = 3). Key numbers: fitted log-log slope (paper: -1) and N J/dT at the largest N.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin as jl

NAME = "defaveri_fig4"
K, GAMMA = 0.1, 1.0


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    C.quiet_precision_warnings()
    Ns = [16, 32] if args.quick else [16, 32, 64, 128, 256, 512, 1024]
    masses, k0s, kacs = ["uniform", "graded", "random"], [0.0, 0.02], ["N-1", "1"]
    J = np.zeros((len(kacs), len(k0s), len(masses), len(Ns)))
    for a, kac in enumerate(kacs):
        for b, k0 in enumerate(k0s):
            for c, mk in enumerate(masses):
                for d, N in enumerate(Ns):
                    system = C.mean_field_system(N, k=K, kac=kac, k0=k0, gamma=GAMMA,
                                                 masses=C.mass_family(mk, N))
                    J[a, b, c, d] = float(jl.negf_steady_state(system).flux[0]) / C.DELTA_T
    theory = np.array([[C.defaveri_flux_large_N(Ns, kac, k=K, k0=k0, gamma=GAMMA) for k0 in k0s]
                       for kac in kacs])
    slopes = np.array([[[C.loglog_slope(Ns[-3:], J[a, b, c, -3:])
                         for c in range(3)] for b in range(2)] for a in range(2)])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    marks, cols = {"uniform": "o", "graded": "s", "random": "^"}, ["indigo", "darkorange"]
    for a, kac in enumerate(kacs):
        ax = axes[a]
        for b, k0 in enumerate(k0s):
            for c, mk in enumerate(masses):
                ax.loglog(Ns, J[a, b, c], marks[mk], color=cols[b], mfc="none" if c else cols[b],
                          ms=4 + 3 * b, label=f"k0={k0}, {mk}")
            ax.loglog(Ns, theory[a, b], "-", color=cols[b], lw=1,
                      label="Eq. (25)" if (k0 == 0 or kac == "1") else "Eq. (30)")
        ax.set(xlabel="N", ylabel=r"$J/\Delta T$", title=rf"$\tilde N$ = {kac}, k={K}, $\gamma$={GAMMA}")
        ax.legend(fontsize=6, ncol=2)
    C.save(args, NAME, fig, Ns=np.array(Ns), J_over_dT=J, theory=theory, slopes=slopes,
           axes_order=np.array(["kac", "k0", "masses", "N"]), kacs=np.array(kacs), k0s=np.array(k0s),
           masses=np.array(masses))
    NJ = J[:, :, :, -1] * Ns[-1]
    C.report(NAME, f"slopes (last 3 N) {np.nanmin(slopes):.3f}..{np.nanmax(slopes):.3f} vs paper -1; "
             f"N*J/dT at N={Ns[-1]} "
             f"(uniform) Nt=N-1: k0=0 {NJ[0,0,0]:.4f} vs 0.5, k0=0.02 {NJ[0,1,0]:.4f} vs 1/6=0.1667; "
             f"Nt=1: {NJ[1,0,0]:.4f}, {NJ[1,1,0]:.4f} vs 0.5; graded/random within "
             f"{np.nanmax(np.abs(J[:, :, 1:, -1] / J[:, :, :1, -1] - 1)):.1%} of uniform; "
             f"{int(np.isnan(J).sum())} NaN fluxes")


if __name__ == "__main__":
    main()
