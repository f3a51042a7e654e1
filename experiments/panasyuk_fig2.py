"""Panasyuk, Levin, Yerkes, Fig. 2: the relative imbalance Delta T_px = (T_p - T_x)/(T_p + T_x) between the
kinetic and potential temperatures of one quantum oscillator between two Drude-Ullersma baths, against the
coupling gamma_hat/omega0, for (a) D/omega0 = 10, tau_h1 omega0 = tau_h2 omega0 = 1, (b) D/omega0 = 1, both 1,
(c) D/omega0 = 10, both 0.5, (d) D/omega0 = 1, tau_h1 omega0 = 1, tau_h2 omega0 = 0.5.

Definitions (Eq. 63): k_B T_x = <k x^2> = m omega0^2 <x^2> with the bare omega0 = sqrt(k/m) (the
counter-term of Eq. 4 keeps the spring bare), k_B T_p = <p^2/m>; symmetrized quantum averages in the steady
state. Parameters (CONVENTIONS "Panasyuk Fig. 2-4", hbar = k_B = 1): m = 1, omega0 = 1, tau_h,nu = hbar/T_nu,
so T = 1 for tau_h omega0 = 1 and T = 2 for 0.5. The caption gives no coupling range: gamma_hat/omega0 =
1e-2 .. 1e3 on a log grid (at 1e3 the imbalance is within ~15% of its limit 1).
Mapping to the library: gamma_hat = 1/tau_p is the TOTAL friction, two baths gamma1 = gamma2 = gamma_hat/2 on
the one site, ``System([m], Pinning(m omega0^2), [DrudeBath((0,), gamma_hat/2, T1, D), DrudeBath((0,),
gamma_hat/2, T2, D)])``. Engine: ``ss = jl.negf_steady_state(system, hbar=1)``, T_p = ss.temperature[0],
T_x = m omega0^2 ss.position_variance[0] (exact, by residues, one pass), jit+vmap over gamma_hat.
Markers: Eq. (64)-(65) in closed form (``jl.analytic.panasyuk_temperatures``: roots of Eq. 21, Eq. 66 with
its misprint corrected, Eq. 67 by Binet's integral), one per decade. Panel (i) is the paper's figure, with
the classical engine (hbar -> 0) dotted: there T_x = T_p = (T1 + T2)/2 at every coupling, Delta T_px = 0
(the imbalance is quantum). Panels (ii), (iii): T_p and T_x themselves over the weak-coupling value of
Eq. (72), (U(T1) + U(T2))/2. Not in the paper: at strong coupling T_x returns to the classical (T1 + T2)/2
(x relaxes at ~omega0^2/gamma_hat << T/hbar) while T_p grows like hbar sqrt(gamma_hat D)/2 (the bath springs'
resonance), which is what drives Delta T_px -> 1.
Checks of the text: Delta T_px grows monotonically with the coupling; it is smaller for smaller D/omega0
((b) < (a)) and for higher temperatures ((c) < (a), (d) < (b)); T_x ~ T_p ~ Eq. (72) at weak coupling.
--quick: 41 couplings (8 per decade) instead of 201 (40 per decade), same checks.
Key numbers: engine vs closed form max relative deviation of T_p and T_x; Delta T_px at gamma_hat/omega0 =
0.1, 1, 10, 100 per curve; T_p/Eq.72 - 1 and T_x/Eq.72 - 1 at gamma_hat/omega0 = 1e-2; at 1e3, T_x over the
classical value and T_p over hbar sqrt(gamma_hat D)/2.
"""

import _common as C  # noqa: I001

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin as jl

NAME = "panasyuk_fig2"
M, W0, HBAR = 1.0, 1.0, 1.0
# (label, D/omega0, tau_h1 omega0, tau_h2 omega0) of the caption
CURVES = (("a", 10.0, 1.0, 1.0), ("b", 1.0, 1.0, 1.0), ("c", 10.0, 0.5, 0.5), ("d", 1.0, 1.0, 0.5))
G_LO, G_HI = -2.0, 3.0  # log10 gamma_hat/omega0
G_SHOW = (0.1, 1.0, 10.0, 100.0)


