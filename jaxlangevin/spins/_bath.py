"""Heat baths of a spin chain: a coupling operator on one spin, a temperature and a KMS spectrum.

Ishida-Sugita Eq. 3-14 with H_SB = X (x) Y: the bath enters the master equation through
- its mean force, H_SB averaged over the bath, mean * X (Eq. 6; order lambda), and
- the Fourier transform Phi~(w) of its correlation function <dY(t) dY> (Eq. B7), which must obey the
  KMS condition Phi~(-w) = Phi~(w) exp(beta w) (Eq. B8) and Phi~ >= 0 (order lambda^2).
Only Phi~ at the Bohr frequencies of the bare spin, 0 and +-2h, enter the weak-coupling limit (Eq. 13).
The imaginary part Psi of the half-sided transform (Eq. B6), a Lamb shift, is dropped as in the paper.
"""

from __future__ import annotations

from typing import Callable

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._validation import as_float_array, check_values, is_concrete, positive
from ._operators import IDENTITY, PAULI, SIGMA_Z


class AbstractSpectrum(eqx.Module):
    """A bath correlation spectrum Phi~_beta(w) (Ishida-Sugita Eq. B7), units of frequency (hbar = 1)."""

    def __call__(self, omega, beta):
        raise NotImplementedError


class ConstantSpectrum(AbstractSpectrum):
    """Phi~(0) = d and Phi~(w) = 2 c / (1 + exp(beta w)) for w != 0 (Ishida-Sugita Eq. B30-B33).

    So that (Phi~(2h) + Phi~(-2h)) / 2 = c and Phi~(0) = d, the constants of the paper's K (Eq. B29); the
    form obeys KMS (Eq. B8) at every w. Fig. 4-6 use c = d = 1.
    """

    c: jnp.ndarray
    d: jnp.ndarray

    def __init__(self, c=1.0, d=1.0):
        self.c = check_values("c", as_float_array("c", c, ndim=0), lambda a: (a >= 0) & jnp.isfinite(a), ">= 0")
        self.d = check_values("d", as_float_array("d", d, ndim=0), lambda a: (a >= 0) & jnp.isfinite(a), ">= 0")

    def __call__(self, omega, beta):
        omega = jnp.asarray(omega)
        return jnp.where(omega == 0, self.d, self.c * (1 - jnp.tanh(beta * omega / 2)))


class FunctionSpectrum(AbstractSpectrum):
    """A user spectrum ``fn(omega, beta) -> Phi~``; checked for KMS and positivity when the chain is built."""

    fn: Callable = eqx.field(static=True)

    def __call__(self, omega, beta):
        return jnp.asarray(self.fn(omega, beta))


def _as_spectrum(spectrum) -> AbstractSpectrum:
    if isinstance(spectrum, AbstractSpectrum):
        return spectrum
    if callable(spectrum):
        return FunctionSpectrum(spectrum)
    raise ValueError(
        f"`spectrum` must be a ConstantSpectrum(c, d), an AbstractSpectrum or a function (omega, beta) -> "
        f"Phi~; got {type(spectrum).__name__}."
    )


def _spin_operator(name: str, op) -> jnp.ndarray:
    if not is_concrete(op):
        if jnp.shape(op) != (2, 2):
            raise ValueError(f"`{name}` must be a (2, 2) operator on one spin, got shape {jnp.shape(op)}.")
        return jnp.asarray(op, dtype=complex)
    arr = np.asarray(op)
    if arr.shape != (2, 2):
        raise ValueError(f"`{name}` must be a (2, 2) operator on one spin, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must be finite, got {arr.tolist()}.")
    if not np.allclose(arr, arr.conj().T, rtol=0, atol=1e-12 * max(1.0, np.abs(arr).max())):
        raise ValueError(f"`{name}` must be Hermitian (X = X^dagger); got {np.round(arr, 6).tolist()}.")
    return jnp.asarray(arr, dtype=complex)


