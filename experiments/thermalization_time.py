"""How long the mean-field chain takes to thermalize, against the mass disorder delta (issue 4, item 3).

Equal masses leave N - 3 bulk modes the baths never reach (Andreucci Sec. 3.3, Defaveri Sec. III): the
bulk never thermalizes. Graded masses m_n = 1 + delta (linear from -delta to +delta) couple those modes
to the baths weakly, with a strength that vanishes with delta, so the time to reach the steady state
grows as delta shrinks. System: Defaveri Eq. 5 mean-field chain, N = 32 (--quick: 16), k = gamma = 1,
k0 = 0, Nt = N - 1, T_L = 1.5, T_R = 0.5.

Engines: ``jl.lyapunov_steady_state`` (slowest relaxation time 1/min(-Re lambda) and the steady bulk
temperature) and ``jl.covariance_evolution`` (exact bulk temperature against time from rest; t_90 = the
first time the bulk mean reaches 90% of its steady value). Reference: a perturbative expectation, not a
paper's figure: the dark modes' damping is second order in the coupling that breaks their degeneracy,
so rates ~ delta^2 and times ~ delta^-2. The script prints the fitted exponents.
"""

import _common as C  # noqa: I001

import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin as jl

NAME = "thermalization_time"


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    C.quiet_precision_warnings()
    n = 16 if args.quick else 32
    deltas = np.logspace(-2.5, -0.5, 5 if args.quick else 9)
    tau, t90, t_bulk, curves = [], [], [], []
    for d in deltas:
        system = C.mean_field_system(n, k=1.0, kac="N-1", k0=0.0, gamma=1.0, masses=jl.masses.graded(n, 1.0, d))
        ly = jl.lyapunov_steady_state(system, init=jl.AtRest())
        tau.append(float(ly.slowest_relaxation_time))
        steady = float(np.mean(np.asarray(ly.temperature)[1:-1]))
        t_bulk.append(steady)
        times = np.logspace(-1, np.log10(30 * tau[-1]), 300)
        ev = jl.covariance_evolution(system, jl.AtRest(), times)
        bulk = np.asarray(ev.temperature)[:, 1:-1].mean(axis=1)
        t90.append(float(times[np.argmax(bulk >= 0.9 * steady)]))
        curves.append((times, bulk / steady))
    tau, t90 = np.array(tau), np.array(t90)
    slope_tau, slope_t90 = C.loglog_slope(deltas, tau), C.loglog_slope(deltas, t90)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.3))
    ax1.loglog(deltas, tau, "o-", label=f"slowest relaxation time (slope {slope_tau:.2f})")
    ax1.loglog(deltas, t90, "s-", label=f"bulk at 90% of steady, from rest (slope {slope_t90:.2f})")
    ax1.loglog(deltas, tau[-1] * (deltas / deltas[-1]) ** -2, "k--", lw=0.8, label=r"$\propto\delta^{-2}$")
    ax1.set(xlabel=r"mass disorder $\delta$", ylabel="time", title=f"mean-field chain, N = {n}")
    ax1.legend(fontsize=8)
    for d, (times, rel) in zip(deltas[::2], curves[::2]):
        ax2.semilogx(times, rel, label=rf"$\delta$ = {d:.3g}")
    ax2.axhline(0.9, color="gray", ls=":", lw=0.8)
    ax2.set(xlabel="t", ylabel="bulk mean T(t) / steady", title="exact transient from rest")
    ax2.legend(fontsize=8)
    C.save(args, NAME, fig, deltas=deltas, tau=tau, t90=t90, bulk_steady=np.array(t_bulk), N=n,
           slope_tau=slope_tau, slope_t90=slope_t90)
    C.report(NAME, f"N = {n}: slowest relaxation time ~ delta^{slope_tau:.2f}, t_90 ~ delta^{slope_t90:.2f} "
             f"(expected -2); at delta = {deltas[0]:.3g}: tau = {tau[0]:.3g}, t_90 = {t90[0]:.3g}; steady bulk "
             f"T = {t_bulk[0]:.3f} ... {t_bulk[-1]:.3f}")


if __name__ == "__main__":
    main()
