"""Results as labelled ``xarray.Dataset``s: dimensions ``site``, ``bath``, ``time``; units; provenance.

``to_xarray(result, system, **parameters)`` turns any result of the library (``SteadyState``,
``QuantumSteadyState``, ``SimulationResult``, ``CovarianceEvolution``) into a Dataset whose variables
carry ``long_name``, ``units`` and the CONVENTIONS definition (``definition``), whose coordinates describe
the sites and the baths (temperature, friction, kind, cutoff) when the ``system`` is given, and whose
``attrs`` record the library and JAX versions, the backend and devices, the creation time (UTC) and
every parameter the caller passes. ``ds.to_netcdf(path)`` then writes a self-describing file that
``xarray.open_dataset(path)`` reads back with the same numbers and attributes.

Units: k_B = 1, so temperatures are energies; every other unit is that of the inputs (masses, lengths,
times as given). NetCDF attributes hold strings, numbers and 1-d numeric arrays only: nested parameters
are stored twice, flattened to dotted names (``baths.gamma``) and whole as JSON (attribute ``parameters``,
``json.loads`` gives the dict back).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from collections.abc import Mapping

import equinox as eqx
import jax
import numpy as np

__all__ = ["to_xarray", "run_metadata"]

#: (long_name, units, CONVENTIONS definition) of every variable the library writes
_VARIABLES = {
    "flux": ("heat flux from each bath into the system", "energy/time",
             "J_b: energy per unit time flowing from bath b into the system (CONVENTIONS 'Observables')"),
    "temperature": ("kinetic temperature", "energy (k_B = 1)", "T_n = m_n <v_n^2> (CONVENTIONS 'Observables')"),
    "energy_balance": ("sum of the bath fluxes", "energy/time", "sum_b J_b; zero in a steady state"),
    "masses": ("mass of each site", "mass", "m_n (CONVENTIONS 'The system')"),
    "position_variance": ("position variance", "length^2", "<q_n^2> in the steady state (+inf for free modes)"),
    "slowest_relaxation_time": ("slowest relaxation time", "time",
                                "1 / min_k |Im lambda_k| over the poles of G that the baths reach"),
    "conductance": ("linear-response thermal conductance", "1/time (energy/time per temperature, k_B = 1)",
                    "dJ_b / dT_c at equilibrium at the mean bath temperature"),
    "hbar": ("Planck constant used", "energy*time", "hbar of the quantum engine"),
    "divergent": ("quantum kinetic temperature diverges", "1",
                  "site held by an Ohmic bath: m_n <v_n^2> diverges logarithmically (Andreucci et al. Eq. 54)"),
    "converged": ("pole search converged", "1", "whether the exact engine met its tolerance"),
    "covariance": ("steady-state covariance of (q, v)", "mixed (length^2, length^2/time, length^2/time^2)",
                   "C = <x x^T>, x = (q_0..q_{N-1}, v_0..v_{N-1})"),
    "decoupled_frequencies": ("frequencies of the modes no bath reaches", "1/time", "one per dark mode"),
    "relaxation_times": ("relaxation times of the damped eigenvalues", "time", "1 / (-Re lambda_k), slowest first"),
    "bath_temperature": ("bath temperature", "energy (k_B = 1)", "T_b (CONVENTIONS 'Baths')"),
    "bath_gamma": ("bath friction", "mass/time", "gamma_b (CONVENTIONS 'Baths')"),
    "bath_cutoff": ("Drude cutoff of the bath", "1/time", "D of gammaTilde(w) = gamma D / (D - i w); NaN: Ohmic"),
    "bath_hbar": ("hbar of a quantum thermal bath", "energy*time", "NaN: classical noise"),
    "bath_kind": ("bath model", "", "class name: OhmicBath, DrudeBath or QuantumThermalBath"),
    "bath_n_sites": ("number of sites the bath holds", "1", "|S_b|"),
    "bath_sites": ("site belongs to the bath", "1", "n in S_b"),
}


def _attrs_of(name: str, base: str | None = None, **extra) -> dict:
    long_name, units, definition = _VARIABLES[base or name]
    out = dict(long_name=long_name, units=units, definition=definition)
    out.update(extra)
    return out


def run_metadata() -> dict:
    """Provenance of a run: library versions, backend, devices, precision and the time (UTC, ISO 8601).

    Returns a flat dict of strings and numbers (valid NetCDF attributes), e.g. ``jaxlangevin_version``,
    ``jax_version``, ``backend`` ("cpu", "gpu", "tpu"), ``device_kind`` (comma-separated distinct kinds,
    e.g. "NVIDIA H100 80GB HBM3"), ``device_count`` and ``process_count``, ``x64`` (1 if float64 is
    enabled), ``created`` ("2025-01-01T12:00:00+00:00").
    """
    import jaxlib
    import xarray

    from . import __version__

    devices = jax.devices()
    kinds = list(dict.fromkeys(d.device_kind for d in devices))
    return {
        "jaxlangevin_version": __version__,
        "jax_version": jax.__version__,
        "jaxlib_version": jaxlib.__version__,
        "numpy_version": np.__version__,
        "xarray_version": xarray.__version__,
        "python_version": platform.python_version(),
        "backend": jax.default_backend(),
        "device_kind": ", ".join(kinds),
        "device_count": len(devices),
        "process_count": jax.process_count(),
        "x64": int(bool(jax.config.jax_enable_x64)),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def to_xarray(result, system=None, **attrs):
    """A result of the library as a labelled ``xarray.Dataset`` (see the module docstring).

    Arguments:
        result: ``SteadyState`` or ``QuantumSteadyState`` (``jl.negf_steady_state``,
            ``jl.lyapunov_steady_state``), ``SimulationResult`` (``jl.simulate``) or ``CovarianceEvolution``
            (``jl.covariance_evolution``).
        system: the ``jl.System`` the result belongs to (optional). Adds the variable ``masses`` (site),
            the bath coordinates ``bath_temperature``, ``bath_gamma``, ``bath_kind``, ``bath_cutoff``,
            ``bath_hbar``, ``bath_n_sites``, the membership mask ``bath_sites`` (bath, site) and the
            coupling's description (attribute ``coupling``, JSON). Its sizes must match the result's.
        **attrs: anything to record (parameters, ``seed=0``, ``key=jax.random.key(0)``, a config dict):
            JAX/NumPy arrays become lists, PRNG keys their key data, Modules a dict of their fields.
            Stored flattened (``baths.gamma``) and as JSON in the attribute ``parameters``.

    Variables use the result's own attribute names: ``flux`` (bath), ``temperature`` (site) and their
    errors (``flux_error``/``temperature_error``: rounding estimates of the exact engines;
    ``flux_err``/``temperature_err``: standard errors across trajectories), ``energy_balance``; for a
    simulation with ``record_every`` also ``temperature_series`` (time, site) and ``flux_series``
    (time, bath). Each variable's attrs give ``long_name``, ``units`` (k_B = 1) and ``definition``.

    Cost: copies the result's arrays to the host (the (2N, 2N) covariance when present).
    """
    import xarray as xr

    from ._lyapunov import CovarianceEvolution
    from ._solution import QuantumSteadyState, SimulationResult, SteadyState

    if isinstance(result, QuantumSteadyState):
        data, coords, info = _quantum(result)
    elif isinstance(result, SteadyState):
        data, coords, info = _classical(result)
    elif isinstance(result, SimulationResult):
        data, coords, info = _simulation(result)
    elif isinstance(result, CovarianceEvolution):
        data, coords, info = _evolution(result)
    else:
        raise ValueError(
            "`result` must be a SteadyState, QuantumSteadyState, SimulationResult or CovarianceEvolution, "
            f"got {type(result).__name__}."
        )
    n_sites, n_baths = info.pop("_sizes")
    coords.update(site=("site", np.arange(n_sites), dict(long_name="site index n (0..N-1)", units="1")),
                  bath=("bath", np.arange(n_baths), dict(long_name="bath index b (order of system.baths)",
                                                           units="1")))
    meta = run_metadata()
    meta.update(info, result=type(result).__name__, source="jaxlangevin",
                units="k_B = 1 (temperatures are energies); other units are those of the inputs",
                conventions="jaxlangevin CONVENTIONS.md: J_b is heat from bath b into the system; "
                            "T_n = m_n <v_n^2>")
    if system is not None:
        _add_system(system, n_sites, n_baths, data, coords, meta)
    parameters = {k: _plain(v) for k, v in attrs.items()}
    for key, value in _flatten(parameters).items():
        value = _attr(value)
        if value is not None:
            meta[key] = value
    meta["parameters"] = json.dumps(parameters, sort_keys=True, allow_nan=True)
    return xr.Dataset(data, coords=coords, attrs=meta)


# ------------------------------------------------------------------------------------------------
# one builder per result type: (data_vars, coords, attrs with "_sizes" = (N, n_baths))
# ------------------------------------------------------------------------------------------------


def _exact_common(r) -> tuple[dict, dict]:
    data = {
        "flux": ("bath", _np(r.flux), _attrs_of("flux")),
        "flux_error": ("bath", _np(r.flux_error), _attrs_of("flux", long_name="rounding-error estimate of flux")),
        "temperature_error": ("site", _np(r.temperature_error),
                              _attrs_of("temperature", long_name="rounding-error estimate of temperature")),
        "energy_balance": ((), _np(r.energy_balance), _attrs_of("energy_balance")),
        "slowest_relaxation_time": ((), _np(r.slowest_relaxation_time), _attrs_of("slowest_relaxation_time")),
        "converged": ((), _np(r.converged).astype(bool), _attrs_of("converged")),
    }
    if getattr(r, "position_variance", None) is not None:
        data["position_variance"] = ("site", _np(r.position_variance), _attrs_of("position_variance"))
    info = dict(method=r.method, start=_describe_start(r.start))
    return data, info


def _classical(r):
    data, info = _exact_common(r)
    n = r.temperature.shape[0]
    data["temperature"] = ("site", _np(r.temperature), _attrs_of("temperature"))
    coords = {}
    if r.covariance is not None:
        data["covariance"] = (("state_i", "state_j"), _np(r.covariance), _attrs_of("covariance"))
        labels = np.array([f"q_{i}" for i in range(n)] + [f"v_{i}" for i in range(n)])
        coords.update(state_i=("state_i", labels), state_j=("state_j", labels))
    if r.decoupled_frequencies is not None:
        data["decoupled_frequencies"] = ("dark_mode", _np(r.decoupled_frequencies), _attrs_of("decoupled_frequencies"))
    info["_sizes"] = (n, r.flux.shape[0])
    return data, coords, info


def _quantum(r):
    data, info = _exact_common(r)
    n, nb = r.site_temperature.shape[0], r.flux.shape[0]
    divergent = np.zeros(n, bool)
    divergent[list(r.divergent_sites)] = True
    data["temperature"] = ("site", _np(r.site_temperature), _attrs_of(
        "temperature", definition="quantum kinetic temperature m_n <v_n^2> (symmetrized); +inf where `divergent`"))
    data["divergent"] = ("site", divergent, _attrs_of("divergent"))
    data["conductance"] = (("bath", "bath_c"), _np(r.conductance), _attrs_of("conductance"))
    data["hbar"] = ((), _np(r.hbar), _attrs_of("hbar"))
    coords = {"bath_c": ("bath_c", np.arange(nb), dict(long_name="bath c whose temperature varies", units="1"))}
    info.update(hbar=float(r.hbar), _sizes=(n, nb))
    return data, coords, info


def _simulation(r):
    n, nb = r.temperature.shape[0], r.flux.shape[0]
    se = "standard error across trajectories of "
    data = {
        "flux": ("bath", _np(r.flux), _attrs_of("flux")),
        "flux_err": ("bath", _np(r.flux_err), _attrs_of("flux", long_name=se + "flux")),
        "temperature": ("site", _np(r.temperature), _attrs_of("temperature")),
        "temperature_err": ("site", _np(r.temperature_err), _attrs_of("temperature", long_name=se + "temperature")),
        "energy_balance": ((), _np(r.energy_balance), _attrs_of("energy_balance")),
        "energy_balance_err": ((), _np(r.energy_balance_err), _attrs_of("energy_balance",
                                                                         long_name=se + "energy balance")),
    }
    coords = {}
    if r.series is not None:
        block = "block average of the ensemble mean over the record interval centred at `time`"
        coords["time"] = ("time", np.asarray(r.series["time"]), dict(long_name="time (centre of record block)",
                                                                       units="time"))
        data["temperature_series"] = (("time", "site"), np.asarray(r.series["temperature"]),
                                      _attrs_of("temperature", description=block))
        data["flux_series"] = (("time", "bath"), np.asarray(r.series["flux"]), _attrs_of("flux", description=block))
    info = dict(n_traj=r.n_traj, dt=r.dt, t_relax=r.t_relax, t_measure=r.t_measure, integrator=r.integrator,
                start=_describe_start(r.start), method="simulation", _sizes=(n, nb))
    return data, coords, info


def _evolution(r):
    n, nb = r.temperature.shape[1], r.flux.shape[1]
    coords = {"time": ("time", _np(r.times), dict(long_name="time since the start", units="time"))}
    data = {
        "temperature": (("time", "site"), _np(r.temperature), _attrs_of("temperature")),
        "flux": (("time", "bath"), _np(r.flux), _attrs_of(
            "flux", definition="J_b(t) = sum_{n in S_b} gamma_b (T_b / m_n - <v_n^2>(t))")),
        "relaxation_times": ("mode", _np(r.relaxation_times), _attrs_of("relaxation_times")),
    }
    if r.covariance is not None:
        data["covariance"] = (("time", "state_i", "state_j"), _np(r.covariance), _attrs_of("covariance"))
    return data, coords, dict(method="covariance-evolution", _sizes=(n, nb))


# ------------------------------------------------------------------------------------------------
# the system: masses, bath coordinates, coupling
# ------------------------------------------------------------------------------------------------


def _add_system(system, n_sites, n_baths, data, coords, meta):
    from ._system import System

    if not isinstance(system, System):
        raise ValueError(f"`system` must be a jl.System or None, got {type(system).__name__}.")
    if system.n_sites != n_sites or len(system.baths) != n_baths:
        raise ValueError(
            f"`system` has N = {system.n_sites} sites and {len(system.baths)} baths, but the result has "
            f"{n_sites} sites and {n_baths} baths: pass the system the result was computed for."
        )
    baths = system.baths
    nan = float("nan")
    coords.update(
        bath_temperature=("bath", np.array([float(b.temperature) for b in baths]), _attrs_of("bath_temperature")),
        bath_gamma=("bath", np.array([float(b.gamma) for b in baths]), _attrs_of("bath_gamma")),
        bath_cutoff=("bath", np.array([float(getattr(b, "cutoff", nan)) for b in baths]), _attrs_of("bath_cutoff")),
        bath_hbar=("bath", np.array([float(getattr(b, "hbar", nan)) for b in baths]), _attrs_of("bath_hbar")),
        bath_kind=("bath", np.array([type(b).__name__ for b in baths], dtype=str), _attrs_of("bath_kind")),
        bath_n_sites=("bath", np.array([len(b.sites) for b in baths]), _attrs_of("bath_n_sites")),
    )
    data["masses"] = ("site", _np(system.masses), _attrs_of("masses"))
    data["bath_sites"] = (("bath", "site"), system.bath_masks(), _attrs_of("bath_sites"))
    meta["N"] = system.n_sites
    meta["coupling"] = json.dumps(_plain(system.coupling), sort_keys=True)


def _describe_start(start) -> str:
    """A short description of an initial condition: "AtRest()", "Thermal(temperature=1.0)", "Given(q, v)"."""
    from ._initial import Given, GivenCovariance

    if isinstance(start, Given):
        return f"Given(q, v) with shape {tuple(start.q.shape)}"
    if isinstance(start, GivenCovariance):
        return f"GivenCovariance(covariance) with shape {tuple(start.covariance.shape)}"
    fields = _plain(start)
    args = ", ".join(f"{k}={v}" for k, v in fields.items() if k != "type")
    return f"{type(start).__name__}({args})"


# ------------------------------------------------------------------------------------------------
# plain values and NetCDF attributes
# ------------------------------------------------------------------------------------------------


def _np(x) -> np.ndarray:
    return np.asarray(x)


def _plain(x):
    """``x`` as JSON-able Python values: arrays -> lists/numbers, PRNG keys -> key data, Modules -> dicts."""
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, (np.bool_, np.integer, np.floating)):
        return x.item()
    if isinstance(x, os.PathLike):
        return os.fspath(x)
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, (jax.Array, np.ndarray)):
        if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
            return _plain(np.asarray(jax.random.key_data(x)))
        arr = np.asarray(x)
        return arr.item() if arr.ndim == 0 else arr.tolist()
    if isinstance(x, eqx.Module):
        out = {"type": type(x).__name__}
        for name in getattr(x, "__dataclass_fields__", {}):
            out[name] = _plain(getattr(x, name))
        return out
    return repr(x)


def _flatten(d: Mapping, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            out.update(_flatten(v, name + "."))
        else:
            out[name] = v
    return out


def _attr(value):
    """A plain value as a NetCDF attribute (str, number or 1-d numeric array), JSON otherwise; None: omit."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, str)):
        return value
    if isinstance(value, list) and value and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return np.asarray(value)
    return json.dumps(value, sort_keys=True)
