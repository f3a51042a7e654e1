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
# Compilation dominates the --quick runs; a persistent cache makes the second run fast.
jax.config.update(
    "jax_compilation_cache_dir",
    os.environ.get(
        "JAXLANGEVIN_EXPERIMENTS_CACHE",
        os.path.join(tempfile.gettempdir(), "jaxlangevin_experiments_jax_cache"),
    ),
)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

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
    fig.savefig(png, dpi=120)
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
