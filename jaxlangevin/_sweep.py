"""Ensemble studies: ``jl.sweep`` runs a grid of parameter values, streams each point to disk and resumes.

The grid is a mapping axis name -> values. ``build(**point)`` turns one value of every axis (except the
reserved ``seed``) into a ``jl.System``; the method (``jl.Simulation`` or ``jl.Exact``) computes its
steady state; the results are labelled with ``jl.to_xarray`` and assembled into one ``xarray.Dataset``
with a dimension per grid axis. How points are stored and why no finished point is lost:
``jaxlangevin._sweep_store``.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import math
import sys
import warnings
from collections.abc import Mapping

import jax
import numpy as np

from ._io import _attr, _flatten, _plain, run_metadata, to_xarray
from ._negf import TEMPERATURE_RTOL
from ._sweep_methods import Exact, Simulation
from ._sweep_store import Store
from ._system import System

#: names a grid axis may not take: the result's dimensions and variables (``jl.to_xarray``), by method
_COMMON_NAMES = {"site", "bath", "flux", "temperature", "energy_balance", "masses", "bath_sites", "bath_temperature",
                 "bath_gamma", "bath_cutoff", "bath_hbar", "bath_kind", "bath_n_sites"}
_SIMULATION_NAMES = {"flux_err", "temperature_err", "energy_balance_err", "time", "temperature_series",
                     "flux_series"}
_EXACT_NAMES = {"flux_error", "temperature_error", "slowest_relaxation_time", "converged", "position_variance"}
_QUANTUM_NAMES = {"conductance", "bath_c", "divergent", "hbar"}
_MAX_SEED = 2**32


def sweep(build, grid: Mapping, *, method: Simulation | Exact, store=None, progress: bool = True):
    """Steady states over a grid of parameters, one ``xarray.Dataset`` with a dimension per grid axis.

    For every combination of grid values, ``system = build(**values)`` is computed with ``method``:
    ``jl.Simulation(n_traj, dt, t_relax, t_measure, ...)`` runs ``jl.simulate`` (trajectories sharded over
    all devices) and ``jl.Exact(hbar=None)`` runs ``jl.negf_steady_state``. Definitions and units:
    CONVENTIONS (k_B = 1; ``flux[b]`` is the heat per unit time from bath b into the system; ``temperature[n]``
    is m_n <v_n^2>).

    Arguments:
        build: ``build(**point) -> jl.System``; it receives one value of every grid axis except ``seed``
            (Python ints, floats or strings). Physical parameters must enter the system as values
            (arrays), not as shapes: only the ``N`` axis may change shapes or structure.
        grid: mapping axis name -> 1-d sequence of distinct values (numbers or strings), e.g.
            ``{"N": [16, 32, 64], "delta": [0.0, 0.1, 0.2], "seed": range(4)}``. The dataset's dimensions
            follow its order. Reserved names:
            - ``N``: the number of sites (``build`` must return N sites). Each N has its own shapes, so
              its own compilation; the sweep runs N as the outer loop and pads the ``site`` dimension to
              the largest N: entries beyond a point's N are NaN (False for flags, -1 for counts).
            - ``seed``: the noise key ``jax.random.key(seed)`` of the point (``Simulation`` only),
              integers in [0, 2^32). Without a ``seed`` axis every point uses ``Simulation.seed``.
            Every other axis is a dynamic parameter: changing its value never recompiles anything (the
            engines take the system as an argument).
        method: ``jl.Simulation(...)`` or ``jl.Exact(hbar=None)``.
        store: a path (e.g. ``"study.nc"``) or None. Each finished point is appended at once to the
            sidecar ``<store>.partial/``; calling ``sweep`` again with the same arguments after an
            interruption (Ctrl-C, a killed process, a crash) skips the finished points and computes the
            rest, so no finished point is lost and none is computed twice (``Simulation(resume_points=
            True)`` also resumes the point in progress from its last chunk). When every point is done the
            dataset is written to ``store`` (NetCDF, atomically) and the sidecar removed; a later call
            returns that file without computing. A store of a different sweep (grid, method, or the
            system ``build`` returns at the first point) raises ``ValueError``.
        progress: a progress bar over points (tqdm, stderr), with ``jl.simulate``'s bar nested below it.

    Returns:
        ``xarray.Dataset`` with dimensions (grid axes..., ``site``, ``bath``), coordinates = the grid values,
        and the variables of ``jl.to_xarray`` with the grid dimensions in front:
        - ``Simulation``: ``flux``, ``flux_err`` (bath), ``temperature``, ``temperature_err`` (site),
          ``energy_balance``, ``energy_balance_err``: means and standard errors across trajectories;
        - ``Exact``: ``flux``, ``temperature`` and their rounding-error estimates ``flux_error``,
          ``temperature_error``, ``energy_balance``, ``slowest_relaxation_time``, ``converged``; quantum
          (hbar > 0): also ``conductance`` (bath, bath_c), ``divergent`` (site) and +inf temperatures at
          sites held by Ohmic baths (Andreucci et al. Eq. 54);
        - both: ``masses`` (site), ``bath_sites`` (bath, site) and the bath coordinates
          (``bath_temperature``, ``bath_gamma``, ...) of every point.
        Attributes: ``run_metadata()`` (versions, backend, devices, x64, time), the grid
        (``sweep_grid``, JSON), the method's settings (``method.*``), ``build`` (its name and source) and
        the sweep's fingerprint.

    Example:
        >>> def build(N, delta, gamma):
        ...     return jl.System(jl.masses.graded(N, 1.0, delta), jl.MeanField(1.0) + jl.Pinning(0.5),
        ...                      jl.intensive(N, temperatures=(1.5, 0.5), gamma=gamma))
        >>> ds = jl.sweep(build, {"N": [8, 16], "delta": [0.2, 0.4], "gamma": [0.5, 1.0]},
        ...               method=jl.Simulation(n_traj=1024, dt=0.05, t_relax=500.0, t_measure=1000.0),
        ...               store="study.nc")
        >>> ds.flux.sel(bath=0)           # (N, delta, gamma), with ds.flux_err beside it

    Cost: that of the method at every point, plus one compilation per N (``Simulation``: each point then
    costs what ``jl.simulate`` costs; ``Exact``: a few seconds per N, then milliseconds per point at small
    N). Writing a point costs about a millisecond. Runs in one process, on all its devices.
    """
    if not callable(build):
        raise ValueError(f"`build` must be a function build(**point) -> jl.System, got {type(build).__name__}.")
    if not isinstance(method, (Simulation, Exact)):
        raise ValueError(f"`method` must be jl.Simulation(...) or jl.Exact(...), got {type(method).__name__}.")
    if isinstance(method, Simulation):
        reserved = _COMMON_NAMES | _SIMULATION_NAMES
    else:
        reserved = _COMMON_NAMES | _EXACT_NAMES | (_QUANTUM_NAMES if method.hbar is not None else set())
    grid = _Grid(grid, reserved)
    if isinstance(method, Exact) and grid.seed is not None:
        raise ValueError("`grid` has a `seed` axis, but `method` is jl.Exact: the exact engine has no noise. "
                         "Remove the axis, or use jl.Simulation.")
    if not isinstance(progress, bool):
        raise ValueError(f"`progress` must be True or False, got {progress!r}.")
    if isinstance(method, Simulation) and method.resume_points and store is None:
        raise ValueError("`method` has resume_points=True, which checkpoints inside the store: give `store`.")

    systems = _Systems(build, grid)
    first = grid.order[0]
    first_system = systems.build(first)  # also identifies the sweep: a changed `build` is not resumed into
    description = dict(grid=grid.describe(), method=_plain(method), system=_system_hash(first_system))
    fingerprint = hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()
    attrs = _attrs(build, grid, method, fingerprint, description)

    if store is None:
        points = {}
        schema = _compute(method, grid, systems, {first: first_system}, None, points, progress)
        return _assemble(grid, points, schema, method, attrs)
    st = Store(store, fingerprint, description)
    if st.complete():
        return _load(st.path)
    with st:
        points = st.read()
        for index in points:  # a point finished just before its checkpoint could be removed
            st.drop_checkpoint(index)
        schema = _compute(method, grid, systems, {first: first_system}, st, points, progress)
        st.finish(_assemble(grid, points, schema, method, attrs))
    return _load(st.path)


# ------------------------------------------------------------------------------------------------
# the grid
# ------------------------------------------------------------------------------------------------


class _Grid:
    """Axis names and values; flat index = row-major index in the dataset's grid shape."""

    def __init__(self, grid, reserved: set):
        if not isinstance(grid, Mapping) or len(grid) == 0:
            raise ValueError(f"`grid` must be a non-empty mapping axis name -> values, got {grid!r}.")
        self.names, self.values = [], []
        for name, values in grid.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise ValueError(f"`grid` keys must be parameter names of `build` (identifiers), got {name!r}.")
            if name in reserved:
                raise ValueError(f"`grid` axis {name!r} is reserved: it names a dimension or variable of the "
                                 "result. Rename the parameter.")
            try:
                arr = np.asarray(list(values) if not isinstance(values, (str, bytes)) else values)
            except TypeError:
                raise ValueError(f"`grid[{name!r}]` must be a 1-d sequence of values, got {values!r}.") from None
            if arr.ndim != 1:
                raise ValueError(f"`grid[{name!r}]` must be a 1-d sequence of values, got shape {arr.shape}.")
            if arr.size == 0:
                raise ValueError(f"`grid[{name!r}]` is empty: every axis needs at least one value.")
            if arr.dtype.kind not in "biufU":
                raise ValueError(f"`grid[{name!r}]` must hold numbers or strings, got {values!r}.")
            if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
                raise ValueError(f"`grid[{name!r}]` must hold finite values, got {arr.tolist()}.")
            uniq, counts = np.unique(arr, return_counts=True)
            if np.any(counts > 1):
                raise ValueError(f"`grid[{name!r}]` repeats {uniq[counts > 1].tolist()}: values along an axis must "
                                 "be distinct (for repetitions use a `seed` axis).")
            if name in ("N", "seed"):
                low, high = (1, None) if name == "N" else (0, _MAX_SEED)
                allowed = "integers >= 1" if name == "N" else "integers in [0, 2^32)"
                if arr.dtype.kind not in "iu" or arr.min() < low or (high is not None and arr.max() >= high):
                    raise ValueError(f"`grid[{name!r}]` must hold {allowed}, got {arr.tolist()}.")
            self.names.append(name)
            self.values.append(arr)
        self.shape = tuple(v.size for v in self.values)
        self.size = math.prod(self.shape)
        self.n_axis = self.names.index("N") if "N" in self.names else None
        self.seed = self.names.index("seed") if "seed" in self.names else None
        flat = np.arange(self.size).reshape(self.shape)
        if self.n_axis is not None:  # N is the outer loop: one compilation per N
            flat = np.moveaxis(flat, self.n_axis, 0)
        self.order = [int(i) for i in flat.ravel()]

    def point(self, flat: int) -> dict:
        """{axis: value} of a point, values as Python scalars."""
        idx = np.unravel_index(flat, self.shape)
        return {name: v[i].item() for name, v, i in zip(self.names, self.values, idx)}

    def group(self, flat: int):
        """The N of a point (None without an N axis): points of one group share shapes."""
        return None if self.n_axis is None else self.point(flat)["N"]

    def label(self, flat: int, names=None) -> str:
        p = self.point(flat)
        return ", ".join(f"{k}={p[k]!r}" for k in (names or self.names))

    def describe(self) -> list:
        return [[name, v.tolist()] for name, v in zip(self.names, self.values)]