class SpinBath(eqx.Module):
    """A heat bath on one spin: H_SB = X (x) Y with lambda in front (Ishida-Sugita Eq. 3-4).

    Attributes:
        site: the spin it touches (0 or N - 1 in the paper; any site is allowed).
        operator: X, a Hermitian (2, 2) operator on that spin.
        temperature: T > 0 (k_B = 1); ``beta`` = 1 / T.
        spectrum: Phi~_beta(w) of Y (KMS, >= 0): ``ConstantSpectrum(c, d)`` or a function (omega, beta).
        mean: <Y>_beta, the bath's first-order (mean-field) term mean * X in H_1 (Eq. 6).

    ``SpinBath.mirror`` builds the paper's bath (Appendix B): Y is a copy of X on a spin in the same field
    at temperature T, so mean = Tr(X exp(-beta h sigma^z)) / Z.
    """

    site: int = eqx.field(static=True)
    operator: jnp.ndarray
    temperature: jnp.ndarray
    spectrum: AbstractSpectrum
    mean: jnp.ndarray

    def __init__(self, site, operator, temperature, spectrum=None, mean=0.0):
        if isinstance(site, bool) or not isinstance(site, (int, np.integer)):
            raise ValueError(f"`site` must be an integer spin index, got {site!r}.")
        self.site = int(site)
        self.operator = _spin_operator("operator", operator)
        self.temperature = positive("temperature", as_float_array("temperature", temperature, ndim=0))
        self.spectrum = _as_spectrum(ConstantSpectrum() if spectrum is None else spectrum)
        self.mean = check_values("mean", as_float_array("mean", mean, ndim=0), jnp.isfinite, "finite")

    @property
    def beta(self):
        """Inverse temperature 1 / T."""
        return 1.0 / self.temperature

    @classmethod
    def mirror(cls, site, operator, temperature, field, spectrum=None) -> "SpinBath":
        """The bath of Ishida-Sugita Appendix B: Y = X on a spin in field h at temperature T (Eq. B19-B20).

        mean = <X>_beta = x_0 - tanh(beta h) x_z for X = x_0 + x . sigma; for sigma^z' (Eq. B1) this is
        -tanh(beta h) cos(theta), so the first-order term is -alpha_zz t_L on the edge (after Eq. 149).
        """
        op = _spin_operator("operator", operator)
        temperature = positive("temperature", as_float_array("temperature", temperature, ndim=0))
        t = jnp.tanh(jnp.asarray(field) / temperature)
        x0 = jnp.real(jnp.trace(op @ IDENTITY)) / 2
        xz = jnp.real(jnp.trace(op @ SIGMA_Z)) / 2
        return cls(site, op, temperature, spectrum, mean=x0 - t * xz)

    def pauli_components(self):
        """(x_0, x_x, x_y, x_z) of X = x_0 + x . sigma."""
        return jnp.stack([jnp.trace(self.operator).real / 2] + [jnp.trace(self.operator @ p).real / 2 for p in PAULI])

    def check_spectrum(self, field) -> None:
        """KMS (Eq. B8) and positivity of Phi~ at the Bohr frequencies 0, +-2h; raise ValueError if not."""
        if not (is_concrete(self.temperature) and is_concrete(field)):
            return  # traced (inside jax.grad/vmap): checked when the chain is built with concrete values
        beta = float(self.beta)
        w = 2 * float(field)
        up, down, zero = (float(self.spectrum(x, beta)) for x in (w, -w, 0.0))
        if not all(np.isfinite([up, down, zero])) or min(up, down, zero) < 0:
            raise ValueError(
                f"bath at site {self.site}: the spectrum must be finite and >= 0; Phi~(2h) = {up}, "
                f"Phi~(-2h) = {down}, Phi~(0) = {zero}."
            )
        want = up * np.exp(beta * w)
        if not np.isclose(down, want, rtol=1e-8, atol=1e-300):
            raise ValueError(
                f"bath at site {self.site}: the spectrum violates KMS, Phi~(-w) = Phi~(w) exp(beta w) (Eq. B8), "
                f"at w = 2h = {w}, beta = {beta}: Phi~(-2h) = {down} but Phi~(2h) exp(2 beta h) = {want}."
            )
