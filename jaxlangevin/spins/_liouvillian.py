"""The weak-coupling quantum master equation of a spin chain (Ishida-Sugita Eq. 5-19), hbar = 1.

    d rho/dt = L rho,   L = L_0 + lambda L_1 + lambda^2 (D_L + D_R)
    L_0 rho = -i [H_0, rho],  H_0 = h sum_l sigma^z_l                                  (Eq. 17, 69)
    L_1 rho = -i [H_I + sum_b <Y_b> X_b, rho]                                            (Eq. 18, 6)
    D_b rho = -[X_b, S_b rho] - [rho S_b^dagger, X_b]                                    (Eq. 7)
    S_b = sum_pq Xi_b(E_p - E_q) |p><p| X_b |q><q|,  Xi_b = Phi~_b / 2                  (Eq. 12-14, B6)

with |p> the eigenstates of the bath spin's own Zeeman term (E = +-h): the bath superoperator is local
to that spin because the spin-spin coupling is as weak as the bath coupling (Eq. 12). The imaginary
(Lamb-shift) part Psi of Xi is dropped, as in the paper (after Eq. B8).

Costs: ``apply_liouvillian`` acts with one- and two-spin operators on the (2,)*2N tensor, O(N 4^N);
``liouvillian`` materialises the (4^N, 4^N) matrix in row-major vec convention, vec(A rho B) =
(A (x) B^T) vec(rho), for the dense solver (N <= 6: 4096 rows, 270 MB).
"""

from __future__ import annotations

import jax.numpy as jnp

from ._chain import SpinChain
from ._operators import SIGMA_Z, apply_left, apply_right, bond_operator, embed


def bath_operators(chain: SpinChain, bath):
    """(X, S) of one bath, each (2, 2) on its spin (Eq. 13 with Xi = Phi~ / 2; compare Eq. B3, B9)."""
    h = chain.field
    phi = bath.spectrum(jnp.stack([jnp.zeros_like(h), 2 * h, -2 * h]), bath.beta)
    weights = 0.5 * jnp.array([[phi[0], phi[1]], [phi[2], phi[0]]])
    return bath.operator, weights * bath.operator


def local_terms(chain: SpinChain):
    """The terms of H_eff = H_0 + lambda H_1 as (operator, first site) pairs: fields, bonds, bath means."""
    lam = chain.coupling
    terms = [(chain.field * jnp.asarray(SIGMA_Z), site) for site in range(chain.n)]
    bond = lam * jnp.asarray(bond_operator(chain.alpha))
    terms += [(bond, site) for site in range(chain.n - 1)]
    terms += [(lam * b.mean * b.operator, b.site) for b in chain.baths]
    return terms


def hamiltonian(chain: SpinChain):
    """H_eff = H_0 + lambda (H_I + sum_b <Y_b> X_b) as a dense (2^N, 2^N) matrix."""
    return sum(embed(op, site, chain.n) for op, site in local_terms(chain))


def apply_dissipator(chain: SpinChain, bath, rho):
    """lambda^2 D_b rho for one bath (Eq. 7), O(4^N)."""
    x, s = bath_operators(chain, bath)
    n, site = chain.n, bath.site
    s_rho = apply_left(s, site, rho, n)
    rho_sd = apply_right(s.conj().T, site, rho, n)
    out = -apply_left(x, site, s_rho, n) + apply_right(x, site, s_rho, n)
    out = out - apply_right(x, site, rho_sd, n) + apply_left(x, site, rho_sd, n)
    return chain.coupling**2 * out


def apply_hamiltonian(chain: SpinChain, rho):
    """-i [H_eff, rho], O(N 4^N)."""
    n = chain.n
    out = jnp.zeros_like(rho)
    for op, site in local_terms(chain):
        out = out + apply_left(op, site, rho, n) - apply_right(op, site, rho, n)
    return -1j * out


def apply_liouvillian(chain: SpinChain, rho):
    """L rho for a (2^N, 2^N) rho, matrix-free: O(N 4^N) time, O(4^N) memory."""
    out = apply_hamiltonian(chain, rho)
    for bath in chain.baths:
        out = out + apply_dissipator(chain, bath, rho)
    return out


def liouvillian(chain: SpinChain):
    """The dense (4^N, 4^N) Liouvillian acting on row-major vec(rho) = rho.reshape(-1)."""
    n = chain.n
    d = 2**n
    eye = jnp.eye(d, dtype=complex)
    h = hamiltonian(chain)
    lv = -1j * (jnp.kron(h, eye) - jnp.kron(eye, h.T))
    for bath in chain.baths:
        x, s = (embed(op, bath.site, n) for op in bath_operators(chain, bath))
        sd = s.conj().T
        lv = lv + chain.coupling**2 * (
            -jnp.kron(x @ s, eye) + jnp.kron(s, x.T) - jnp.kron(eye, (sd @ x).T) + jnp.kron(x, sd.T)
        )
    return lv
