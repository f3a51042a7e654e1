"""Panasyuk, Levin, Yerkes, Fig. 4: the normalized heat conductance K/omega0 against tau_p/tau_h =
T/(hbar gamma_hat) at omega0 tau_p = 10, for (a) D tau_p = 0.1, (b) 1, (c) 100 and (d) infinity.

Parameters (CONVENTIONS "Panasyuk Fig. 2-4", hbar = k_B = 1): m = 1, omega0 = 1, gamma_hat = 1/tau_p = 0.1,
so D = 0.01, 0.1, 10 and the Ohmic limit; T = gamma_hat x for x = tau_p/tau_h = 1e-4 .. 1e4.
Mapping to the library: gamma_hat is the TOTAL friction, two baths with gamma1 = gamma2 = gamma_hat/2 on the
one site, ``System([m], Pinning(m omega0^2), [DrudeBath((0,), gamma_hat/2, T, D)] * 2)``, and
``OhmicBath((0,), gamma_hat/2, T)`` twice for D -> infinity. Engine: K(T) =
``jl.thermal_conductance(system, T, hbar=1)[0, 0]`` (exact, by residues), jit+vmap over T.
Overlays: Eq. (51), the low-T law K = 2 pi^3 T^3 / (15 hbar^3 omega0^4 tau_p^2), the same for every D
(``jl.analytic.panasyuk_conductance_low_t``); the classical plateaus Eq. (47) for each D (Eq. 48,
gamma_hat/4, for D -> infinity; ``panasyuk_conductance_classical``); markers: Eq. (43) by scipy quadrature
for finite D and its D -> infinity form Eq. (62) for the Ohmic panel, at x = 1e-3, 1e-1, 10, 1e3. The root
sum of Eq. (43) is done in closed form (partial fractions of Eq. 20; see ``K_eq43``), because summed root by
root it cancels to O(w^2) at small w and O(w^-4) at large w, and the resonance at D/omega0 = 0.01 is only
5e-6 wide: ``jl.analytic.panasyuk_conductance`` (root by root, break points 1, 10, 100) is off by up to
100% there at T >~ omega0, and is reported alongside. Dotted verticals: x = D tau_p and x = omega0 tau_p,
the text's boundaries of the intermediate regime D tau_p < x < omega0 tau_p.
Intermediate plateau (D << omega0): Eq. (76) (by quadrature, with g_3 of Eq. 19-21 from
``panasyuk_roots``) and its sinh(x) ~ x limit Eq. (77). Eq. (77) as printed reads K = k_B D g_3/(8 pi tau_p)
= (k_B gamma_hat/4) D^3 gamma_hat/(2 omega0^4); the two sides differ by pi. The integral estimate given in
the text, pi/(D tau_h^2), turns Eq. (76) into D g_3/(8 tau_p) (no pi), which with g_3 ~ D^2 gamma_hat/omega0^4
(Eq. 70) is the right-hand side, gamma_hat^2 D^3/(8 omega0^4): that is the level compared with. The
plateau is located as the first local minimum of the log-log slope on a dense grid T = D/10 .. omega0
(at D tau_p = 1, D/omega0 = 0.1, that minimum is a shoulder of slope ~1, not a plateau).
--quick: 33 temperatures (4 per decade) instead of 161 (20 per decade), same checks.
Key numbers: engine vs Eq. (43)/(62) max relative deviation; low-T slope (fit over x = 1e-4 .. 1e-3) and
K/Eq.(51) at x = 1e-4; K/Eq.(47) at x = 1e4; the plateau's level, slope, ratio to Eq. (76)/(77); the
D tau_p = 100 vs Ohmic maximum relative deviation.
"""

import _common as C  # noqa: I001

import warnings

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import jaxlangevin as jl

NAME = "panasyuk_fig4"
M, W0, HBAR = 1.0, 1.0, 1.0
GH = 0.1  # gamma_hat = 1/tau_p: omega0 tau_p = 10
D_TAUP = (0.1, 1.0, 100.0, np.inf)
X_LO, X_HI = -4.0, 4.0  # log10 of tau_p/tau_h = T/(hbar gamma_hat)
X_MARK = (-3, -1, 1, 3)  # log10 x of the quadrature markers


