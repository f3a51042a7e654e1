"""Panasyuk et al., Sec. VI (Eq. 78-83): Fourier's law in a chain of macroscopic subsystems linked by quantum
mediators. (a) relaxation of the temperature profile from a step to the steady state (``evolve``, Eq. 80);
(b) steady profiles at high T (nearly linear) and low T (curved) beside the continuum Fourier/Kirchhoff
prediction of Eq. 83 (``fourier_profile``); (c) kappa(T) = K(T) d with the T^3 law (Eq. 51) and the classical
plateau (Eq. 47).

Parameters as the paper's Fig. 4: omega0 = 1, gamma_hat = (gamma1 + gamma2)/m = 0.1 (omega0 tau_p = 10), D = 10,
hbar = m = 1, subsystem heat capacity C(T) = T (Sec. VI: U ~ T^2 / (hbar Delta)). Engine:
``jl.mesoscopic`` (exact single-mediator currents by ``jl.negf_steady_state``). Key numbers: max |T_k - T_Fourier(k)|
(the exact chain is the Kirchhoff profile at every n, because Eq. 42 is of Landauer form), the low-T slope of
kappa(T) (-> 3) and kappa(T_max) / Eq. 47.
"""

import _common as C  # noqa: I001

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin as jl

NAME = "panasyuk_fourier"
P = dict(omega0=1.0, gamma1=0.05, gamma2=0.05, cutoff=10.0, mass=1.0)
M = jl.mesoscopic


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    n = 6 if args.quick else 20
    chain = M.MediatorChain(n, **P, hbar=1.0, heat_capacity=1.0)
    k = np.arange(1, n + 1)
    L = n + 1.0

    # (a) relaxation from a step: all subsystems at T_R, left reservoir at T_L.
    TLa, TRa = 1.5, 0.5
    T_ss, J_ss = M.steady_state(chain, TLa, TRa)
    times = np.array([0.0, 30, 100, 300, 1000, 3000, 10000, 30000]) * ((n + 1) / 21) ** 2
    ev = M.evolve(chain, jnp.full(n, TRa), TLa, TRa, times)
    U = np.asarray(M.energy(chain, ev.temperatures).sum(axis=1))
    balance = float(np.max(np.abs(U - U[0] - np.asarray(ev.heat_from_left - ev.heat_to_right))))
    relax_err = float(np.max(np.abs(np.asarray(ev.temperatures[-1]) - np.asarray(T_ss))))

    # (b) steady profiles, high and low T, discrete chain vs continuum Kirchhoff profile.
    cases = {"high T: 30 -> 10": (30.0, 10.0), "low T: 0.3 -> 0.1": (0.3, 0.1)}
    xs = np.linspace(0, L, 201)
    prof = {}
    for label, (tl, tr) in cases.items():
        Tk, Jk = M.steady_state(chain, tl, tr)
        Tf_k, Jf, err = M.fourier_profile(chain, tl, tr, k)
        Tf_x, _, _ = M.fourier_profile(chain, tl, tr, xs)
        prof[label] = (tl, tr, np.asarray(Tk), Tf_k, Tf_x, Jk, Jf, err)

    # (c) kappa(T) = K(T) d over four decades.
    Ts = np.logspace(-2, 2, 17 if args.quick else 81)
    kappa = M.conductances(chain, Ts)
    k51 = np.asarray(jl.analytic.panasyuk_conductance_low_t(Ts, P["omega0"], P["gamma1"], P["gamma2"]))
    k47 = float(jl.analytic.panasyuk_conductance_classical(P["omega0"], P["gamma1"], P["gamma2"], P["cutoff"]))
    low = Ts <= 0.05
    slope = C.loglog_slope(Ts[low], kappa[low])

    fig, (axa, axb, axc) = plt.subplots(1, 3, figsize=(15, 4.6))
    cmap = plt.get_cmap("viridis")
    xk = np.concatenate([[0], k, [L]])
    for i, (t, Tt) in enumerate(zip(times, np.asarray(ev.temperatures))):
        axa.plot(xk, np.concatenate([[TLa], Tt, [TRa]]), "o-", ms=3, color=cmap(i / (len(times) - 1)),
                 label=f"t = {t:g}")
    axa.plot(xk, np.concatenate([[TLa], np.asarray(T_ss), [TRa]]), "k--", lw=1, label="steady state")
    axa.set(xlabel="subsystem k (x / d)", ylabel="T_k", title=f"(a) relaxation from a step, n = {n}")
    axa.legend(fontsize=7)
    for (label, (tl, tr, Tk, Tf_k, Tf_x, *_)), color in zip(prof.items(), ("C0", "C3")):
        axb.plot(k / L, (Tk - tr) / (tl - tr), "o", color=color, label=f"chain, {label}")
        axb.plot(xs / L, (Tf_x - tr) / (tl - tr), "-", color=color, lw=1, label="Fourier/Kirchhoff (Eq. 83)")
    axb.plot([0, 1], [1, 0], "k:", lw=1, label="linear (constant kappa)")
    axb.set(xlabel="x / L", ylabel="(T - T_R) / (T_L - T_R)", title="(b) steady profiles")
    axb.legend(fontsize=7)
    axc.loglog(Ts, kappa, "k-", label=r"exact $\kappa = K d$ (Eq. 43)")
    axc.loglog(Ts, k51, "C0--", label=r"$T^3$ law (Eq. 51)")
    axc.axhline(k47, color="C3", ls="--", label="classical plateau (Eq. 47)")
    axc.set(xlabel="T", ylabel=r"$\kappa(T)$", title=r"(c) conductivity, $\omega_0\tau_p = 10$, D = 10",
            ylim=(kappa.min() / 3, k47 * 3))
    axc.legend(fontsize=7)
    C.save(args, NAME, fig, times=times, T_evolve=np.asarray(ev.temperatures), T_steady=np.asarray(T_ss),
           T_grid=Ts, kappa=kappa, kappa_eq51=k51, kappa_eq47=k47, x=xs,
           **{f"profile_{i}": p[2] for i, p in enumerate(prof.values())},
           **{f"fourier_{i}": p[4] for i, p in enumerate(prof.values())})
    dev = {lab: float(np.max(np.abs(p[2] - p[3]) / p[3])) for lab, p in prof.items()}
    curv = {lab: float(np.max(np.abs((p[2] - p[1]) / (p[0] - p[1]) - (1 - k / L)))) for lab, p in prof.items()}
    C.report(NAME, f"n={n}: evolve(t={times[-1]:g}) vs steady max|dT| {relax_err:.1e}; energy balance "
             f"{balance:.1e} (U ~ {U[-1]:.3g}); steady chain vs Fourier/Kirchhoff max rel "
             f"{ {lab: f'{v:.1e}' for lab, v in dev.items()} }; deviation from linear "
             f"{ {lab: round(v, 4) for lab, v in curv.items()} }; kappa slope T<=0.05: {slope:.3f} (Eq. 51: 3), "
             f"kappa(0.01)/Eq.51 {kappa[0] / k51[0]:.4f}, kappa({Ts[-1]:g})/Eq.47 {kappa[-1] / k47:.4f}")


if __name__ == "__main__":
    main()
