"""The distance pass of the gap audit: nearest help per origin and area, and who may use
what, without the dense origins × sites matrix and without approximating anything.

At national scale (4,000 PC4 origins × 50,000 sites) measuring every pair costs seconds
and, at once, gigabytes. Per municipality only the *candidate* sites are measured: those
in the box around its origins widened by the search radius (at least the reach), plus the
municipal help meant for it (its own, at any distance). A site outside the box is farther
than the search radius from every origin, so within that radius the minimum (and the
lowest site index among equal minima) over the candidates is the one over all sites. The
few origins whose nearest independent help lies beyond the radius are measured again
against all sites of that area, in chunks of at most ``chunk_cells`` distances. Municipal
help and "open help within reach" never look beyond the reach: no second pass for them.

Every distance, in either pass, comes from ``_d2``, so equal inputs give bit-equal
distances and the result is the one of the all-sites computation (the tests compare both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from loketwijzer.eligibility import may_use

if TYPE_CHECKING:
    from geo.audit_geo import AuditFrames

# A site outside a municipality's box is this much beyond the search radius (metres), far
# more than any rounding of a squared distance, so no outside site can tie with a
# candidate within the radius.
BOX_MARGIN_M = 1.0


@dataclass(frozen=True)
class Nearest:
    """What the distance pass finds per origin and area, and per municipality."""

    dist_ind: np.ndarray  # (o, n_area) km to the nearest independent physical help, inf
    near_ind: np.ndarray  # (o, n_area) that site, -1 if none
    near_mun: np.ndarray  # (o, n_area) nearest municipal help the resident may use, -1
    available: np.ndarray  # (m, n_svc) services the municipality's residents may use


def _d2(ox: np.ndarray, oy: np.ndarray, sx: np.ndarray, sy: np.ndarray,
        approx: np.ndarray) -> np.ndarray:
    """Squared RD distances (origins × sites), +1 m² for an approximate point: on equal
    distance a known address wins."""
    d2 = (ox[:, None] - sx[None, :]) ** 2 + (oy[:, None] - sy[None, :]) ** 2
    d2[~np.isfinite(d2)] = np.inf
    d2 += approx[None, :]
    return d2


def _argmin_rows(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row the first column of the minimum and that minimum (ties: lowest column)."""
    j = sub.argmin(axis=1)
    return j, sub[np.arange(sub.shape[0]), j]


def _km(best: np.ndarray, ok: np.ndarray) -> np.ndarray:
    return np.where(ok, np.sqrt(np.where(ok, best, 0.0)) / 1000.0, np.inf)