def system(T, D=None):
    """Two baths with gamma_hat/2 each on the one site: Drude with cutoff D, or Ohmic for D=None."""
    if D is None:
        baths = [jl.OhmicBath((0,), GH / 2, T), jl.OhmicBath((0,), GH / 2, T)]
    else:
        baths = [jl.DrudeBath((0,), GH / 2, T, D), jl.DrudeBath((0,), GH / 2, T, D)]
    return jl.System(jnp.array([M]), jl.Pinning(M * W0**2), baths)


@jax.jit
@jax.vmap
def _K_drude(T, D):
    return jl.thermal_conductance(system(T, D), T, hbar=HBAR)[0, 0]


@jax.jit
@jax.vmap
def _K_ohmic(T):
    return jl.thermal_conductance(system(T), T, hbar=HBAR)[0, 0]


def K_engine(Ts, D):
    T = jnp.asarray(Ts, float)
    return np.asarray(_K_ohmic(T) if np.isinf(D) else _K_drude(T, jnp.full_like(T, D)))


def K_eq43(T, D):
    """Eq. (43) by quadrature: -(tau_h^2 D^2/(8 pi tau_p)) int_0^inf dw w^2 cosech^2(hbar w/2T) / (D^2 + w^2)
    x sum_n g_n mu_n^2/(mu_n^2 + w^2). The root sum cancels to O(w^2) at small w and O(w^-4) at large w
    (sum_n g_n = sum_n g_n mu_n^2 = 0), so it is done in closed form by partial fractions of Eq. (20):
    sum_n g_n mu_n^2/(mu_n^2 + w^2) = w Im g~(iw) = -D^2 gamma_hat w^2 / |P(iw)|^2,
    P(iw) = D (omega0^2 - w^2) + i w (omega0^2 - w^2 + D gamma_hat). Break points at the resonance
    |Im mu_1| +- a few Re mu_1 (Eq. 21). (``jl.analytic.panasyuk_conductance`` integrates root by root with
    break points at 1, 10, 100 and misses this resonance, of half-width 5e-6 at D/omega0 = 0.01, once
    T >~ omega0: see the report)."""
    mu = C.analytic("panasyuk_roots")(W0, GH / 2, GH / 2, D, M)[0]
    m1 = mu[int(np.argmax(np.abs(mu.imag)))]

    def f(w):
        p2 = (D * (W0**2 - w * w)) ** 2 + (w * (W0**2 - w * w + D * GH)) ** 2
        return D**2 * GH * w * w / p2 * C.y2_over_sinh2(w, 2 * T / HBAR) / (D * D + w * w)
    pts = [D, T, 10 * T, *np.logspace(-3, 4, 8)]
    pts += [abs(m1.imag) + k * abs(m1.real) for k in (-100, -10, -1, 0, 1, 10, 100)]
    return (HBAR / T) ** 2 * D**2 * GH / (8 * np.pi) * C.integrate_0_inf(f, pts)


def K_eq62(T):
    """Eq. (62), the D -> infinity (quantum thermal bath) conductance, by quadrature."""
    def f(w):
        return w * w * C.y2_over_sinh2(w, 2 * T / HBAR) / ((w * w - W0**2) ** 2 + (GH * w) ** 2)
    return (HBAR / T) ** 2 * GH**2 / (8 * np.pi) * C.integrate_0_inf(f, [W0 - GH, W0, W0 + GH, T, 10 * T])


def g3(D):
    """g_3 of Eq. (19)-(20) for the real root mu_3 ~ D of Eq. (21)."""
    mu, g = C.analytic("panasyuk_roots")(W0, GH / 2, GH / 2, D, M)
    return float(np.real(g[int(np.argmin(np.abs(np.imag(mu))))]))


