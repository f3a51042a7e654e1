"""The steady state of a spin chain and its observables (Ishida-Sugita Sec. IV)."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ._chain import SpinChain
from ._liouvillian import apply_dissipator, local_terms
from ._operators import SIGMA_X, SIGMA_Y, SIGMA_Z, bond_operator, expectation, reduced

# rho^A_{l,m} = sigma^x sigma^x + sigma^y sigma^y on neighbours (Eq. 79)
_RHO_A = np.kron(SIGMA_X, SIGMA_X) + np.kron(SIGMA_Y, SIGMA_Y)
_EYE2 = np.eye(2)


class SpinSteadyState(eqx.Module):
    """rho with L rho = 0, Tr rho = 1, and what the paper measures on it.

    Attributes:
        rho: (2^N, 2^N) Hermitian density matrix (basis of ``jaxlangevin.spins`` operators: site 0 first,
            spin up first).
        chain: the ``SpinChain`` it belongs to.
        residual: ||L rho||_F / (lambda^2 ||rho||_F), the leftover relative to the bath rates.
        solver: name of the solver; stats: its iteration counts, if any.
    """

    rho: jnp.ndarray
    chain: SpinChain
    residual: jnp.ndarray
    solver: str = eqx.field(static=True)
    stats: dict

    def expect(self, op, first_site: int):
        """Re Tr(rho O) for a (2^k, 2^k) operator O on spins first_site .. first_site + k - 1."""
        return expectation(self.rho, jnp.asarray(op), first_site, self.chain.n)

    @property
    def sigma_z(self):
        """(N,) <sigma^z_l>."""
        return jnp.stack([self.expect(SIGMA_Z, site) for site in range(self.chain.n)])

    @property
    def polarization(self):
        """(N,) t_l = -<sigma^z_l> = tanh(beta_l h) (Eq. 100): the local state in the weak-coupling limit."""
        return -self.sigma_z

    @property
    def local_temperature(self):
        """(N,) T_l = h / artanh(t_l), the temperature of the spin's one-site Gibbs state (Eq. 100)."""
        return self.chain.field / jnp.arctanh(self.polarization)

    @property
    def energy_current(self):
        """(n_baths,) J_b = lambda^2 Tr(H_eff D_b rho): energy per unit time from bath b into the chain.

        H_eff = H_0 + lambda H_1 is the generator of the coherent part of L, so sum_b J_b = Tr(H_eff L rho)
        = 0 exactly in the steady state (CONVENTIONS sign: positive into the system). O(N 4^N).
        """
        n = self.chain.n
        out = []
        for bath in self.chain.baths:
            d_rho = apply_dissipator(self.chain, bath, self.rho)
            out.append(sum(expectation(d_rho, op, site, n) for op, site in local_terms(self.chain)))
        return jnp.stack(out)

    @property
    def bond_current(self):
        """(N - 1,) j_l: energy per unit time crossing bond (l, l+1) from left to right.

        j_l = -i lambda <[H_I(l,l+1), E_{<=l}]> with E_{<=l} the energy of spins 0..l and of the bonds
        between them (fields, bath means, bonds): d<E_{<=l}>/dt = (bath input) - j_l. In the steady state
        j_l = J_L for l >= 1 exactly; j_0 = J_L - lambda^3 Tr(H_I(0,1) D_L rho), the energy the left bath
        exchanges directly with the first bond (zero for the tilted Ising chain, not in general).
        """
        chain, n = self.chain, self.chain.n
        lam = chain.coupling
        bond = lam * jnp.asarray(bond_operator(chain.alpha))
        onsite = {site: chain.field * jnp.asarray(SIGMA_Z) for site in range(n)}
        for b in chain.baths:
            onsite[b.site] = onsite[b.site] + lam * b.mean * b.operator
        out = []
        for bond_index in range(n - 1):
            if bond_index == 0:
                left = jnp.kron(onsite[0], _EYE2)
                right = bond
                sites = (0, 1)
            else:
                left = jnp.kron(jnp.kron(_EYE2, onsite[bond_index]) + bond, _EYE2)
                right = jnp.kron(_EYE2, bond)
                sites = (bond_index - 1, bond_index, bond_index + 1)
            comm = right @ left - left @ right
            r = reduced(self.rho, sites, n)
            out.append(jnp.real(-1j * jnp.trace(r @ comm)))
        return jnp.stack(out)

    @property
    def three_body(self):
        """((N-2,), (N-2,)): <sigma^z_{l-1} rho^A_{l,l+1}> and <rho^A_{l-1,l} sigma^z_{l+1}> (Eq. 151-152),
        for the middle spins l = 1 .. N-2 (0-based)."""
        n = self.chain.n
        z_a = [self.expect(np.kron(SIGMA_Z, _RHO_A), m - 1) for m in range(1, n - 1)]
        a_z = [self.expect(np.kron(_RHO_A, SIGMA_Z), m - 1) for m in range(1, n - 1)]
        return jnp.asarray(z_a).reshape(-1), jnp.asarray(a_z).reshape(-1)

    @property
    def eq150(self):
        """(LHS, RHS) of Ishida-Sugita Eq. 149-150, equal in the weak-coupling limit lambda -> 0.

        t_N - t_1 = (1 / alpha_+) [alpha_zz sum_l (<sigma^z_{l-1} rho^A_{l,l+1}> - <rho^A_{l-1,l} sigma^z_{l+1}>)
                                   + alpha^z_1 <rho^A_{1,2}> - alpha^z_N <rho^A_{N-1,N}>],
        with alpha^z_1, alpha^z_N the sigma^z parts of the edge baths' first-order terms <Y> X (Eq. 120);
        for the paper's mirror baths alpha^z_1 = -alpha_zz t_L, which is Eq. 150. Needs one bath on spin 0,
        one on spin N-1, and alpha_+ != 0.
        """
        chain, n = self.chain, self.chain.n
        sites = sorted(b.site for b in chain.baths)
        if sites != [0, n - 1]:
            raise ValueError(f"Eq. 150 needs one bath on spin 0 and one on spin {n - 1}; baths sit on {sites}.")
        alpha_plus = float(chain.alpha_plus)
        if alpha_plus == 0:
            raise ValueError("Eq. 150 divides by alpha_+ = alpha_xx + alpha_yy, which is 0 for this chain.")
        az = {b.site: b.mean * b.pauli_components()[3] for b in chain.baths}
        t = self.polarization
        z_a, a_z = self.three_body
        rhs = chain.alpha[2, 2] * jnp.sum(z_a - a_z)
        rhs = rhs + az[0] * self.expect(_RHO_A, 0) - az[n - 1] * self.expect(_RHO_A, n - 2)
        return t[n - 1] - t[0], rhs / alpha_plus
