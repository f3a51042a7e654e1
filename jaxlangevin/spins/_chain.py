"""A chain of N spins-1/2 with weak nearest-neighbour coupling, a field, and heat baths on single spins.

    H_S = h sum_l sigma^z_l + lambda sum_l sum_jk alpha_jk sigma^j_l sigma^k_{l+1}     (Ishida-Sugita Eq. 1, 68-70)

with the system-bath coupling lambda X (x) Y of the same order (Eq. 3, 10). hbar = 1, k_B = 1.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._validation import as_float_array, check_values, is_concrete
from ._bath import SpinBath
from ._operators import SIGMA_X


def require_float64() -> None:
    """Refuse float32: the NESS is set by lambda^2-small rates next to O(h) frequencies."""
    if not jax.config.jax_enable_x64:
        raise ValueError(
            "jl.spins needs float64 (bath rates ~ lambda^2 sit next to frequencies ~ h): call "
            'jax.config.update("jax_enable_x64", True) before building a SpinChain.'
        )


def _alpha(alpha) -> jnp.ndarray:
    if not is_concrete(alpha):
        if jnp.shape(alpha) != (3, 3) or jnp.iscomplexobj(alpha):
            raise ValueError(f"`alpha` must be a real (3, 3) matrix, got shape {jnp.shape(alpha)}.")
        return jnp.asarray(alpha)
    arr = np.asarray(alpha)
    if arr.shape != (3, 3):
        raise ValueError(f"`alpha` must be the (3, 3) matrix alpha_jk (j, k in x, y, z), got shape {arr.shape}.")
    if np.iscomplexobj(arr) and np.any(arr.imag != 0):
        raise ValueError("`alpha` must be real: H_I = sum_jk alpha_jk sigma^j sigma^k is Hermitian only then.")
    arr = np.real(arr).astype(float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`alpha` must be finite, got {arr.tolist()}.")
    if not np.allclose(arr, arr.T, rtol=0, atol=1e-12 * max(1.0, np.abs(arr).max())):
        raise ValueError(f"`alpha` must be symmetric, alpha_jk = alpha_kj (Ishida-Sugita Eq. 1); got {arr.tolist()}.")
    return jnp.asarray(arr)


class SpinChain(eqx.Module):
    """N spins-1/2: field ``field`` h along z, bonds lambda sum_jk alpha_jk sigma^j_l sigma^k_{l+1}, baths.

    Attributes:
        n: number of spins N >= 2 (the dense Liouvillian has 4^N rows).
        alpha: (3, 3) real symmetric alpha_jk (rows and columns x, y, z).
        coupling: lambda, the order of both the spin-spin and the spin-bath coupling (Eq. 3, 10).
        field: h != 0.
        baths: ``SpinBath`` on single spins; the steady state is unique only if the baths break every
            conservation law of H_S (e.g. X = sigma^z alone never flips a spin).

    Usually built from a model and its baths: ``TiltedIsing(...).with_baths(EdgeBaths(...))`` (also
    ``XXZ``, ``XY``, ``SpinModel`` with any alpha), or ``steady_state(model, baths)`` directly; the
    shortcuts ``SpinChain.tilted_ising``, ``.xxz`` and ``.xy`` do the same in one call.
    """

    n: int = eqx.field(static=True)
    alpha: jnp.ndarray
    coupling: jnp.ndarray
    field: jnp.ndarray
    baths: tuple[SpinBath, ...]

    def __init__(self, n, alpha, coupling, field=1.0, baths=()):
        require_float64()
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise ValueError(f"`n` must be an integer number of spins >= 2, got {n!r}.")
        self.n = int(n)
        self.alpha = _alpha(alpha)
        nonzero = lambda a: (a != 0) & jnp.isfinite(a)  # noqa: E731
        self.coupling = check_values("coupling", as_float_array("coupling", coupling, ndim=0), nonzero, "finite, != 0")
        self.field = check_values(
            "field", as_float_array("field", field, ndim=0), lambda a: (a != 0) & jnp.isfinite(a), "finite and != 0"
        )
        baths = tuple(baths)
        for b in baths:
            if not isinstance(b, SpinBath):
                raise ValueError(f"`baths` must hold SpinBath objects, got {type(b).__name__}.")
            if not 0 <= b.site < self.n:
                raise ValueError(f"a bath sits on spin {b.site}, outside 0..{self.n - 1} (n = {self.n}).")
            b.check_spectrum(self.field)
        if not baths:
            raise ValueError("`baths` is empty: without a bath the steady state is not unique.")
        self.baths = baths

    @classmethod
    def tilted_ising(cls, n, coupling, theta, field=1.0, temperatures=(1.5, 0.5), spectrum=None) -> "SpinChain":
        """``TiltedIsing(n, theta, coupling, field)`` with ``EdgeBaths(temperatures)`` (Eq. 104-110, Appendix B);
        ``spectrum`` for both baths (default ``ConstantSpectrum(c=1, d=1)``, the paper's Fig. 4-6)."""
        from ._models import TiltedIsing

        return TiltedIsing(n, theta, coupling, field).with_baths(_edge_baths(temperatures, spectrum))

    @classmethod
    def xxz(cls, n, coupling, delta, field=1.0, temperatures=(1.5, 0.5), bath_operator=SIGMA_X, spectrum=None):
        """``XXZ(n, delta, coupling, field)`` with ``EdgeBaths(temperatures, operator=bath_operator)``."""
        from ._models import XXZ

        return XXZ(n, delta, coupling, field).with_baths(_edge_baths(temperatures, spectrum, bath_operator))

    @classmethod
    def xy(cls, n, coupling, anisotropy, field=1.0, temperatures=(1.5, 0.5), bath_operator=SIGMA_X, spectrum=None):
        """``XY(n, anisotropy, coupling, field)`` with ``EdgeBaths(temperatures, operator=bath_operator)``."""
        from ._models import XY

        return XY(n, anisotropy, coupling, field).with_baths(_edge_baths(temperatures, spectrum, bath_operator))

    @property
    def alpha_plus(self):
        """alpha_+ = alpha_xx + alpha_yy (Eq. 89)."""
        return self.alpha[0, 0] + self.alpha[1, 1]


def _edge_baths(temperatures, spectrum, operator=None):
    from ._models import EdgeBaths

    return EdgeBaths(temperatures, operator=operator, spectra=None if spectrum is None else (spectrum, spectrum))
