"""The spin Hamiltonians of Ishida and Sugita, without baths, and the paper's edge baths.

    H_S = h sum_l sigma^z_l + lambda sum_l sum_jk alpha_jk sigma^j_l sigma^k_{l+1}     (Eq. 1)

A model knows its alpha and the operator through which the paper couples its edge spins to the baths;
``EdgeBaths`` turns temperatures and the spectrum constants c, d of Eq. B30-B33 into the two baths of
Appendix B; ``model.with_baths(baths)`` (or ``steady_state(model, baths)``) makes the ``SpinChain``.

    chain = TiltedIsing(n_spins=6, theta=jnp.pi / 4, lam=0.01, h=1.0)
    ness = steady_state(chain, EdgeBaths(temperatures=(1.5, 0.5), c=(1.0, 1.0), d=(1.0, 1.0)))
"""

from __future__ import annotations

from collections.abc import Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._validation import is_concrete
from ._bath import ConstantSpectrum, SpinBath, _spin_operator
from ._chain import SpinChain
from ._operators import SIGMA_X, SIGMA_Z


class AbstractSpinModel(eqx.Module):
    """A chain Hamiltonian H_S of Eq. 1 without its baths: fields ``n_spins``, ``lam`` (lambda) and ``h``.

    Subclasses give ``alpha`` (3, 3) and ``bath_operator`` (2, 2), the edge-bath coupling X of the paper's
    form of the model; ``with_baths`` builds the ``SpinChain`` (where every value is validated).
    """

    def __check_init__(self):
        n = self.n_spins
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise ValueError(f"`n_spins` must be an integer number of spins >= 2, got {n!r}.")
        for name in ("lam", "h"):
            value = getattr(self, name)
            if is_concrete(value) and not (np.isfinite(value) and value != 0):
                raise ValueError(f"`{name}` must be finite and != 0, got {value!r}.")

    @property
    def alpha(self):
        raise NotImplementedError

    @property
    def bath_operator(self):
        raise NotImplementedError

    def with_baths(self, baths: EdgeBaths | Sequence[SpinBath]) -> SpinChain:
        """The ``SpinChain`` of this Hamiltonian with ``EdgeBaths`` (coupled through ``bath_operator``
        unless they name their own) or any sequence of ``SpinBath``."""
        if isinstance(baths, EdgeBaths):
            baths = baths.build(self.n_spins, self.h, self.bath_operator)
        elif isinstance(baths, SpinBath) or not isinstance(baths, Sequence):
            raise ValueError(
                f"`baths` must be spins.EdgeBaths(...) or a sequence of spins.SpinBath, got {type(baths).__name__}."
            )
        return SpinChain(self.n_spins, self.alpha, self.lam, self.h, baths)


class SpinModel(AbstractSpinModel):
    """Eq. 1 with any real symmetric alpha_jk (rows and columns x, y, z) and edge baths through ``bath_operator``
    (sigma^x by default)."""

    n_spins: int = eqx.field(static=True)
    alpha_matrix: jnp.ndarray
    lam: float
    h: float = 1.0
    operator: jnp.ndarray = eqx.field(default_factory=lambda: jnp.asarray(SIGMA_X))

    @property
    def alpha(self):
        return jnp.asarray(self.alpha_matrix)

    @property
    def bath_operator(self):
        return jnp.asarray(self.operator)


class TiltedIsing(AbstractSpinModel):
    """Tilted-field Ising chain in the field frame (Ishida-Sugita Eq. 104-110).

        H = h sum sigma^z_l + lambda sum sigma^z'_l sigma^z'_{l+1},  sigma^z' = cos(theta) sigma^z - sin(theta) sigma^x,

    i.e. alpha_zz = cos^2, alpha_zx = alpha_xz = -cos sin, alpha_xx = sin^2; edge baths couple through
    sigma^z' (Appendix B). theta = pi/2 is the transverse Ising model (flat profile), theta = 0 a classical
    Ising chain (no steady state is reached: sigma^z' = sigma^z flips no spin).
    """

    n_spins: int = eqx.field(static=True)
    theta: float
    lam: float
    h: float = 1.0

    @property
    def alpha(self):
        c, s = jnp.cos(self.theta), jnp.sin(self.theta)
        zero = jnp.zeros_like(c)
        return jnp.stack([jnp.stack([s * s, zero, -c * s]), jnp.stack([zero] * 3), jnp.stack([-c * s, zero, c * c])])

    @property
    def bath_operator(self):
        return jnp.cos(self.theta) * SIGMA_Z - jnp.sin(self.theta) * SIGMA_X


