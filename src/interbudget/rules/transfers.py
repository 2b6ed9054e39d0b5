"""Gaps, subventions and withdrawals (METHOD.md step 2; concept §3.3.3, §1.6).

Bottom-up, level by level: G_c = N_c - R_c + sum over children (S_k - W_k);
G > 0 is a subvention from the parent, G < 0 a withdrawal of
-G x withdrawal_rate. Arrays are (n_budgets, n_years). An amount below
half a tiyn is no transfer (rules/status.py): it is set to 0 here, so every
output, status and count sees the same 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..hierarchy import REGION, RURAL
from .provenance import Stamp
from .status import no_residue

STAMP = Stamp("transfers", "§3.3.3", "withdrawal_rate", "G = N - R + children's S - W; S = max(G, 0), W = max(-G, 0) x rate")


@dataclass
class Transfers:
    gap: np.ndarray  # G (0 for the republic, which has no parent)
    subvention: np.ndarray  # S received from the parent
    withdrawal: np.ndarray  # W paid to the parent
    subventions_paid: np.ndarray  # sum of S of the children
    withdrawals_received: np.ndarray  # sum of W of the children


def _to_parents(values: np.ndarray, parents: np.ndarray, nb: int) -> np.ndarray:
    ny = values.shape[1]
    flat = (parents.astype(np.int64)[:, None] * ny + np.arange(ny)).reshape(-1)
    return np.bincount(flat, weights=values.reshape(-1), minlength=nb * ny).reshape(nb, ny)


def close_gaps(needs: np.ndarray, revenue: np.ndarray, b_level: np.ndarray, b_parent: np.ndarray, rate: float) -> Transfers:
    nb, ny = needs.shape
    gap = np.zeros((nb, ny))
    S = np.zeros((nb, ny))
    W = np.zeros((nb, ny))
    paid = np.zeros((nb, ny))
    received = np.zeros((nb, ny))
    for lvl in range(RURAL, REGION - 1, -1):
        idx = np.flatnonzero(b_level == lvl)
        if idx.size == 0:
            continue
        g = needs[idx] - revenue[idx] + (paid[idx] - received[idx])
        gap[idx] = g
        S[idx] = no_residue(np.maximum(g, 0.0))
        W[idx] = no_residue(np.maximum(-g, 0.0) * rate)
        paid += _to_parents(S[idx], b_parent[idx], nb)
        received += _to_parents(W[idx], b_parent[idx], nb)
    return Transfers(gap, S, W, paid, received)


def balance(needs: np.ndarray, revenue: np.ndarray, t: Transfers) -> np.ndarray:
    """R + S - W - sum S of children + sum W of children - N."""
    out: np.ndarray = revenue + t.subvention - t.withdrawal - t.subventions_paid + t.withdrawals_received - needs
    return out


def with_subventions(t: Transfers, subvention: np.ndarray, b_parent: np.ndarray) -> Transfers:
    """The same transfers with other subventions; what each parent pays follows."""
    nb = subvention.shape[0]
    subvention = no_residue(subvention)
    child = np.flatnonzero(b_parent >= 0)
    paid = _to_parents(subvention[child], b_parent[child], nb)
    return Transfers(t.gap, subvention, t.withdrawal, paid, t.withdrawals_received)


def pass_down(cost: np.ndarray, b_level: np.ndarray, b_parent: np.ndarray, decider_level: int) -> np.ndarray:
    """Compensation of a decision (§3.3.1): each budget's cost is added to its subvention and to
    those of the budgets above it, up to (not including) the deciding level, which pays it."""
    nb = cost.shape[0]
    extra = cost.copy()
    for lvl in range(int(b_level.max(initial=0)), decider_level + 1, -1):  # from the lowest level up
        idx = np.flatnonzero((b_level == lvl) & (b_parent >= 0))
        up = idx[b_level[b_parent[idx]] > decider_level]
        extra += _to_parents(extra[up], b_parent[up], nb)
    return extra
