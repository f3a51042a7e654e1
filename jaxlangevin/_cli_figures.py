"""PNG figures of the ``jaxlangevin`` command, drawn from its labelled Datasets (``jaxlangevin._io``).

Matplotlib's object interface with the Agg canvas: no pyplot, so no global backend is changed.
"""

from __future__ import annotations

import os

import numpy as np


def _figure(width=6.4, height=4.0):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _mark_baths(ax, ds):
    """Shade the sites each bath holds (from the ``bath_sites`` mask), labelled with its temperature."""
    if "bath_sites" not in ds:
        return
    colours = ("tab:red", "tab:blue", "tab:green", "tab:purple")
    for b in range(ds.sizes["bath"]):
        sites = np.flatnonzero(ds.bath_sites.values[b])
        t_b = float(ds.bath_temperature.values[b])
        for i, n in enumerate(sites):
            ax.axvspan(n - 0.5, n + 0.5, color=colours[b % 4], alpha=0.12, lw=0,
                       label=f"bath {b} (T = {t_b:g})" if i == 0 else None)


def _title(ds) -> str:
    what = (f"{ds.attrs.get('n_traj')} trajectories, {ds.attrs.get('integrator')} dt = {ds.attrs.get('dt')}"
            if ds.attrs.get("method") == "simulation" else f"exact ({ds.attrs.get('method')})")
    quantum = f", hbar = {ds.attrs['baths.hbar']:g}" if "baths.hbar" in ds.attrs else ""
    return f"{ds.attrs.get('output.stem', 'jaxlangevin')}: N = {ds.sizes['site']}, {what}{quantum}"


def steady_state_figure(ds, path: str | os.PathLike) -> None:
    """Temperature profile T_n of an exact steady state (finite sites; error bars = rounding estimates)."""
    fig = _figure()
    ax = fig.add_subplot()
    _mark_baths(ax, ds)
    t = ds.temperature.values
    ok = np.isfinite(t)
    ax.errorbar(ds.site.values[ok], t[ok], yerr=ds.temperature_error.values[ok], fmt="o-", ms=3, lw=1,
                color="k", label="exact")
    if (~ok).any():
        ax.plot([], [], " ", label=f"{(~ok).sum()} site(s) with divergent quantum T (Ohmic)")
    flux = ", ".join(f"{x:.6g}" for x in ds.flux.values)
    ax.set(xlabel="site n", ylabel="kinetic temperature $T_n = m_n\\langle v_n^2\\rangle$",
           title=f"{_title(ds)}\nflux per bath J_b = {flux}")
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=120)


def simulation_figure(ds, path: str | os.PathLike) -> None:
    """Simulated T_n +- standard error beside the exact profile (variables ``exact_temperature`` when present)."""
    fig = _figure()
    ax = fig.add_subplot()
    _mark_baths(ax, ds)
    n = ds.site.values
    ax.errorbar(n, ds.temperature.values, yerr=ds.temperature_err.values, fmt="o", ms=3, capsize=2,
                color="tab:orange", label=f"simulation ({ds.attrs.get('n_traj')} trajectories, +- 1 SE)")
    if "exact_temperature" in ds:
        ax.plot(n, ds.exact_temperature.values, "k-", lw=1, label="exact steady state")
    flux = ", ".join(f"{a:.4g} +- {b:.2g}" for a, b in zip(ds.flux.values, ds.flux_err.values))
    ax.set(xlabel="site n", ylabel="kinetic temperature $T_n = m_n\\langle v_n^2\\rangle$",
           title=f"{_title(ds)}\nflux per bath J_b = {flux}")
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=120)


def sweep_figure(ds, axes: list[str], path: str | os.PathLike) -> None:
    """Flux of bath 0 against the first swept axis, one line per value of the others (at most 12 lines;
    averaged over a ``seed`` axis, with the spread of the seeds as error bars)."""
    fig = _figure()
    ax = fig.add_subplot()
    flux = ds["flux"].isel(bath=0)
    err = ds["flux_err"].isel(bath=0) if "flux_err" in ds else None
    x_axis = next((a for a in axes if a not in ("N", "seed") and ds.sizes[a] > 1),
                  next((a for a in axes if a != "seed"), axes[0]))
    if "seed" in flux.dims and x_axis != "seed":
        n_seeds = flux.sizes["seed"]
        err = flux.std("seed", ddof=1) / np.sqrt(n_seeds) if n_seeds > 1 else None
        flux = flux.mean("seed")
    others = [d for d in flux.dims if d != x_axis]
    stacked = flux.stack(_line=others) if others else flux.expand_dims(_line=[0])
    err_stacked = None if err is None else (err.stack(_line=others) if others else err.expand_dims(_line=[0]))
    x = flux[x_axis].values
    for i in range(min(stacked.sizes["_line"], 12)):
        y = stacked.isel(_line=i).values
        values = stacked["_line"].values[i]
        values = values if isinstance(values, tuple) else (values,)
        label = ", ".join(f"{_key(ds, d)} = {v}" for d, v in zip(others, values)) if others else None
        if err_stacked is not None:
            ax.errorbar(x, y, yerr=err_stacked.isel(_line=i).values, fmt="o-", ms=3, capsize=2, label=label)
        else:
            ax.plot(x, y, "o-", ms=3, label=label)
    ax.set(xlabel=_key(ds, x_axis), ylabel="flux J_0 from bath 0 (energy/time)",
           title=f"{ds.attrs.get('output.stem', 'sweep')}: J_0 against {_key(ds, x_axis)}")
    if others:
        ax.legend(fontsize=7)
    fig.savefig(path, dpi=120)


def _key(ds, axis: str) -> str:
    """The configuration key behind a grid axis (``baths_gamma`` -> ``baths.gamma``)."""
    return ds[axis].attrs.get("config_key", axis) if axis in ds.coords else axis
