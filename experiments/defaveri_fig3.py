"""Defaveri, Olivares & Anteneodo, PRE 2022, Fig. 3: transmittance of the pinned (k0 = 1, momentum
non-conserving) mean-field chain, m = k = gamma = 1, Nt = N-1 and Nt = 1, several N.

Engine: ``jl.transmission`` (exact). Overlays: exact closed form Eqs. (20)-(22); the two-Lorentzian
approximation Eqs. (28)-(29) centred at w_c of Eq. (26). Key numbers: peak position vs w_c (Eq. 26),
N x HWHM vs 1/A (Eq. 29: A = 2 for Nt = N-1, A = 1 for Nt = 1), peak height 1.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin as jl

NAME = "defaveri_fig3"
K0 = 1.0


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    Ns = [20, 50] if args.quick else [10, 20, 50, 100, 200]
    kacs = ["N-1", "1"]
    npts = 401 if args.quick else 2001
    rows, data, max_rel_err = [], {}, 0.0
    fig, axes = plt.subplots(2, 2, figsize=(10, 8))
    for col, kac in enumerate(kacs):
        for i, N in enumerate(Ns):
            Nt = C.kac_value(N, kac)
            system = C.mean_field_system(N, k=1.0, kac=kac, k0=K0, gamma=1.0)
            A = C.defaveri_A(N, kac, k=1.0, k0=K0)
            wc = float(C.defaveri_omega_c(N, kac, k=1.0, k0=K0))
            w_full = np.linspace(1e-3, 2.5, npts)
            w_peak = wc + np.linspace(-6, 6, npts) / (N * A)
            tr_full = np.asarray(jl.transmission(system, w_full))
            tr_peak = np.asarray(jl.transmission(system, w_peak))
            exact = C.defaveri_transmission(w_peak, N, Nt, k=1.0, k0=K0)
            max_rel_err = max(max_rel_err, float(np.max(np.abs(tr_peak - exact) / exact)))
            j = int(np.argmax(tr_peak))
            w_max = w_peak[j]
            above = w_peak[tr_peak >= 0.5 * tr_peak[j]]
            hwhm = 0.5 * (above.max() - above.min())
            rows.append([col, N, wc, w_max, tr_peak[j], N * hwhm, 1.0 / A])
            shade = plt.cm.viridis(0.85 - 0.7 * i / max(len(Ns) - 1, 1))
            axes[0, col].plot(w_full, tr_full, color=shade, label=f"N={N}")
            axes[1, col].plot(N * A * (w_peak - wc), tr_peak, color=shade, label=f"N={N}")
            data[f"w_full_{kac}_{N}"], data[f"T_full_{kac}_{N}"] = w_full, tr_full
            data[f"w_peak_{kac}_{N}"], data[f"T_peak_{kac}_{N}"] = w_peak, tr_peak
            data[f"T_exact_peak_{kac}_{N}"] = exact
        x = np.linspace(-6, 6, 300)
        axes[1, col].plot(x, 1 / (1 + x**2), "k--", label="Eqs. (28)-(29)")
        axes[0, col].set(xlabel=r"$\omega$", ylabel=r"$\mathcal{T}$", yscale="log", ylim=(1e-8, 2),
                         title=rf"$k_0=1$, $\tilde N$ = {kac}")
        axes[1, col].set(xlabel=r"$N\mathcal{A}(\omega-\omega_c)$", ylabel=r"$\mathcal{T}$",
                         title=rf"peak at $\omega_c$ (Eq. 26), $\tilde N$ = {kac}")
        for ax in axes[:, col]:
            ax.legend(fontsize=7)
    rows = np.array(rows, float)
    C.save(args, NAME, fig, Ns=np.array(Ns), rows=rows, max_rel_err_closed_form=max_rel_err,
           rows_columns=np.array(["kac(0:N-1,1:1)", "N", "wc_eq26", "w_max", "T_max",
                                  "N*HWHM", "1/A"]), **data)
    parts = []
    for col, kac in enumerate(kacs):
        r = rows[(rows[:, 0] == col) & (rows[:, 1] == Ns[-1])][0]
        parts.append(f"Nt={kac}: w_max={r[3]:.5f} vs w_c={r[2]:.5f}, N*HWHM={r[5]:.3f} vs 1/A={r[6]:.3f}, "
                     f"T_max={r[4]:.4f}")
    C.report(NAME, f"N={Ns[-1]} " + "; ".join(parts) + f"; engine vs Eq.20-22 max rel err {max_rel_err:.1e}")


if __name__ == "__main__":
    main()
