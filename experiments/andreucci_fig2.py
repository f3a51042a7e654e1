"""Andreucci et al., Fig. 2: kinetic temperature profile T_n of the equal-mass mean-field chain from a
Langevin simulation, N = 32, intensive baths T_L = 1.5, T_R = 0.5, gamma = 0.5, for two starts:
(upper) x = v = 0 ("from rest", the start the analytic results assume) and (lower) random Gaussian data
of temperature (T_L + T_R)/2 = 1.

Mapping (CONVENTIONS): Andreucci Phi = 2 k_A (delta - 1/N) -> ``MeanField.from_andreucci(k_A)``, m = 1.
Assumption: the caption gives no coupling; we take k_A = 1 (the k = 1 of the Fig. 3 caption). From rest the
bulk temperature (T_L + T_R)/(2 (N-2)) does not depend on k_A (Eq. 28-29; Eq. 30 keeps (T_L + T_R)/(2N)).
Assumption: the paper's random start draws x and v with variance (T_L + T_R)/2; we use ``Thermal(1.0)``
(v ~ N(0, T/m), x ~ N(0, T Phi^+)), which puts exactly T = 1 into each of the N-3 bath-decoupled modes
(bulk relative coordinates, Sec. 3.3), so their kinetic energy does not oscillate in the ensemble mean.

Engine: ``jl.simulate`` (BAOAB, dt = 0.05; relative bias of a mode's kinetic temperature <~ (omega dt)^2/4
= 1.3e-3 at omega_max = sqrt(2 k_A) = 1.41, far below the statistical errors). Instead of the paper's
single trajectory of 1e5 time units we average an ensemble (rest: 256 trajectories x 4000; thermal: 1024
x 500), after t_relax = 10 x ``negf_steady_state(...).slowest_relaxation_time``.
Exact lines: from rest ``jl.negf_steady_state`` (its stated start is ``AtRest()``); from Thermal(1) the
bath sites are unchanged (the dark modes vanish there) and each bulk site gains the dark-mode energy
T_rest(n) + (1 - 1/(N-2)) x 1 (the diagonal of the projector on bulk vectors with zero sum).
Key numbers: max |sim - exact| / err over the bulk for both starts; the bulk means against (T_L+T_R)/(2N),
the exact (T_L+T_R)/(2(N-2)), and 1.
"""

import _common as C  # noqa: I001

import jax
import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin as jl

