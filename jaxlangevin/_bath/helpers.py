"""Common bath layouts: intensive (one site per bath) and extensive (a fraction of the sites)."""

from __future__ import annotations

from collections.abc import Sequence

from .ohmic import OhmicBath


def _pair(name, x):
    if isinstance(x, Sequence) and not isinstance(x, str):
        if len(x) != 2:
            raise ValueError(f"`{name}` must be one value or a pair (left, right), got {x!r}.")
        return tuple(x)
    return (x, x)


def _check_n(N):
    if not isinstance(N, int) or isinstance(N, bool) or N < 1:
        raise ValueError(f"`N` must be an integer >= 1, got {N!r}.")


def intensive(N: int, temperatures=(1.5, 0.5), gamma=1.0) -> tuple[OhmicBath, OhmicBath]:
    """Two Ohmic baths, left on site 0 and right on site N-1 (Andreucci et al. Eq. 7).

    ``temperatures`` = (T_L, T_R); ``gamma`` one value or a pair. For N = 1 both baths hold site 0.
    """
    _check_n(N)
    tl, tr = _pair("temperatures", temperatures)
    gl, gr = _pair("gamma", gamma)
    return (OhmicBath((0,), gl, tl), OhmicBath((N - 1,), gr, tr))


def extensive(N: int, fractions=(0.25, 0.25), temperatures=(1.5, 0.5), gamma=1.0):
    """Two Ohmic baths on the first round(aL N) and the last round(aR N) sites (Andreucci et al. Eq. 8).

    ``fractions`` = (aL, aR) with aL, aR > 0 and round(aL N) + round(aR N) <= N (disjoint sets).
    """
    _check_n(N)
    al, ar = _pair("fractions", fractions)
    nl, nr = int(round(float(al) * N)), int(round(float(ar) * N))
    if not (0 < float(al) <= 1 and 0 < float(ar) <= 1):
        raise ValueError(f"`fractions` must lie in (0, 1], got {(al, ar)!r}.")
    if nl < 1 or nr < 1:
        raise ValueError(f"`fractions` {(al, ar)!r} give {nl} and {nr} bath sites for N = {N}; each needs >= 1.")
    if nl + nr > N:
        raise ValueError(f"`fractions` {(al, ar)!r} give {nl} + {nr} > N = {N} sites: the baths would overlap.")
    tl, tr = _pair("temperatures", temperatures)
    gl, gr = _pair("gamma", gamma)
    return (OhmicBath(range(nl), gl, tl), OhmicBath(range(N - nr, N), gr, tr))