# ------------------------------------------------------------------------------------------------
# systems: built lazily, checked against the first system of the same N
# ------------------------------------------------------------------------------------------------


class _Systems:
    def __init__(self, build, grid: _Grid):
        self._build, self.grid = build, grid
        self.reference: dict = {}  # N (or None) -> (flat index, structure)

    def build(self, flat: int) -> System:
        point = self.grid.point(flat)
        kwargs = {k: v for k, v in point.items() if k != "seed"}
        system = self._build(**kwargs)
        if not isinstance(system, System):
            raise ValueError(f"`build` must return a jl.System, got {type(system).__name__} at "
                             f"{self.grid.label(flat)}.")
        if "N" in point and system.n_sites != point["N"]:
            raise ValueError(f"`build` returned a system of {system.n_sites} sites at {self.grid.label(flat)}: "
                             "the grid axis `N` is the number of sites.")
        group, structure = self.grid.group(flat), _structure(system)
        if group not in self.reference:
            self.reference[group] = (flat, structure)
        elif structure != self.reference[group][1]:
            ref = self.reference[group][0]
            pr, pp = self.grid.point(ref), point
            axes = [n for n in self.grid.names if n not in ("N", "seed") and pr[n] != pp[n]]
            raise ValueError(
                f"`build` returned systems of different shapes or structure along the grid "
                f"axis{'es' if len(axes) > 1 else ''} {', '.join(repr(a) for a in axes)} "
                f"({self.grid.label(ref, axes)}: {_describe_difference(self.reference[group][1], structure)} at "
                f"{self.grid.label(flat, axes)}). Only the `N` axis may change shapes or structure (each N is "
                "compiled once); every other axis must change values only, e.g. pass it as a float to "
                "jl.MeanField(k), jl.OhmicBath(gamma=...), jl.masses.graded(N, mean, delta)."
            )
        return system