def K_eq76(T, D):
    """Eq. (76): (tau_h^2 D^2/(8 pi tau_p)) g_3 int_0^inf dw w^4 / (sinh^2(hbar w/2T) (D^2 + w^2)^2)."""
    def f(w):
        return w * w * C.y2_over_sinh2(w, 2 * T / HBAR) / (D * D + w * w) ** 2
    return (HBAR / T) ** 2 * D**2 * GH * g3(D) / (8 * np.pi) * C.integrate_0_inf(f, [D, T, 10 * T])


def main(argv=None):
    args = C.parse_args(__doc__, argv)
    per_dec = 4 if args.quick else 20
    x = np.logspace(X_LO, X_HI, int(round((X_HI - X_LO) * per_dec)) + 1)
    T = GH * HBAR * x
    Ds = [d * GH for d in D_TAUP]  # D = (D tau_p) / tau_p
    mark = np.array([int(np.argmin(np.abs(np.log10(x) - e))) for e in X_MARK])
    an_conductance = C.analytic("panasyuk_conductance")
    classical = C.analytic("panasyuk_conductance_classical")
    low_t = C.analytic("panasyuk_conductance_low_t")

    K = np.array([K_engine(T, D) for D in Ds])
    K51 = np.asarray(low_t(T, W0, GH / 2, GH / 2, M, HBAR))
    K47 = np.array([GH / 4 if np.isinf(D) else classical(W0, GH / 2, GH / 2, D, M) for D in Ds])
    K_quad = np.array([[K_eq62(T[i]) if np.isinf(D) else K_eq43(T[i], D) for i in mark] for D in Ds])
    rel_quad = np.max(np.abs(K_quad / K[:, mark] - 1), axis=1)

    lo = x <= 10 ** (X_LO + 1) * (1 + 1e-9)
    low_slope = np.array([C.loglog_slope(x[lo], k[lo]) for k in K])
    low_ratio = K[:, 0] / K51[0]
    high_ratio = K[:, -1] / K47
    dev_100_inf = float(np.max(np.abs(K[2] / K[3] - 1)))
    dev_100_inf_at = float(x[int(np.argmax(np.abs(K[2] / K[3] - 1)))])

    # intermediate regime of D tau_p = 0.1 and 1 (D/omega0 = 0.01, 0.1): first local minimum of the log-log
    # slope on a dense grid T = D/10 .. omega0 (a plateau if that slope is ~0)
    plateau = []
    for D in Ds[:2]:
        Tf = np.logspace(np.log10(D / 10), np.log10(W0), len(x))
        Kf = K_engine(Tf, D)
        sl = np.gradient(np.log(Kf), np.log(Tf))
        j = int(np.argmax((sl[1:-1] <= sl[:-2]) & (sl[1:-1] < sl[2:]))) + 1
        K77 = GH**2 * D**3 / (8 * W0**4)
        plateau.append([Tf[j] / (HBAR * GH), Kf[j], sl[j], Kf[j] / K_eq76(Tf[j], D), Kf[j] / K77,
                        D * g3(D) * GH / 8 / K77, K77])
    plateau = np.array(plateau)  # rows: x, K, slope, K/Eq.76, K/Eq.77, D g3/(8 tau_p)/Eq.77, Eq.77 level

    # the library's root-by-root Eq. (43) at the same points (finite D), for the report only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lib = np.array([[an_conductance(T[i], W0, GH / 2, GH / 2, D, M, HBAR) for i in mark] for D in Ds[:3]])
    rel_lib = np.max(np.abs(lib / K[:3, mark] - 1), axis=1)

    fig, axs = plt.subplots(2, 2, figsize=(11, 8.5), sharex=True, sharey=True)
    for c, (ax, dt, D) in enumerate(zip(axs.flat, D_TAUP, Ds)):
        lab = r"\infty" if np.isinf(dt) else f"{dt:g}"
        ax.loglog(x, K[c], "C0", lw=1.8, label="engine (exact)")
        if c == 2:
            ax.loglog(x, K[3], color="0.5", lw=0.9, ls="--", label=r"$D\tau_p=\infty$ (panel d)")
        ax.loglog(x, K51, "k--", lw=1, label="Eq. (51), low T")
        ax.axhline(K47[c], color="C3", ls=":", lw=1.2,
                   label="Eq. (48), classical" if np.isinf(D) else "Eq. (47), classical")
        ax.plot(x[mark], K_quad[c], "o", mfc="none", color="C1", ms=7,
                label="Eq. (62), quadrature" if np.isinf(D) else "Eq. (43), quadrature")
        if c < 2:
            ax.axhline(plateau[c, 6], color="C2", ls="-.", lw=1.2, label=r"Eq. (77): $\hat\gamma^2D^3/8\omega_0^4$")
            ax.plot(plateau[c, 0], plateau[c, 1], "s", color="C2", ms=6, label=f"min. log-slope ({plateau[c, 2]:.2f})")
        for k, xv in enumerate(([dt] if np.isfinite(dt) else []) + [W0 / GH]):
            ax.axvline(xv, color="0.6", lw=0.7, ls=":",
                       label=r"$x = D\tau_p,\ \omega_0\tau_p$" if k == 0 and np.isfinite(dt) else None)
        ax.set(title=f"({'abcd'[c]}) $D\\tau_p={lab}$, $\\omega_0\\tau_p={W0 / GH:g}$", ylim=(1e-17, 0.1))
        ax.legend(fontsize=7, loc="lower right")
    for ax in axs[1]:
        ax.set_xlabel(r"$\tau_p/\tau_h = k_BT/\hbar\hat\gamma$")
    for ax in axs[:, 0]:
        ax.set_ylabel(r"$K/(k_B\omega_0)$")
    C.save(args, NAME, fig, x=x, T=T, D_tau_p=np.array(D_TAUP), K=K, K_eq51=K51, K_eq47=K47, mark_idx=mark,
           K_quad=K_quad, rel_err_quad=rel_quad, low_slope=low_slope, low_over_eq51=low_ratio,
           high_over_eq47=high_ratio, dev_Dtaup100_vs_ohmic=dev_100_inf, dev_Dtaup100_vs_ohmic_at_x=dev_100_inf_at,
           plateau=plateau, rel_err_library_eq43=rel_lib)

    C.report(NAME, f"engine vs Eq.43 (Eq.62 for D=inf) at x=1e-3,0.1,10,1e3: max rel err per D tau_p "
             f"{', '.join(f'{v:.1e}' for v in rel_quad)}; jl.analytic.panasyuk_conductance (root by root) there: "
             f"{', '.join(f'{v:.1e}' for v in rel_lib)} (D tau_p = 0.1, 1, 100)")
    C.report(NAME, f"low T (x=1e-4..1e-3): slope {', '.join(f'{v:.4f}' for v in low_slope)} (Eq.51: 3); "
             f"K/Eq.51 at x=1e-4 {', '.join(f'{v:.5f}' for v in low_ratio)}; high T K/Eq.47 at x=1e4 "
             f"{', '.join(f'{v:.6f}' for v in high_ratio)}")
    C.report(NAME, f"D tau_p=100 vs D=inf: max rel dev {dev_100_inf:.3f} at x={dev_100_inf_at:.3g} "
             f"(classical plateaus differ by {1 - K47[2] / K47[3]:.3f})")
    for c in range(2):
        p = plateau[c]
        C.report(NAME, f"intermediate plateau D tau_p={D_TAUP[c]:g}: min log-slope {p[2]:.3f} at x={p[0]:.3g}, "
                 f"K={p[1]:.3e}; K/Eq.76 {p[3]:.4f}; K/Eq.77 (gh^2 D^3/8w0^4={p[6]:.3e}) {p[4]:.3f}; "
                 f"D g3/(8 tau_p) / Eq.77 = {p[5]:.4f} (printed D g3/(8 pi tau_p) is 1/pi of it)")


if __name__ == "__main__":
    main()
