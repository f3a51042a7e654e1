"""Matrix-free steady state (placeholder until the GMRES solver lands)."""

from __future__ import annotations

from ._steady import AbstractSteadyStateSolver


class GMRES(AbstractSteadyStateSolver):
    """Preconditioned GMRES on apply_liouvillian (being written)."""

    def solve(self, chain):
        raise NotImplementedError("GMRES is being written")