def _structure(system):
    """(tree structure, ((path, shape, dtype), ...)): what the compiled engines specialise on."""
    leaves, treedef = jax.tree_util.tree_flatten_with_path(system)
    return treedef, tuple((jax.tree_util.keystr(p), np.shape(x), np.dtype(getattr(x, "dtype", type(x))).str)
                           for p, x in leaves)


def _describe_difference(a, b) -> str:
    if a[0] != b[0]:
        return ("the structure (coupling terms, Kac factor, bath types or bath sites) differs from that "
                "of the system")
    diffs = [f"{pa} {sa} {da} vs {sb} {db}" for (pa, sa, da), (_, sb, db) in zip(a[1], b[1]) if (sa, da) != (sb, db)]
    return "leaf " + "; ".join(diffs[:3])


def _system_hash(system) -> str:
    h = hashlib.sha256(repr(jax.tree_util.tree_structure(system)).encode())
    for x in jax.tree_util.tree_leaves(system):
        a = np.asarray(x)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


# ------------------------------------------------------------------------------------------------
# computing the points
# ------------------------------------------------------------------------------------------------


def _compute(method, grid: _Grid, systems: _Systems, built: dict, st: Store | None, points: dict,
             progress: bool) -> dict:
    """Compute every point not in ``points`` (filling it), writing each to ``st`` as soon as it is done.

    Returns the schema of the points' variables (``_record``)."""
    todo = [f for f in grid.order if f not in points]
    bar = _progress(progress, grid.size, len(points))
    schema = st.schema if st is not None else None

    def finished(flat, result, system):
        nonlocal schema
        arrays, point_schema = _record(result, system)
        if schema is None:
            schema = point_schema
        elif point_schema["variables"].keys() != schema["variables"].keys():
            raise ValueError(f"the point {grid.label(flat)} has results {sorted(point_schema['variables'])}, the "
                             f"earlier points {sorted(schema['variables'])}: `build` must return systems of the "
                             "same kind (bath types) at every point.")
        if st is not None:
            st.append(flat, arrays, schema)
        points[flat] = arrays
        if bar is not None:
            bar.update(1)

    def system_of(flat):
        return built.pop(flat) if flat in built else systems.build(flat)

    try:
        if isinstance(method, Exact):
            # groups of `batch` points of one N: one compiled call each
            i = 0
            while i < len(todo):
                group = grid.group(todo[i])
                chunk = [todo[i]]
                while len(chunk) < method.batch and i + len(chunk) < len(todo) and \
                        grid.group(todo[i + len(chunk)]) == group:
                    chunk.append(todo[i + len(chunk)])
                i += len(chunk)
                if bar is not None:
                    bar.set_postfix_str(grid.label(chunk[0]), refresh=False)
                batch = [system_of(f) for f in chunk]
                with _at(grid, chunk, st is not None):
                    results = method.run(batch)
                for flat, system, result in zip(chunk, batch, results):
                    finished(flat, result, system)
        else:
            for flat in todo:
                if bar is not None:
                    bar.set_postfix_str(grid.label(flat), refresh=False)
                system = system_of(flat)
                seed = grid.point(flat)["seed"] if grid.seed is not None else method.seed
                checkpoint = st.checkpoint(flat) if (st is not None and method.resume_points) else None
                with _at(grid, [flat], st is not None):
                    result = method.run(system, jax.random.key(seed), checkpoint, progress)
                finished(flat, result, system)
                if checkpoint is not None:
                    st.drop_checkpoint(flat)
    finally:
        if bar is not None:
            bar.close()
    return schema


