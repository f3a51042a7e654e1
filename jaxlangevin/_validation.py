"""Two-tier input checks: ``ValueError`` when values are concrete, ``eqx.error_if`` when traced.

Structure (shapes, site indices, choices) is always concrete and raises at once. Values (masses,
frictions, temperatures) may be traced, e.g. when a user builds a ``System`` inside ``jax.grad``;
then the check is attached to the array with ``eqx.error_if`` and fires when the value is computed.
"""

from __future__ import annotations

from typing import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np


def is_concrete(x) -> bool:
    """True when ``x`` holds a known value (not a tracer inside jit/grad/vmap)."""
    return not isinstance(x, jax.core.Tracer)


def as_float_array(name: str, x, ndim: int | None = None):
    """Convert to a floating JAX array (keeping float32/float64 as given), checking rank."""
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be a number, got the boolean {x!r}.")
    arr = jnp.asarray(x)
    if not jnp.issubdtype(arr.dtype, jnp.floating):
        if jnp.issubdtype(arr.dtype, jnp.complexfloating):
            raise ValueError(f"`{name}` must be real, got dtype {arr.dtype}.")
        arr = arr.astype(jnp.result_type(float))
    if ndim is not None and arr.ndim != ndim:
        what = "a scalar" if ndim == 0 else f"an array of rank {ndim}"
        raise ValueError(f"`{name}` must be {what}, got shape {arr.shape}.")
    return arr


def check_values(name: str, x, ok: Callable, allowed: str):
    """Check ``ok(x)`` elementwise; raise now if concrete, else attach ``eqx.error_if``.

    Returns ``x`` (possibly wrapped by ``error_if``): callers must use the return value.
    """
    if is_concrete(x):
        arr = np.asarray(x)
        good = np.asarray(ok(arr))
        if not np.all(good):
            if good.shape != arr.shape:  # a whole-array property (e.g. symmetry)
                raise ValueError(f"`{name}` must be {allowed}.")
            bad = arr[~good] if arr.ndim else arr
            shown = np.array2string(np.asarray(bad).ravel()[:4], precision=6)
            where = "" if arr.ndim == 0 else f" at index {np.argwhere(~good)[0].tolist()}"
            raise ValueError(f"`{name}` must be {allowed}; got {shown}{where}.")
        return x
    return eqx.error_if(x, ~jnp.all(ok(x)), f"`{name}` must be {allowed}.")


def positive(name: str, x):
    """Require finite values > 0."""
    return check_values(name, x, lambda a: (a > 0) & _isfinite(a), "finite and > 0")


def nonnegative(name: str, x):
    """Require finite values >= 0."""
    return check_values(name, x, lambda a: (a >= 0) & _isfinite(a), "finite and >= 0")


def finite(name: str, x):
    """Require finite values."""
    return check_values(name, x, _isfinite, "finite")


def _isfinite(a):
    return np.isfinite(a) if isinstance(a, np.ndarray) or np.isscalar(a) else jnp.isfinite(a)


def sites_tuple(name: str, sites) -> tuple[int, ...]:
    """Normalise a collection of site indices to a sorted tuple of distinct Python ints."""
    if isinstance(sites, (int, np.integer)):
        sites = (int(sites),)
    try:
        arr = np.asarray(sites)
    except Exception as e:  # pragma: no cover - defensive
        raise ValueError(f"`{name}` must be a sequence of site indices, got {sites!r}.") from e
    if arr.dtype == bool:
        arr = np.flatnonzero(arr)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"`{name}` must be a non-empty 1-d sequence of site indices, got {sites!r}.")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.equal(np.mod(arr, 1), 0)):
            raise ValueError(f"`{name}` must contain integer site indices, got {sites!r}.")
        arr = arr.astype(int)
    out = [int(s) for s in arr]
    if len(set(out)) != len(out):
        dup = sorted({s for s in out if out.count(s) > 1})
        raise ValueError(f"`{name}` lists site(s) {dup} more than once; each site at most once per bath.")
    if min(out) < 0:
        raise ValueError(f"`{name}` contains negative site index {min(out)}; sites are 0..N-1.")
    return tuple(sorted(out))
