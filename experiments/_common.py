"""Shared CLI, plotting and closed-form helpers for the paper-figure scripts in ``experiments/``.

Every script calls :func:`setup` *before* importing jaxlangevin-dependent code (float64, Agg backend,
persistent JAX compilation cache), then :func:`parse_args`, computes its data with the public
``jaxlangevin`` API, and finishes with :func:`save` and :func:`report`.

Closed forms used by more than one script live here, each with its equation number. The package
``jaxlangevin.analytic`` was empty when these scripts were written; :func:`analytic` returns one of its
functions when it exists so that a script can prefer it, and falls back to the inline formula.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import tempfile
import warnings

import jax

jax.config.update("jax_enable_x64", True)
# Compilation dominates the --quick runs; a persistent cache makes the second run fast. Every program is
# cached (threshold 0): the exact engines run op by op, hundreds of compilations of < 0.5 s each, which the
# scripts share (measured: a quick Andreucci figure after another one takes 5 s of CPU instead of 9.5 s).
jax.config.update(
    "jax_compilation_cache_dir",
    os.environ.get(
        "JAXLANGEVIN_EXPERIMENTS_CACHE",
        os.path.join(tempfile.gettempdir(), "jaxlangevin_experiments_jax_cache"),
    ),
)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.integrate import quad  # noqa: E402

import jaxlangevin as jl  # noqa: E402

T_L, T_R = 1.5, 0.5  # CONVENTIONS "Reference parameter sets"
DELTA_T = T_L - T_R


def parse_args(description: str, argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="small N lists / few points (a few seconds)")
    p.add_argument("--out", default="experiments/out", help="output directory (default experiments/out)")
    args = p.parse_args(argv)
    args.out = pathlib.Path(args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def quiet_precision_warnings():
    """negf_steady_state and lyapunov_steady_state warn about temperature precision for random masses
    (nearly dark modes); the fluxes are exact. Silence that one warning in the figure scripts."""
    for engine in ("negf_steady_state", "lyapunov_steady_state"):
        warnings.filterwarnings("ignore", message=f"{engine}: double precision", category=RuntimeWarning)


def save(args, name: str, fig, **data) -> tuple[pathlib.Path, pathlib.Path]:
    """Write ``<out>/<name>.png`` and ``<out>/<name>.npz`` (all arrays float64 / int / str)."""
    png = args.out / f"{name}.png"
    npz = args.out / f"{name}.npz"
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)
    np.savez(npz, **{k: np.asarray(v) for k, v in data.items()})
    return png, npz


def report(name: str, line: str) -> None:
    print(f"[{name}] {line}", flush=True)


def loglog_slope(x, y) -> float:
    x, y = np.asarray(x, float), np.asarray(y, float)
    return float(np.polyfit(np.log(x), np.log(np.abs(y)), 1)[0])


def mass_family(kind: str, N: int, key=None, mean: float = 1.0, delta: float = 0.1):
    if kind == "uniform":
        return jl.masses.uniform(N, mean)
    if kind == "graded":
        return jl.masses.graded(N, mean, delta)
    if kind == "random":
        return jl.masses.random(jax.random.key(0) if key is None else key, N, mean, delta)
    raise ValueError(kind)


def mean_field_system(N, *, k=1.0, kac="N-1", k0=0.0, gamma=1.0, masses=None, baths=None):
    """Defaveri et al. Eq. 5 mean-field chain (plus pinning k0; always present so that k0 = 0 and
    k0 > 0 share one compiled program), intensive Ohmic baths at (T_L, T_R) unless ``baths`` given."""
    return jl.System(
        masses=jl.masses.uniform(N, 1.0) if masses is None else masses,
        coupling=jl.MeanField(k=k, kac=kac) + jl.Pinning(k0=k0),
        baths=jl.intensive(N, temperatures=(T_L, T_R), gamma=gamma) if baths is None else baths,
    )


def kac_value(N, kac: str) -> float:
    return {"N-1": N - 1.0, "N": float(N), "1": 1.0}[kac]


def analytic(name: str):
    """``jaxlangevin.analytic.<name>`` if the (concurrently written) subpackage provides it, else None."""
    mod = getattr(jl, "analytic", None)
    return getattr(mod, name, None) if mod is not None else None


# ---------------------------------------------------------------------------------------------
# Defaveri, Olivares, Anteneodo, PRE 2022 -- equal masses, one site per bath, equal gamma.
# ---------------------------------------------------------------------------------------------
def defaveri_transmission(omega, N, Nt, *, k=1.0, k0=0.0, m=1.0, gamma=1.0):
    """Exact transmittance for equal masses, Defaveri Eqs. (20)-(22) (valid for any Nt, k0):
    T = 4 g^2 w^2 k^2 (Nk/Nt + k0 - m w^2)^2 / (f(w) Delta(w) Nt^2)."""
    w2 = np.asarray(omega, float) ** 2
    big = N * k / Nt + k0 - m * w2
    f = big**2 + gamma**2 * w2
    lam = gamma**2 * w2 * (2 * k / Nt + k0 - m * w2) ** 2 + (k0 - m * w2) ** 2 * big**2
    return 4 * gamma**2 * w2 * k**2 * big**2 / (f * lam * Nt**2)


def defaveri_A(N, Nt_kind, *, k=1.0, k0=0.0, m=1.0, gamma=1.0):
    """Lorentzian width parameter A, Defaveri Eq. (29); with k0 = 0 it is m/(2 gamma) x 2 (Eq. 24)."""
    if k0 == 0.0:
        return m / (2 * gamma)  # Eq. (24): T = 1/(1 + N^2 (m/2g)^2 w^2)
    if Nt_kind == "1":
        return m / gamma
    return (m / gamma) * (1 + (k0 / m) * gamma**2 / k**2)


def defaveri_flux_large_N(N, Nt_kind, *, k=1.0, k0=0.0, m=1.0, gamma=1.0):
    """J / Delta T at large N: Eq. (25) gamma/(2 m N) for k0 = 0 or Nt = 1, Eq. (30) 1/(2 A N) otherwise."""
    N = np.asarray(N, float)
    if k0 == 0.0 or Nt_kind == "1":
        return gamma / (2 * m * N)
    return 1.0 / (2 * defaveri_A(N, Nt_kind, k=k, k0=k0, m=m, gamma=gamma) * N)


def defaveri_omega_c(N, Nt_kind, *, k=1.0, k0=1.0, m=1.0, gamma=1.0):
    """Resonance frequency of the pinned chain, Defaveri Eq. (26), to O(1/N)."""
    w0 = np.sqrt(k0 / m)
    if Nt_kind == "1":
        return w0 + 0.0 * np.asarray(N, float)
    return w0 + (w0 / np.asarray(N, float)) * (k * gamma**2 / m) / (k**2 + w0**2 * gamma**2)


def integrate_0_inf(f, pts) -> float:
    """int_0^inf f(y) dy by scipy ``quad`` (rel. tol 1e-11), split at the positive scales ``pts``."""
    pts = [0.0] + sorted({p for p in pts if p > 0})
    val = sum(quad(f, a, b, limit=400, epsabs=0, epsrel=1e-11)[0] for a, b in zip(pts[:-1], pts[1:]))
    return val + quad(f, pts[-1], np.inf, limit=400, epsabs=0, epsrel=1e-11)[0]


def first_departure(x, ratio, tol) -> float:
    """Smallest x where |ratio - 1| reaches tol (linear interpolation between grid points; nan if never)."""
    dev = np.abs(np.asarray(ratio) - 1)
    j = int(np.argmax(dev >= tol))
    if dev[j] < tol:
        return np.nan
    if j == 0:
        return float(x[0])
    return float(x[j - 1] + (tol - dev[j - 1]) * (x[j] - x[j - 1]) / (dev[j] - dev[j - 1]))


# ---------------------------------------------------------------------------------------------
# Andreucci et al. (Figs. 4-10) -- paper units m = k_A = 1, hbar = k_B = 1: w0 = sqrt(2 k_A/m) = sqrt(2),
# gamma = k1 sqrt(2 m k_A) = k1 sqrt(2), theta = 2 T/(hbar w0) (Eq. 46).
# ---------------------------------------------------------------------------------------------
ANDREUCCI_KA = 1.0
ANDREUCCI_W0 = np.sqrt(2 * ANDREUCCI_KA)


def andreucci_gamma(k1):
    """Bath damping of the dimensionless coupling k1 = gamma / sqrt(2 m k_A), i.e. gamma = k1 sqrt(2) (m = k_A = 1)."""
    return k1 * np.sqrt(2 * ANDREUCCI_KA)


def andreucci_temperature(theta):
    """T = hbar w0 theta / 2, Andreucci Eq. (46) inverted (hbar = 1, w0 = sqrt(2))."""
    return theta * ANDREUCCI_W0 / 2


def andreucci_theta_grid(quick: bool):
    """The Figs. 4-6 theta grid 1e-4..1e2 (13 points with --quick, 61 otherwise) and its temperatures (Eq. 46)."""
    thetas = np.logspace(-4, 2, 13 if quick else 61)
    return thetas, andreucci_temperature(thetas)


def andreucci_intensive_system(N, k1, temperatures=(1.0, 1.0)):
    """Andreucci equal-mass mean-field chain (``MeanField.from_andreucci(1)``, m = 1), intensive Ohmic baths
    on sites 0 and N-1 with gamma = k1 sqrt(2)."""
    return jl.System(masses=jl.masses.uniform(N, 1.0), coupling=jl.MeanField.from_andreucci(ANDREUCCI_KA),
                     baths=jl.intensive(N, temperatures=temperatures, gamma=andreucci_gamma(k1)))


def andreucci_extensive_system(N, fractions, k1, temperatures=(1.0, 1.0)):
    """Andreucci equal-mass mean-field chain (m = 1), extensive baths on the first aL N and last aR N sites
    (``fractions`` = (aL, aR)) with gamma = k1 sqrt(2) per site."""
    return jl.System(masses=jl.masses.uniform(N, 1.0), coupling=jl.MeanField.from_andreucci(ANDREUCCI_KA),
                     baths=jl.extensive(N, fractions=fractions, temperatures=temperatures,
                                        gamma=andreucci_gamma(k1)))


def conductance(system, T, hbar=None) -> float:
    """Linear-response K = J/(T_L - T_R) at temperature T, ``jl.thermal_conductance(...)[0, 0]`` (classical if
    hbar is None)."""
    return float(jl.thermal_conductance(system, T, hbar=hbar)[0, 0])


def andreucci_intensive_conductances(N, k1, Ts):
    """Quantum K(T) (hbar = 1) at each T of ``Ts`` and the T-independent classical K of
    :func:`andreucci_intensive_system` (Andreucci Eq. 44 and its hbar -> 0 limit)."""
    s = andreucci_intensive_system(N, k1)
    return np.array([conductance(s, T, hbar=1.0) for T in Ts]), conductance(s, 1.0)


def andreucci_intensive_sweep(Ns, k1, quick: bool):
    """:func:`andreucci_theta_grid` (thetas, Ts) and, per N of ``Ns``, the quantum K(T) and classical K of
    :func:`andreucci_intensive_conductances` (dicts keyed by N)."""
    thetas, Ts = andreucci_theta_grid(quick)
    Kq, Kc = {}, {}
    for N in Ns:
        Kq[N], Kc[N] = andreucci_intensive_conductances(N, k1, Ts)
    return thetas, Ts, Kq, Kc


def middle_temperature(system, hbar=None) -> float:
    """Kinetic temperature of the bath-free middle site N // 2 from ``jl.negf_steady_state`` (quantum
    ``temperature_at``: the bath sites diverge, Andreucci Eq. 54; classical if hbar is None)."""
    i = system.n_sites // 2
    ss = jl.negf_steady_state(system, hbar=hbar)
    return float((ss.temperature_at([i]) if hbar else ss.temperature[i:i + 1])[0])


def y2_over_sinh2(y, th):
    """y^2 / sinh^2(y / theta), the weight of Andreucci Eqs. (47), (69), (77), without overflow."""
    u = y / th
    if u < 1e-8:
        return th * th
    return 0.0 if u > 350 else (y / np.sinh(u)) ** 2


def y_coth(y, th):
    """y coth(y / theta), the weight of Andreucci Eqs. (56), (74); theta = 0 gives y."""
    if th == 0:
        return y
    u = y / th
    return th if u < 1e-8 else (y if u > 40 else y / np.tanh(u))