@contextlib.contextmanager
def _at(grid: _Grid, flats: list, stored: bool):
    """Errors of the engines say at which grid point(s) they happened (Python >= 3.11: a note)."""
    try:
        yield
    except Exception as e:
        if hasattr(e, "add_note"):
            where = grid.label(flats[0]) + (f" (and {len(flats) - 1} more points)" if len(flats) > 1 else "")
            kept = "; the finished points are in the store: rerun to resume" if stored else ""
            e.add_note(f"jl.sweep: at the grid point {where}{kept}.")
        raise


def _record(result, system) -> tuple[dict, dict]:
    """A point's arrays and the schema (dimensions, attributes) of its variables, via ``jl.to_xarray``."""
    ds = to_xarray(result, system)
    arrays, variables, index = {}, {}, {}
    for name, var in ds.variables.items():
        attrs = {k: _plain(v) for k, v in var.attrs.items()}
        if name in ds.indexes:
            index[name] = attrs
            continue
        arrays[name] = np.asarray(var.values)
        variables[name] = dict(dims=list(var.dims), coord=name in ds.coords, attrs=attrs)
    keep = ("result", "units", "conventions", "start", "integrator")
    return arrays, dict(variables=variables, index=index, attrs={k: ds.attrs[k] for k in keep if k in ds.attrs})


