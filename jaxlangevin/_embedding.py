"""Markovian embedding of baths with memory, and its exact steady state, classical and quantum.

A Drude bath (kernel gamma D exp(-D |t|)) acting on site n is the force y of one auxiliary variable,

    dy = -D y dt - gamma D v_n dt + D sqrt(2 gamma T) dW,

so (q, v, y) obeys dx = A x dt + sum_c sqrt(T_c) L_c dW_c with a constant drift A (M x M, M = 2N + the
number of Drude (bath, site) pairs) and one noise input L_c per bath (Ohmic: sqrt(2 gamma_c) / m_n on v_n;
Drude: D_c sqrt(2 gamma_c) on y_{c,n}). In the eigenbasis A = V diag(mu) V^-1, with lambda = i mu the poles
of G (lower half plane), the contribution of bath c to the stationary covariance is C_c = V X V^H with

    X_kl = Btilde_kl (-i / 2) [Q(lambda_k, T_c) + conj Q(lambda_l, T_c)] / (lambda_k - conj lambda_l),
    Btilde = V^-1 L_c L_c^T V^-H,

where Q is the thermal weight of ``jaxlangevin._quantum`` (classically Q = T: X_kl = -Btilde_kl T /
(mu_k + conj mu_l), the Lyapunov solution). This is the frequency integral int dw/(2 pi) Theta(w, T_c)
H(w) L_c L_c^T H(w)^H, H = (-i w - A)^-1, done by residues: the quantum noise spectrum of each bath is its
classical one with T replaced by Theta(w, T) = (hbar w / 2) coth(hbar w / (2 T)), which is CONVENTIONS'
"Quantum steady state" for any friction kernel.

Observables: <v_n^2> and <q_n^2> for every site (the q and v rows of the same covariance, one (2N, M) x
(M, M) product per bath and weight), and the power P_b each bath delivers: -gamma_b sum_n v_n^2 (+ a
constant) for an Ohmic bath, sum_n y_{b,n} v_n for a Drude bath. The flux is taken in Landauer form
J_b = sum_c [P_b from c at T_c - P_b from c at T_b], exact because every J_b vanishes at equal temperatures.
<q_n^2> is the potential (configurational) counterpart of the kinetic temperature: for one oscillator
k <x^2> is Panasyuk et al.'s T_x (Eq. 63). Its integrand decays as w^-4, so the Q-weight's log(cutoff)
term never reaches it (that term is proportional to L_c L_c^T, nonzero only in the rows that take noise:
v at an Ohmic site, y for a Drude bath): <q_n^2> is finite and exact at every site, Ohmic ones included
in the quantum case. A zero mode (lambda = 0: a free, unpinned translation) makes it diverge (diffusion):
+inf at every site that zero mode moves.

Cost: one eigen-decomposition O(M^3), then O(M^2 s_c + N M^2) per bath and weight. Differentiable.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ._bath.drude import DrudeBath
from ._bath.ohmic import OhmicBath


def _layout(system):
    """Static layout: for each bath, its kind and its auxiliary indices (Drude) in the state."""
    n = system.n_sites
    aux, nxt = [], 2 * n
    for b in system.baths:
        if isinstance(b, DrudeBath):
            aux.append(list(range(nxt, nxt + len(b.sites))))
            nxt += len(b.sites)
        else:
            aux.append(None)
    return aux, nxt


def drift_and_inputs(system):
    """The embedded drift A (M, M) and the noise inputs L_c (M, s_c) per unit temperature, per bath."""
    n, m = system.n_sites, system.masses
    aux, size = _layout(system)
    dtype = m.dtype
    phi = system.stiffness()
    a = jnp.zeros((size, size), dtype)
    a = a.at[:n, n:2 * n].set(jnp.eye(n, dtype=dtype))
    a = a.at[n:2 * n, :n].set(-phi / m[:, None])
    inputs = []
    for b, idx in zip(system.baths, aux):
        sites = np.asarray(b.sites)
        gam = jnp.asarray(b.gamma, dtype)
        col = jnp.zeros((size, len(sites)), dtype)
        if isinstance(b, OhmicBath):
            a = a.at[n + sites, n + sites].add(-gam / m[sites])
            col = col.at[n + sites, np.arange(len(sites))].set(jnp.sqrt(2 * gam) / m[sites])
        elif isinstance(b, DrudeBath):
            d = jnp.asarray(b.cutoff, dtype)
            y = np.asarray(idx)
            a = a.at[n + sites, y].add(1.0 / m[sites])  # m dv = ... + y
            a = a.at[y, y].add(-d)
            a = a.at[y, n + sites].add(-gam * d)
            col = col.at[y, np.arange(len(sites))].set(d * jnp.sqrt(2 * gam))
        else:  # pragma: no cover - guarded by the callers
            raise ValueError(f"no Markovian embedding for {type(b).__name__}")
        inputs.append(col)
    return a, inputs


def embedded_coefficients(system, weight_fn):
    """Per-bath contributions under each weight set.

    ``weight_fn(lam)`` -> (n_w, M): Q(lambda_k, T_w) (``jaxlangevin._quantum``). Returns
    ``(kv, kp, kv_err, kp_err, lam, kq)``: kv[w, c, n] = bath c's contribution to <v_n^2>, kp[w, c, b] = its
    contribution to the power of bath b (without an Ohmic bath's constant gamma_b T_b / m_n), absolute
    error estimates (the imaginary parts of sums that are real, plus M eps of the real parts), the poles,
    and kq[w, c, n] = bath c's contribution to <q_n^2> (+inf where a zero mode makes it diverge).
    """
    n, m = system.n_sites, system.masses
    aux, size = _layout(system)
    a, inputs = drift_and_inputs(system)
    mu, vecs = jax.lax.linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=True,
                                  enable_eigvec_derivs=True)
    vinv = jnp.linalg.inv(vecs)
    lam = 1j * mu
    den = lam[:, None] - lam.conj()[None, :]
    safe = jnp.where(den == 0, 1.0, den)
    wts = weight_fn(lam)  # (n_w, M)
    qv = vecs[:2 * n]  # position and velocity rows (2N, M)
    eps = jnp.finfo(m.dtype).eps
    # zero modes (free translation): <q^2> grows without bound at the sites they move
    free = jnp.abs(mu) <= 1e3 * eps * jnp.max(jnp.abs(mu))
    diffusive = jnp.sum(jnp.where(free[None, :], jnp.abs(vecs[:n]) ** 2, 0.0), axis=1) > 1e3 * eps
    kv, kp, ev, ep, kq = [], [], [], [], []
    for w in range(wts.shape[0]):
        pair = jnp.where(den == 0, 0.0, -0.5j * (wts[w][:, None] + wts[w].conj()[None, :]) / safe)
        kv_w, kp_w, ev_w, ep_w, kq_w = [], [], [], [], []
        for lc in inputs:
            u = vinv @ lc.astype(vinv.dtype)  # (M, s_c)
            x = (u @ u.conj().T) * pair  # X (M, M)
            qvx = qv @ x  # (2N, M)
            diag = jnp.sum(qvx * qv.conj(), axis=1)  # <q_n^2>, <v_n^2> from bath c
            vx, v2 = qvx[n:], diag[n:]
            kq_w.append(jnp.where(diffusive, jnp.inf, diag[:n].real))
            powers = []
            for b, idx in zip(system.baths, aux):
                sites = np.asarray(b.sites)
                if idx is None:
                    powers.append(-b.gamma * jnp.sum(v2[sites]))
                else:
                    cross = jnp.sum(vx[sites] * vecs[np.asarray(idx)].conj(), axis=1)  # <v_n y_{b,n}>
                    powers.append(jnp.sum(cross))
            p = jnp.stack(powers)
            kv_w.append(v2.real)
            kp_w.append(p.real)
            ev_w.append(jnp.abs(v2.imag) + size * eps * jnp.abs(v2.real))
            ep_w.append(jnp.abs(p.imag) + size * eps * jnp.abs(p.real))
        kv.append(jnp.stack(kv_w))
        kp.append(jnp.stack(kp_w))
        ev.append(jnp.stack(ev_w))
        ep.append(jnp.stack(ep_w))
        kq.append(jnp.stack(kq_w))
    return jnp.stack(kv), jnp.stack(kp), jnp.stack(ev), jnp.stack(ep), lam, jnp.stack(kq)


def embedded_steady_state(system, hbar):
    """``negf_steady_state`` for systems with baths that have memory (classical if ``hbar`` is None)."""
    from ._initial import AtRest
    from ._negf import _bath_temperatures, _slowest_rate, _warn_result
    from ._quantum import thermal_weight, thermal_weight_derivative
    from ._solution import QuantumSteadyState, SteadyState

    temp_b = _bath_temperatures(system)
    nb = temp_b.shape[0]
    t_mean = jnp.mean(temp_b)

    def weights(lam):
        q = thermal_weight(lam, temp_b, hbar)
        return q if hbar is None else jnp.concatenate([q, thermal_weight_derivative(lam, t_mean[None], hbar)])

    kv, kp, ev, ep, lam, kq = embedded_coefficients(system, weights)
    idx = jnp.arange(nb)
    m = system.masses
    v2, v2_err = jnp.sum(kv[idx, idx], axis=0), jnp.sum(ev[idx, idx], axis=0)
    q2 = jnp.sum(kq[idx, idx], axis=0)
    own, own_err = kp[idx, idx], ep[idx, idx]  # (c, b): source c at its own temperature
    flux = jnp.sum(own, axis=0) - jnp.einsum("bcb->b", kp[:nb])
    flux_err = jnp.sum(own_err, axis=0) + jnp.einsum("bcb->b", ep[:nb])
    common = dict(flux=flux, flux_error=flux_err, slowest_relaxation_time=1.0 / _slowest_rate(lam), start=AtRest(),
                  converged=jnp.asarray(True), method="embedded-modal", position_variance=q2)
    if hbar is None:
        result = SteadyState(temperature=m * v2, temperature_error=m * v2_err, **common)
    else:
        ohmic = np.zeros(system.n_sites, bool)
        for b in system.baths:
            if isinstance(b, OhmicBath):
                ohmic[list(b.sites)] = True
        div = jnp.asarray(ohmic)
        result = QuantumSteadyState(
            site_temperature=jnp.where(div, jnp.inf, m * v2), temperature_error=jnp.where(div, 0.0, m * v2_err),
            conductance=conductance_from_powers(kp[nb]), hbar=hbar,
            divergent_sites=tuple(int(i) for i in np.nonzero(ohmic)[0]), **common)
    _warn_result(result)
    return result


def conductance_from_powers(dp):
    """dJ_b/dT_c from dP[c, b] (source c, power of b, derivative weights): J_b = sum_c [P^c_b(T_c) - P^c_b(T_b)]."""
    off = dp.T * (1 - jnp.eye(dp.shape[0], dtype=dp.dtype))  # off[b, c] = dP^c_b
    return off - jnp.diag(jnp.sum(off, axis=1))