def nearest(frames: AuditFrames, muni: np.ndarray, rows: np.ndarray, starts: np.ndarray,
            *, indep: np.ndarray, closed_svc: np.ndarray, national: np.ndarray,
            reach_km: float, search_km: float | None, chunk_cells: int) -> Nearest:
    """Nearest sites for the origins ``rows`` (municipality ``i`` of ``muni`` owns rows
    ``starts[i]`` up to the next start) and each municipality's usable services."""
    sites, origins = frames.sites, frames.origins
    n_o, n_m, n_a = len(rows), len(muni), len(frames.area_codes)
    ox = origins["x"].to_numpy(float)[rows]
    oy = origins["y"].to_numpy(float)[rows]
    o_finite = np.isfinite(ox) & np.isfinite(oy)
    o_muni = muni[np.repeat(np.arange(n_m), np.diff(np.append(starts, n_o)))]
    site_svc = sites["svc"].to_numpy(np.int64)
    sx = sites["x"].to_numpy(float)
    sy = sites["y"].to_numpy(float)
    approx = sites["approximate"].to_numpy(bool).astype(float)
    n_s = len(site_svc)
    site_area = frames.area_matrix[site_svc] if n_s else np.zeros((0, n_a), bool)
    site_indep = indep[site_svc]
    site_closed = closed_svc[site_svc]
    reach2 = (reach_km * 1000.0) ** 2
    search_m = max(reach_km if search_km is None else search_km, reach_km) * 1000.0
    box = search_m + BOX_MARGIN_M
    limit2 = search_m**2
    by_x = np.argsort(sx, kind="stable")
    x_sorted = sx[by_x]

    dist_ind = np.full((n_o, n_a), np.inf)
    near_ind = np.full((n_o, n_a), -1, dtype=np.int64)
    near_mun = np.full((n_o, n_a), -1, dtype=np.int64)
    again = np.zeros((n_o, n_a), dtype=bool)  # nothing within the search radius
    available = np.zeros((n_m, len(frames.services)), dtype=bool)
    svc_d2 = np.empty(len(frames.services))
    for i in range(n_m):
        r0 = int(starts[i])
        r1 = int(starts[i + 1]) if i + 1 < n_m else n_o
        listed_row = frames.listed[muni[i]]
        svc_d2.fill(np.inf)
        fin = o_finite[r0:r1]
        if n_s and fin.any():
            c_ox, c_oy = ox[r0:r1], oy[r0:r1]
            lo = np.searchsorted(x_sorted, c_ox[fin].min() - box, side="left")
            hi = np.searchsorted(x_sorted, c_ox[fin].max() + box, side="right")
            pick = by_x[lo:hi]
            pick = pick[(sy[pick] >= c_oy[fin].min() - box)
                        & (sy[pick] <= c_oy[fin].max() + box)]
            own_site = listed_row[site_svc]
            cand = np.union1d(pick, np.flatnonzero(own_site & ~site_indep))  # sorted
            d2 = _d2(c_ox, c_oy, sx[cand], sy[cand], approx[cand])
            own = own_site[cand]
            # Help closed to others (a town hall, residents-only help) is only for residents.
            d2[:, site_closed[cand] & ~own] = np.inf
            # Municipal help counts when it is the resident's own (at any distance) or
            # another municipality's open team within reach.
            d2_mun = np.where(own[None, :] | (d2 <= reach2), d2, np.inf)
            area_c = site_area[cand]
            indep_c = site_indep[cand]
            for a in range(n_a):
                cols = np.flatnonzero(area_c[:, a] & indep_c)
                if cols.size:
                    j, best = _argmin_rows(d2[:, cols])
                    ok = best <= limit2  # no site outside the box can be this near
                    dist_ind[r0:r1, a] = _km(best, ok)
                    near_ind[r0:r1, a] = np.where(ok, cand[cols[j]], -1)
                    again[r0:r1, a] = fin & ~ok
                else:
                    again[r0:r1, a] = fin
                cols = np.flatnonzero(area_c[:, a] & ~indep_c)
                if cols.size:
                    j, best = _argmin_rows(d2_mun[:, cols])
                    near_mun[r0:r1, a] = np.where(np.isfinite(best), cand[cols[j]], -1)
            # Nearest site of each service (for who may use what); sites are sorted by
            # service, so the candidates' services come in runs.
            svc_ids, begin = np.unique(site_svc[cand], return_index=True)
            svc_d2[svc_ids] = np.minimum.reduceat(d2.min(axis=0), begin)
        available[i] = may_use(listable=True, national=national, listed=listed_row,
                               closed=closed_svc, dist_km=np.sqrt(svc_d2) / 1000.0,
                               reach_km=reach_km)

    # Origins without independent help within the search radius: all sites of the area.
    for a in range(n_a):
        todo = np.flatnonzero(again[:, a])
        cols = np.flatnonzero(site_area[:, a] & site_indep)
        if not todo.size or not cols.size:
            continue
        closed_cols = np.flatnonzero(site_closed[cols])
        step = max(1, chunk_cells // cols.size)
        for k in range(0, len(todo), step):
            r = todo[k:k + step]
            d2 = _d2(ox[r], oy[r], sx[cols], sy[cols], approx[cols])
            if closed_cols.size:
                allowed = frames.listed[np.ix_(o_muni[r], site_svc[cols[closed_cols]])]
                d2[:, closed_cols] = np.where(allowed, d2[:, closed_cols], np.inf)
            j, best = _argmin_rows(d2)
            ok = np.isfinite(best)
            dist_ind[r, a] = _km(best, ok)
            near_ind[r, a] = np.where(ok, cols[j], -1)
    return Nearest(dist_ind=dist_ind, near_ind=near_ind, near_mun=near_mun,
                   available=available)