def _progress(show: bool, total: int, done: int):
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, unit="point", desc="sweep", file=sys.stderr)


# ------------------------------------------------------------------------------------------------
# the dataset
# ------------------------------------------------------------------------------------------------


def _fill(dtype):
    kind = np.dtype(dtype).kind
    return {"f": np.nan, "c": np.nan, "b": False, "U": "", "S": b""}.get(kind, -1)


def _assemble(grid: _Grid, points: dict, schema: dict, method, attrs: dict):
    """One Dataset (grid axes..., site, bath, ...) from the points' arrays; padding beyond each point's N."""
    import xarray as xr

    sizes: dict[str, int] = {}
    for arrays in points.values():
        for name, a in arrays.items():
            for d, s in zip(schema["variables"][name]["dims"], a.shape):
                sizes[d] = max(sizes.get(d, 0), s)
    data_vars, coords = {}, {}
    for name, spec in schema["variables"].items():
        dims = spec["dims"]
        shape = tuple(sizes[d] for d in dims)
        dtype = np.result_type(*{points[f][name].dtype for f in points})
        full = np.full((grid.size,) + shape, _fill(dtype), dtype)
        for flat, arrays in points.items():
            a = arrays[name]
            full[(flat,) + tuple(slice(0, s) for s in a.shape)] = a
        var = (tuple(grid.names) + tuple(dims), full.reshape(grid.shape + shape), spec["attrs"])
        (coords if spec["coord"] else data_vars)[name] = var
    for name, values in zip(grid.names, grid.values):
        what = {"N": "number of sites", "seed": "noise key jax.random.key(seed)"}.get(name, "grid parameter")
        coords[name] = (name, values, dict(long_name=f"{what} {name} (jl.sweep axis)"))
    for d, n in sizes.items():
        coords[d] = (d, np.arange(n), schema["index"].get(d, {}))
    ds = xr.Dataset(data_vars, coords=coords, attrs=dict(schema["attrs"], **attrs))
    if isinstance(method, Exact):
        _warn_precision(ds)
    return ds


def _attrs(build, grid: _Grid, method, fingerprint: str, description: dict) -> dict:
    attrs = run_metadata()
    attrs.update(source="jaxlangevin.sweep", sweep_axes=", ".join(grid.names),
                 sweep_grid=json.dumps(grid.describe()), sweep_method=type(method).__name__,
                 sweep_fingerprint=fingerprint, sweep_description=json.dumps(description, sort_keys=True),
                 build=getattr(build, "__qualname__", repr(build)))
    try:
        attrs["build_source"] = inspect.getsource(build)
    except (OSError, TypeError):
        pass
    for key, value in _flatten({"method": _plain(method)}).items():
        value = _attr(value)
        if value is not None:
            attrs[key] = value
    if grid.n_axis is not None:
        attrs["site_padding"] = ("the site dimension runs to the largest N; entries beyond a point's N are NaN "
                                 "(False for flags, -1 for counts)")
    return attrs


def _warn_precision(ds) -> None:
    """One warning for all points with ``negf_steady_state``'s precision criteria (which ``jit`` silences)."""
    t = np.asarray(ds.temperature)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(np.isfinite(t), np.asarray(ds.temperature_error) / np.abs(t), 0.0)
    rel = np.nan_to_num(rel, nan=0.0)
    unresolved = (rel.max(axis=-1) > TEMPERATURE_RTOL) | (np.asarray(ds.slowest_relaxation_time) > 1 / TEMPERATURE_RTOL)
    failed = ~np.asarray(ds.converged, bool)
    if failed.any():
        warnings.warn(f"jl.sweep: the pole search did not converge at {int(failed.sum())} of {failed.size} points "
                      "(variable `converged`); results there may be inaccurate.", RuntimeWarning, stacklevel=4)
    if unresolved.any():
        warnings.warn(
            f"jl.sweep: at {int(unresolved.sum())} of {unresolved.size} points double precision does not resolve "
            f"the temperature profile to {TEMPERATURE_RTOL:.0e} (nearly-dark modes; see `temperature_error` and "
            "`slowest_relaxation_time`). Fluxes stay accurate.", RuntimeWarning, stacklevel=4)


def _load(path):
    import xarray as xr

    return xr.load_dataset(path)