def system(gamma_hat, D, T1, T2):
    baths = [jl.DrudeBath((0,), gamma_hat / 2, T1, D), jl.DrudeBath((0,), gamma_hat / 2, T2, D)]
    return jl.System(jnp.array([M]), jl.Pinning(M * W0**2), baths)


def _tp_tx(hbar):
    @jax.jit
    @jax.vmap
    def f(gamma_hat, D, T1, T2):
        ss = jl.negf_steady_state(system(gamma_hat, D, T1, T2), hbar=hbar)
        return ss.temperature[0], M * W0**2 * ss.position_variance[0]
    return f


_QUANTUM, _CLASSICAL = _tp_tx(HBAR), _tp_tx(None)


def engine(gammas, D, T1, T2, quantum=True):
    g = jnp.asarray(gammas, float)
    full = [jnp.full_like(g, v) for v in (D, T1, T2)]
    tp, tx = (_QUANTUM if quantum else _CLASSICAL)(g, *full)
    return np.asarray(tp), np.asarray(tx)


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    per_dec = 8 if args.quick else 40
    gammas = np.logspace(G_LO, G_HI, int(round((G_HI - G_LO) * per_dec)) + 1)
    mark = np.arange(0, len(gammas), per_dec)
    temps = [(1.0 / t1, 1.0 / t2) for _, _, t1, t2 in CURVES]

    tp, tx = np.array([engine(gammas, D, *T) for (_, D, _, _), T in zip(CURVES, temps)]).transpose(1, 0, 2)
    tp_cl, tx_cl = np.array([engine(gammas, D, *T, quantum=False)
                             for (_, D, _, _), T in zip(CURVES, temps)]).transpose(1, 0, 2)
    closed = np.array([[jl.analytic.panasyuk_temperatures(*T, W0, g / 2, g / 2, D, M, HBAR) for g in gammas[mark]]
                       for (_, D, _, _), T in zip(CURVES, temps)])  # (curve, marker, (T_p, T_x))
    rel_closed = float(max(np.max(np.abs(closed[..., 0] / tp[:, mark] - 1)),
                           np.max(np.abs(closed[..., 1] / tx[:, mark] - 1))))
    dT = (tp - tx) / (tp + tx)
    dT_closed = (closed[..., 0] - closed[..., 1]) / (closed[..., 0] + closed[..., 1])
    dT_cl = (tp_cl - tx_cl) / (tp_cl + tx_cl)
    u72 = np.array([jl.analytic.panasyuk_temperature_weak_coupling(*T, W0, hbar=HBAR) for T in temps])
    weak = np.stack([tp[:, 0] / u72 - 1, tx[:, 0] / u72 - 1], axis=1)
    classical_mean = np.array([(T1 + T2) / 2 for T1, T2 in temps])
    classical_dev = float(max(np.max(np.abs(tp_cl / classical_mean[:, None] - 1)),
                              np.max(np.abs(tx_cl / classical_mean[:, None] - 1))))
    monotonic = np.all(np.diff(dT, axis=1) > 0, axis=1)
    # strong coupling: x slows down (rate ~ omega0^2/gamma_hat << T/hbar), so T_x tends to the classical value,
    # while p follows the bath springs' resonance at ~sqrt(gamma_hat D) and T_p grows ~ hbar sqrt(gamma_hat D)/2
    sqrt_gd = np.array([HBAR * np.sqrt(gammas[-1] * D) / 2 for _, D, _, _ in CURVES])
    show = np.array([[np.interp(np.log(g), np.log(gammas), d) for g in G_SHOW] for d in dT])

    fig, (axa, axb, axc) = plt.subplots(1, 3, figsize=(16, 4.8))
    colors = ("tab:blue", "tab:orange", "tab:green", "tab:red")
    for c, ((lab, D, t1, t2), col) in enumerate(zip(CURVES, colors)):
        name = rf"({lab}) $D/\omega_0={D:g}$, $\tau_{{h1}}\omega_0={t1:g}$, $\tau_{{h2}}\omega_0={t2:g}$"
        axa.semilogx(gammas, dT[c], "-", color=col, lw=1.5, label=name)
        axa.plot(gammas[mark], dT_closed[c], "o", mfc="none", color=col, ms=5)
        axb.loglog(gammas, tp[c] / u72[c], "-", color=col, lw=1.4, label=f"({lab})")
        axb.plot(gammas[mark], closed[c, :, 0] / u72[c], "o", mfc="none", color=col, ms=5)
        axc.semilogx(gammas, tx[c] / u72[c], "-", color=col, lw=1.4, label=f"({lab})")
        axc.plot(gammas[mark], closed[c, :, 1] / u72[c], "o", mfc="none", color=col, ms=5)
        axc.axhline(classical_mean[c] / u72[c], color=col, lw=0.8, ls=":")
    axa.semilogx(gammas, dT_cl[0], "k:", lw=1.0, label=r"classical engine ($\hbar\to0$), all curves")
    axa.plot([], [], "ko", mfc="none", ms=5, label="Eq. (64)-(65), closed form")
    axa.set(xlabel=r"$\hat\gamma/\omega_0$", ylabel=r"$\Delta\hat T_{px}=(T_p-T_x)/(T_p+T_x)$", ylim=(-0.02, 1.0),
            title=r"(i) kinetic vs potential imbalance (Fig. 2)")
    axa.legend(fontsize=7, loc="upper left")
    axb.axhline(1.0, color="k", lw=0.6)
    axb.set(xlabel=r"$\hat\gamma/\omega_0$", ylabel=r"$T_p/T_{72}$",
            title=r"(ii) $T_p=\langle p^2\rangle/m$ over Eq. (72)")
    axb.legend(fontsize=8, loc="upper left")
    axc.axhline(1.0, color="k", lw=0.6)
    axc.set(xlabel=r"$\hat\gamma/\omega_0$", ylabel=r"$T_x/T_{72}$",
            title=r"(iii) $T_x=m\omega_0^2\langle x^2\rangle$ / Eq. (72); dotted: $(T_1+T_2)/2$")
    axc.legend(fontsize=8, loc="lower left")
    C.save(args, NAME, fig, gamma_hat=gammas, curves_D_tauh1_tauh2=np.array([c[1:] for c in CURVES]),
           T_p=tp, T_x=tx, delta_T_px=dT, mark_idx=mark, closed_form_Tp_Tx=closed, rel_err_closed=rel_closed,
           T_p_classical=tp_cl, T_x_classical=tx_cl, classical_dev=classical_dev, U_eq72=u72,
           weak_over_eq72_minus_1=weak, monotonic=monotonic, delta_T_at=show, gamma_at=np.array(G_SHOW),
           T_x_top_over_classical=tx[:, -1] / classical_mean, T_p_top_over_sqrt=tp[:, -1] / sqrt_gd)

    C.report(NAME, f"engine vs Eq. (64)-(65) closed form: max rel dev {rel_closed:.1e}; classical engine T_x = T_p "
             f"= (T1+T2)/2 to {classical_dev:.1e}")
    for c, (lab, D, t1, t2) in enumerate(CURVES):
        C.report(NAME, f"({lab}) D={D:g} tau_h1={t1:g} tau_h2={t2:g}: dT_px at g/w0=" +
                 ", ".join(f"{g:g}: {v:.4f}" for g, v in zip(G_SHOW, show[c])) +
                 f"; monotonic {bool(monotonic[c])}; at g/w0=1e-2 T_p/Eq72-1 = {weak[c, 0]:+.2e}, "
                 f"T_x/Eq72-1 = {weak[c, 1]:+.2e}")
    C.report(NAME, f"gamma_hat/w0 = {gammas[-1]:g}: T_x/((T1+T2)/2) = " + ", ".join(f"{v:.4f}" for v in
             tx[:, -1] / classical_mean) + "; T_p/(hbar sqrt(gamma_hat D)/2) = " +
             ", ".join(f"{v:.3f}" for v in tp[:, -1] / sqrt_gd))
    C.report(NAME, f"smaller D lowers dT_px ((b) < (a)): {bool(np.all(dT[1] < dT[0]))}; higher T lowers it "
             f"((c) < (a)): {bool(np.all(dT[2] < dT[0]))}, ((d) < (b)): {bool(np.all(dT[3] < dT[1]))}")


if __name__ == "__main__":
    main()