class XXZ(AbstractSpinModel):
    """XXZ chain, alpha = diag(1, 1, Delta); edge baths through sigma^x. Delta = 0 (XX) has no temperature
    gradient (Eq. 2)."""

    n_spins: int = eqx.field(static=True)
    delta: float
    lam: float
    h: float = 1.0

    @property
    def alpha(self):
        return jnp.diag(jnp.stack([1.0, 1.0, jnp.asarray(self.delta, dtype=float)]))

    @property
    def bath_operator(self):
        return jnp.asarray(SIGMA_X)


class XY(AbstractSpinModel):
    """XY chain, alpha = diag((1 + g)/2, (1 - g)/2, 0) with anisotropy g; edge baths through sigma^x."""

    n_spins: int = eqx.field(static=True)
    anisotropy: float
    lam: float
    h: float = 1.0

    @property
    def alpha(self):
        g = jnp.asarray(self.anisotropy, dtype=float)
        return jnp.diag(jnp.stack([(1 + g) / 2, (1 - g) / 2, jnp.zeros_like(g)]))

    @property
    def bath_operator(self):
        return jnp.asarray(SIGMA_X)


def _pair(name, value):
    if not isinstance(value, (tuple, list)) and jnp.ndim(value) == 0:
        return (value, value)
    if len(value) != 2:
        raise ValueError(f"`{name}` must be one value or a pair (left, right), got {value!r}.")
    return tuple(value)


class EdgeBaths(eqx.Module):
    """The two baths of Ishida-Sugita Appendix B on spins 0 and N - 1: each is a spin in the chain's field h
    at T_L or T_R coupled through X (the model's ``bath_operator`` unless ``operator`` is given), with its
    mean force <X>_beta (Eq. 6, ``SpinBath.mirror``) and the spectrum ``ConstantSpectrum(c, d)`` of
    Eq. B30-B33, or ``spectra`` (a pair of ``AbstractSpectrum`` or functions (omega, beta)).

    ``c`` and ``d``: one value for both baths or a pair (left, right); Fig. 4-6 use c = d = 1. Values are
    checked (T > 0, c, d >= 0, KMS) when the chain is built.
    """

    temperatures: tuple
    c: tuple = (1.0, 1.0)
    d: tuple = (1.0, 1.0)
    operator: jnp.ndarray | None = None
    spectra: tuple | None = None

    def __init__(self, temperatures=(1.5, 0.5), c=1.0, d=1.0, operator=None, spectra=None):
        temps = tuple(temperatures) if isinstance(temperatures, (tuple, list)) or jnp.ndim(temperatures) else ()
        if len(temps) != 2:
            raise ValueError(f"`temperatures` must be (T_L, T_R), got {temperatures!r}.")
        self.temperatures = temps
        self.c, self.d = _pair("c", c), _pair("d", d)
        self.operator = None if operator is None else _spin_operator("operator", operator)
        if spectra is not None:
            spectra = tuple(spectra)
            if len(spectra) != 2:
                raise ValueError(f"`spectra` must be a pair (left, right), got {len(spectra)} entries.")
        self.spectra = spectra

    def build(self, n_spins: int, field, default_operator) -> tuple[SpinBath, SpinBath]:
        """The two ``SpinBath``s on spins 0 and n_spins - 1."""
        op = default_operator if self.operator is None else self.operator
        spectra = self.spectra or tuple(ConstantSpectrum(c, d) for c, d in zip(self.c, self.d))
        return tuple(
            SpinBath.mirror(site, op, T, field, spectrum)
            for site, T, spectrum in zip((0, n_spins - 1), self.temperatures, spectra)
        )