NAME = "andreucci_fig2"
N, GAMMA, KA, T_START, DT = 32, 0.5, 1.0, 1.0, 0.05


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    system = jl.System(masses=jl.masses.uniform(N, 1.0), coupling=jl.MeanField.from_andreucci(KA),
                       baths=jl.intensive(N, temperatures=(C.T_L, C.T_R), gamma=GAMMA))
    exact = jl.negf_steady_state(system)
    t_rest = np.asarray(exact.temperature)
    t_relax = 10 * float(exact.slowest_relaxation_time)
    bulk = slice(1, N - 1)
    t_thermal = t_rest.copy()
    t_thermal[bulk] += (1 - 1 / (N - 2)) * T_START
    # (n_traj, t_measure): the rest start needs a long average (small bulk signal); the thermal start's
    # error is dominated by the spread of the initial dark-mode energies, reduced only by more trajectories
    plan = {"rest": (jl.AtRest(), 64 if args.quick else 256, 100.0 if args.quick else 4000.0, t_rest),
            "thermal": (jl.Thermal(T_START), 64 if args.quick else 1024, 100.0 if args.quick else 500.0, t_thermal)}
    sim, err, z, runs = {}, {}, {}, {}
    for i, (label, (init, n_traj, t_meas, ref)) in enumerate(plan.items()):
        res = jl.simulate(system, n_traj=n_traj, dt=DT, t_relax=t_relax, t_measure=t_meas,
                          key=jax.random.key(i), init=init, progress=False)
        sim[label], err[label] = np.asarray(res.temperature), np.asarray(res.temperature_err)
        z[label] = (sim[label] - ref) / err[label]
        runs[label] = (n_traj, t_meas, float(res.energy_balance), float(res.energy_balance_err),
                       float(res.flux[0]), float(res.flux_err[0]))
    ref_bulk = C.analytic("andreucci_bulk_temperature_intensive")
    ref_bulk = float(ref_bulk(N, C.T_L, C.T_R)) if ref_bulk else (C.T_L + C.T_R) / (2 * (N - 2))
    eq30 = (C.T_L + C.T_R) / (2 * N)

    n = np.arange(1, N + 1)
    fig, axes = plt.subplots(2, 1, figsize=(6.5, 7), sharex=True)
    for ax, label, ref, title in [(axes[0], "rest", t_rest, r"start at rest, $x=\dot x=0$"),
                                  (axes[1], "thermal", t_thermal, rf"start Thermal({T_START:g})")]:
        ax.errorbar(n, sim[label], yerr=err[label], fmt="o", ms=4, capsize=2, label="jl.simulate")
        ax.plot(n, ref, "k-", lw=0.9, label="exact" + (" (negf_steady_state)" if label == "rest"
                                                      else r": $T_{rest} + (1-\frac{1}{N-2})\,T_0$ in the bulk"))
        nt, tm = runs[label][:2]
        ax.set(ylabel=r"$T_n$", yscale="log",
               title=f"{title}: {nt} traj x {tm:g} time units, max|z|(bulk)={np.max(np.abs(z[label][bulk])):.1f}")
    axes[0].axhline(eq30, color="gray", ls="--", lw=0.8, label="(T_L+T_R)/(2N) [Eq. 30]")
    axes[1].axhline((C.T_L + C.T_R) / 2, color="gray", ls=":", lw=0.8, label="(T_L+T_R)/2")
    for ax in axes:
        ax.legend(fontsize=7)
    axes[1].set_xlabel("n")
    fig.suptitle(rf"Andreucci Fig. 2: N={N}, $k_A$={KA:g}, $\gamma$={GAMMA:g}, dt={DT:g}", fontsize=10)
    C.save(args, NAME, fig, n=n, T_exact_rest=t_rest, T_exact_thermal=t_thermal,
           T_sim_rest=sim["rest"], T_err_rest=err["rest"], T_sim_thermal=sim["thermal"],
           T_err_thermal=err["thermal"], z_rest=z["rest"], z_thermal=z["thermal"],
           max_abs_z_bulk=np.array([np.max(np.abs(z[k][bulk])) for k in ("rest", "thermal")]),
           bulk_mean_sim=np.array([sim[k][bulk].mean() for k in ("rest", "thermal")]),
           bulk_mean_exact=np.array([t_rest[bulk].mean(), t_thermal[bulk].mean()]),
           ref_bulk_exact=ref_bulk, ref_eq30=eq30, t_relax=t_relax,
           runs=np.array([runs[k] for k in ("rest", "thermal")]), flux_exact=np.asarray(exact.flux))
    zr, zt = (np.max(np.abs(z[k][bulk])) for k in ("rest", "thermal"))
    C.report(NAME, f"rest: bulk T {sim['rest'][bulk].mean():.5f}+-{err['rest'][bulk].mean():.5f} vs exact "
             f"(TL+TR)/(2(N-2))={ref_bulk:.5f}, Eq.30 (TL+TR)/2N={eq30:.5f}, max|z|bulk {zr:.2f}; "
             f"thermal: bulk mean {sim['thermal'][bulk].mean():.3f} (per-site err ~{err['thermal'][bulk].mean():.3f}) "
             f"vs exact {t_thermal[bulk].mean():.4f} (=T_rest+(1-1/(N-2))T0, T0=1), max|z|bulk {zt:.2f}; "
             f"max|z| bath sites {max(np.max(np.abs(z[k][[0, -1]])) for k in z):.2f}; "
             f"J_L sim {runs['rest'][4]:.5f}+-{runs['rest'][5]:.5f} vs exact {float(exact.flux[0]):.5f}; "
             f"t_relax={t_relax:.0f}")


if __name__ == "__main__":
    main()
