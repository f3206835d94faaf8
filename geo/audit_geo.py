"""Vectorised geometry of the gap audit: who may use which help, and how far away it is.

The database is read once per data version into numpy arrays:

* *origins*: PC4 centroids with their population, grouped by municipality (a municipality
  without PC4 areas gets one origin at its own point, weighted with its population);
* *sites*: every (service, physical location) pair with a point;
* *listed*: a municipality × service matrix saying whose residents a service is meant for
  (national scope, or the municipality is named in the service's areas).

Points are projected once to RD New (EPSG:28992), so a distance is a plain Euclidean
distance in metres. One audit run measures, per municipality, only the sites near it
(``geo.audit_nearest``: never the dense national origins × sites matrix) plus a handful of
masked minimum and matrix-product steps; Python loops run only over the municipalities,
the 20 problem areas and the life events, never over PC4 areas, sites or services.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from pyproj import Transformer
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.audit_nearest import nearest
from loketwijzer.eligibility import REACH_KM, closed_to_others
from loketwijzer.models import (
    LISTED_STATUSES,
    PRECISION_ADDRESS,
    SCOPE_MUNICIPALITY,
    SCOPE_NATIONAL,
    Address,
    Attribute,
    Location,
    Municipality,
    Organization,
    Pc4Area,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from loketwijzer.models.stamp import data_version as offer_data_version

BANDS_KM: tuple[int, ...] = (5, 10, 20)
# Beyond the one reach of the eligibility rule, help "exists" but is not a realistic place
# to go: the jungle index then falls back to the municipality's own counter or to a phone.

# What the best available help for one resident and one problem area is.
CAT_INDEPENDENT = 0  # independent help at a physical place within REACH_KM
CAT_MUNICIPAL = 1  # no such help, but the own municipality (or a team it pays) helps
CAT_REMOTE = 2  # only independent help by phone/online, or further than REACH_KM
CAT_NONE = 3  # nothing at all
CATEGORIES = ("independent", "municipal", "remote", "none")
# Distances computed at once in the audit's second pass (origins × sites, float64): 16 MB.
CHUNK_CELLS = 2_000_000


@lru_cache(maxsize=1)
def _to_rd() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def project_rd(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees → RD New metres; missing points stay NaN."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    x, y = _to_rd().transform(lon, lat)
    x = np.where(np.isfinite(lat) & np.isfinite(lon), x, np.nan)
    y = np.where(np.isfinite(lat) & np.isfinite(lon), y, np.nan)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


@dataclass(frozen=True)
class AuditFrames:
    """Everything the audit needs, read from the database once per data version."""

    version: tuple
    area_codes: tuple[str, ...]
    municipalities: pd.DataFrame  # row i = municipality i: code, name, province, ...
    origins: pd.DataFrame  # sorted by `muni`: pc4, muni, population, x, y, lat, lon
    origin_bounds: np.ndarray  # origins of municipality i are rows bounds[i]:bounds[i+1]
    services: pd.DataFrame  # row j = service j, with quality flags and `org` (int)
    organisations: list[str]  # org int → organisation name
    sites: pd.DataFrame  # sorted by `svc`: svc, location_id, x, y, approximate, precision
    listed: np.ndarray  # (n_muni, n_svc) bool
    area_matrix: np.ndarray  # (n_svc, n_area) bool
    muni_index: dict[str, int] = field(repr=False)

    @property
    def n_muni(self) -> int:
        return len(self.municipalities)


# ----------------------------------------------------------------------------- loading

def data_version(session: Session) -> tuple:
    """The offer's data version (one stamp for every cache, see
    ``loketwijzer.models.stamp``), keyed by database."""
    bind = session.get_bind()
    url = bind.url.render_as_string(hide_password=True) if hasattr(bind, "url") else ""
    return (url, *offer_data_version(session))


def _frame(session: Session, stmt, columns: list[str]) -> pd.DataFrame:
    """A query result as a DataFrame, built column-wise from the driver's own rows.

    At national scale (300,000 tag rows) building a SQLAlchemy Row per record costs five
    times the fetch itself; the driver's tuples are taken as they are and only the columns
    whose type needs it (SQLite's 0/1 booleans, ISO date text) go through the dialect's
    own result processor, so the values are the same as through ``Result.all()``.
    """
    connection = session.connection()
    result = connection.execute(stmt)
    try:
        rows = result.cursor.fetchall()
        type_codes = [entry[1] for entry in result.cursor.description]
    finally:
        result.close()
    dialect = connection.dialect
    processors = [col.type.dialect_impl(dialect).result_processor(dialect, code)
                  for col, code in zip(stmt.selected_columns, type_codes, strict=True)]
    table = np.array(rows, dtype=object).reshape(len(rows), len(columns))
    data = {}
    for i, name in enumerate(columns):
        values = table[:, i].tolist()
        if processors[i] is not None:
            values = [processors[i](v) for v in values]
        data[name] = values
    return pd.DataFrame(data)


def load_frames(session: Session, area_codes: Sequence[str], version: tuple | None = None
                ) -> AuditFrames:
    """Read municipalities, PC4 areas and the active offer into arrays (no geometry text)."""
    area_codes = tuple(area_codes)
    munis = _frame(session, select(
        Municipality.code, Municipality.name, Municipality.province_name,
        Municipality.population, Municipality.urbanisation, Municipality.lat, Municipality.lon,
    ).order_by(Municipality.code),
        ["code", "name", "province", "population", "urbanisation", "lat", "lon"])
    muni_index = {code: i for i, code in enumerate(munis["code"])}

    pc4 = _frame(session, select(
        Pc4Area.code, Pc4Area.municipality_code, Pc4Area.population, Pc4Area.lat, Pc4Area.lon,
    ).where(Pc4Area.municipality_code.is_not(None)),
        ["pc4", "municipality_code", "population", "lat", "lon"])
    pc4["muni"] = pc4["municipality_code"].map(muni_index)
    pc4 = pc4.dropna(subset=["muni"])
    # A municipality without PC4 areas still gets one origin: its own point.
    missing = munis.index.difference(pd.Index(pc4["muni"].astype(int).unique()))
    fallback = pd.DataFrame({
        "pc4": None, "municipality_code": munis.loc[missing, "code"].to_numpy(),
        "population": munis.loc[missing, "population"].to_numpy(),
        "lat": munis.loc[missing, "lat"].to_numpy(), "lon": munis.loc[missing, "lon"].to_numpy(),
        "muni": missing.to_numpy(),
    })
    origins = pd.concat([pc4, fallback], ignore_index=True) if len(fallback) else pc4
    origins["muni"] = origins["muni"].astype(np.int64)
    origins["population"] = pd.to_numeric(origins["population"], errors="coerce").fillna(0)
    origins = origins.sort_values(["muni", "pc4"], kind="stable").reset_index(drop=True)
    origins["x"], origins["y"] = project_rd(origins["lat"].to_numpy(float),
                                            origins["lon"].to_numpy(float))
    bounds = np.searchsorted(origins["muni"].to_numpy(), np.arange(len(munis) + 1))

    services = _frame(session, select(
        Service.id, Service.name, Service.organization_id, Organization.name,
        Service.provider_type, Service.independent, Service.free, Service.walk_in,
        Service.by_appointment, Service.by_phone, Service.online, Service.residents_only,
        Service.last_checked, Service.source, Service.source_url,
    ).join(Organization, Organization.id == Service.organization_id)
        .where(Service.status.in_(LISTED_STATUSES)).order_by(Service.id),
        ["id", "name", "organization_id", "organization", "provider_type", "independent",
         "free", "walk_in", "by_appointment", "by_phone", "online", "residents_only",
         "last_checked", "source", "source_url"])
    for col in ("independent", "walk_in", "by_appointment", "by_phone", "online",
                "residents_only"):
        services[col] = services[col].fillna(False).astype(bool)
    services["free"] = services["free"].map({True: True, False: False})  # keep None
    svc_index = pd.Series(np.arange(len(services)), index=services["id"])
    org_codes, org_names = pd.factorize(services["organization_id"])
    services["org"] = org_codes
    org_labels = (services.drop_duplicates("org").set_index("org")["organization"]
                  .reindex(range(len(org_names))).fillna("").tolist())

    # Who may use a service: national scope, or the municipality is listed.
    areas = _frame(session, select(ServiceArea.service_id, ServiceArea.scope,
                                   ServiceArea.municipality_code),
                   ["service_id", "scope", "municipality_code"])
    areas["svc"] = areas["service_id"].map(svc_index)
    areas = areas.dropna(subset=["svc"])
    national = np.zeros(len(services), dtype=bool)
    national[areas.loc[areas["scope"] == SCOPE_NATIONAL, "svc"].astype(int).to_numpy()] = True
    listed = np.zeros((len(munis), len(services)), dtype=bool)
    named = areas.assign(muni=areas["municipality_code"].map(muni_index)).dropna(subset=["muni"])
    listed[named["muni"].astype(int).to_numpy(), named["svc"].astype(int).to_numpy()] = True
    listed |= national[None, :]
    services["national"] = national
    services["closed"] = _closed(services, areas)

    tags = _frame(session, select(Attribute.link_id, Attribute.value), ["service_id", "area"])
    tags["svc"] = tags["service_id"].map(svc_index)
    tags["a"] = tags["area"].map({code: i for i, code in enumerate(area_codes)})
    tags = tags.dropna(subset=["svc", "a"])
    area_matrix = np.zeros((len(services), len(area_codes)), dtype=bool)
    area_matrix[tags["svc"].astype(int).to_numpy(), tags["a"].astype(int).to_numpy()] = True

    sites = _frame(session, select(
        ServiceAtLocation.service_id, Location.id, Location.latitude, Location.longitude,
        Location.point_precision, Location.location_type, Location.municipality_code,
    ).join(Location, Location.id == ServiceAtLocation.location_id),
        ["service_id", "location_id", "lat", "lon", "precision", "location_type",
         "municipality_code"])
    sites["svc"] = sites["service_id"].map(svc_index)
    physical = sites["location_type"].fillna("physical") == "physical"
    sites = sites[physical & sites["lat"].notna() & sites["lon"].notna()
                  & sites["svc"].notna()].copy()
    sites["svc"] = sites["svc"].astype(np.int64)
    sites = sites.sort_values(["svc", "location_id"], kind="stable").reset_index(drop=True)
    sites["x"], sites["y"] = project_rd(sites["lat"].to_numpy(float),
                                        sites["lon"].to_numpy(float))
    sites["approximate"] = sites["precision"].fillna("") != PRECISION_ADDRESS
    services["remote"] = ~np.isin(np.arange(len(services)), sites["svc"].to_numpy())

    _quality_flags(session, services)
    return AuditFrames(
        version=version or (), area_codes=area_codes, municipalities=munis, origins=origins,
        origin_bounds=bounds, services=services, organisations=org_labels, sites=sites,
        listed=listed, area_matrix=area_matrix, muni_index=muni_index,
    )


def _closed(services: pd.DataFrame, areas: pd.DataFrame) -> list[bool]:
    """Closed to other municipalities' residents, per service: the one rule
    (``loketwijzer.eligibility.closed_to_others``), asked once per distinct combination
    of its inputs (a handful) instead of once per service (60,000 at national scale)."""
    svc = areas["svc"].astype(np.int64).to_numpy()
    codes, names = pd.factorize(areas["scope"], use_na_sentinel=False)
    # The set of scopes of each service as a bit mask over the distinct scope values.
    bits = np.zeros(len(services), dtype=np.int64)
    np.bitwise_or.at(bits, svc, np.left_shift(1, codes.astype(np.int64)))
    home = np.zeros(len(services), dtype=bool)
    home[svc[(areas["scope"] == SCOPE_MUNICIPALITY).to_numpy(bool)
             & areas["municipality_code"].notna().to_numpy(bool)]] = True
    answers: dict[tuple, bool] = {}
    closed = []
    for key in zip(services["residents_only"].tolist(), services["provider_type"].tolist(),
                   services["independent"].tolist(), bits.tolist(), home.tolist(),
                   strict=True):
        if key not in answers:
            residents_only, provider_type, independent, mask, has_home = key
            answers[key] = closed_to_others(
                residents_only=bool(residents_only), provider_type=provider_type,
                independent=bool(independent), has_home=has_home,
                scopes=frozenset(name for k, name in enumerate(names) if mask >> k & 1))
        closed.append(answers[key])
    return closed


def _quality_flags(session: Session, services: pd.DataFrame) -> None:
    """has_schedule / has_phone / has_address per service, from its own rows and those of
    its locations (and, for phones, its organisation). Ids are matched as arrays
    (``isin``), never iterated one by one: at national scale there are 100,000 of them."""
    links = _frame(session, select(ServiceAtLocation.service_id, ServiceAtLocation.location_id),
                   ["service_id", "location_id"])
    link_services = links["service_id"].to_numpy(object)

    def present(values: pd.Series) -> np.ndarray:
        return values.dropna().to_numpy(object)

    def via_locations(location_ids: pd.Series) -> np.ndarray:
        """Services offered at any of these locations."""
        return link_services[links["location_id"].isin(present(location_ids)).to_numpy(bool)]

    addressed = _frame(session, select(Address.location_id).distinct(), ["location_id"])
    with_address = via_locations(addressed["location_id"])

    schedules = _frame(session, select(Schedule.service_id, Schedule.location_id),
                       ["service_id", "location_id"])
    # The help list gives opening hours as the source's words, not as schedule rows.
    worded = _frame(session, select(Service.id).where(
        Service.opening_hours.is_not(None), Service.opening_hours != ""), ["id"])
    with_schedule = np.concatenate([present(schedules["service_id"]),
                                    via_locations(schedules["location_id"]),
                                    present(worded["id"])])

    phones = _frame(session, select(Phone.service_id, Phone.organization_id, Phone.location_id),
                    ["service_id", "organization_id", "location_id"])
    by_organisation = services["organization_id"].isin(present(phones["organization_id"]))
    with_phone = np.concatenate([present(phones["service_id"]),
                                 via_locations(phones["location_id"]),
                                 services["id"].to_numpy(object)[by_organisation.to_numpy(bool)]])

    ids = services["id"]
    services["has_address"] = ids.isin(with_address).to_numpy()
    services["has_schedule"] = ids.isin(with_schedule).to_numpy()
    services["has_phone"] = ids.isin(with_phone).to_numpy()


_CACHE: dict[tuple, AuditFrames] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4


def frames_for(session: Session, area_codes: Sequence[str]) -> AuditFrames:
    """The frames of the current data version, read again only when the data changed."""
    version = (*data_version(session), tuple(area_codes))
    with _CACHE_LOCK:
        frames = _CACHE.get(version)
    if frames is not None:
        return frames
    frames = load_frames(session, area_codes, version)
    with _CACHE_LOCK:
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[version] = frames
    return frames


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


# ----------------------------------------------------------------------------- computing

@dataclass
class AuditArrays:
    """Audit figures of a set of municipalities; rows follow ``muni`` (global indices)."""

    muni: np.ndarray  # (m,) indices into frames.municipalities
    area_codes: tuple[str, ...]
    bands_km: tuple[int, ...]
    reach_km: float
    # municipality × area
    services: np.ndarray
    independent: np.ndarray
    free: np.ndarray
    walk_in: np.ndarray
    remote_only: np.ndarray  # independent help by phone/online only, open to residents
    own: np.ndarray  # meant for this municipality (municipality or region scope)
    national: np.ndarray
    nearby: np.ndarray  # other municipalities' open help within reach
    stale: np.ndarray
    share: dict[int, np.ndarray]  # km → population share within that distance
    mean_km: np.ndarray  # population-weighted mean distance (NaN: no independent help)
    max_km: np.ndarray
    approximate: np.ndarray  # origins whose nearest independent help is an approximate point
    origins: np.ndarray  # (m,) number of origins (PC4 areas)
    population: np.ndarray  # (m,) summed origin population
    category_share: np.ndarray  # (m, n_area, 4) population share per best-help category
    # municipality totals (distinct services, any area)
    services_total: np.ndarray
    independent_total: np.ndarray
    # municipality × life event
    event_codes: tuple[str, ...]
    jungle: np.ndarray  # population-weighted mean number of organisations
    jungle_max: np.ndarray
    # data quality of the records meant for the municipality (not national ones)
    local: np.ndarray  # (m, n_svc) bool
    quality: dict[str, np.ndarray]  # total, stale, no_schedule, no_phone, no_address → (m,)
    # origin level (for maps and detail): rows are `origin_rows` of frames.origins
    origin_rows: np.ndarray
    origin_seg: np.ndarray  # origin → row in `muni`
    distance_km: np.ndarray  # (o, n_area) nearest independent physical help, inf if none
    nearest_site: np.ndarray  # (o, n_area) site index or -1
    best_org: np.ndarray  # (o, n_area) organisation chosen by the jungle rule, -1 if none
    category: np.ndarray  # (o, n_area)
    stale_flags: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, bool))
    available: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0), bool))


def _origin_rows(frames: AuditFrames, muni: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the origins of ``muni`` (in order) and the first row of each municipality."""
    begins = frames.origin_bounds[muni]
    counts = frames.origin_bounds[muni + 1] - begins
    starts = (np.cumsum(counts) - counts).astype(np.int64)
    rows = np.arange(counts.sum()) - np.repeat(starts, counts) + np.repeat(begins, counts)
    return rows.astype(np.int64), starts


def _segment_sum(values: np.ndarray, starts: np.ndarray, n_rows: int) -> np.ndarray:
    if n_rows == 0:
        return np.zeros((len(starts), *values.shape[1:]))
    return np.add.reduceat(values, starts, axis=0)


def _first_org(rows: np.ndarray, columns: np.ndarray, area_matrix: np.ndarray,
               svc_org: np.ndarray) -> np.ndarray:
    """Per municipality and area: the organisation of the first service (lowest index)
    that is in ``rows`` (municipality × service) and one of the ``columns`` (bool per
    service); only those columns are ever looked at."""
    out = np.full((rows.shape[0], area_matrix.shape[1]), -1, dtype=np.int64)
    for a in range(area_matrix.shape[1]):
        cols = np.flatnonzero(columns & area_matrix[:, a])
        if cols.size == 0:
            continue
        hit = rows[:, cols]
        out[:, a] = np.where(hit.any(axis=1), svc_org[cols[hit.argmax(axis=1)]], -1)
    return out


# Rows of municipalities per matrix product in _count_per_area (a few MB at a time).
COUNT_ROWS = 64


def _count_per_area(rows: np.ndarray, columns: np.ndarray | None,
                    area_matrix: np.ndarray) -> np.ndarray:
    """Per municipality and area: how many services in ``rows`` (municipality × service),
    and among the ``columns`` (bool per service, None: all), carry that area.

    A float matrix product (BLAS; numpy's integer product is a slow loop) over blocks of
    rows. Every partial sum is a whole number below the number of services; below 2**24
    float32 holds all of them exactly, so the counts are exact and cast back unchanged."""
    dtype = np.float32 if rows.shape[1] < 2**24 else np.float64
    # Services outside ``columns`` get an all-zero row: they add nothing to any count.
    areas = (area_matrix if columns is None else area_matrix & columns[:, None]).astype(dtype)
    out = np.zeros((rows.shape[0], area_matrix.shape[1]), dtype=np.int32)
    for r in range(0, rows.shape[0], COUNT_ROWS):
        out[r:r + COUNT_ROWS] = (rows[r:r + COUNT_ROWS].astype(dtype) @ areas).astype(np.int32)
    return out


def distinct_per_row(values: np.ndarray) -> np.ndarray:
    """Number of distinct non-negative values per row (−1 stands for 'nobody')."""
    if values.shape[1] == 0:
        return np.zeros(values.shape[0], dtype=np.int64)
    s = np.sort(values, axis=1)
    new = np.ones_like(s, dtype=bool)
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    return ((s >= 0) & new).sum(axis=1)


def stale_mask(last_checked: pd.Series, as_of: dt.date, stale_after_days: int) -> np.ndarray:
    """True for records never dated or not checked within ``stale_after_days``."""
    cutoff = pd.Timestamp(as_of - dt.timedelta(days=stale_after_days))
    checked = pd.to_datetime(last_checked, errors="coerce")
    return (checked.isna() | (checked < cutoff)).to_numpy()


def compute(
    frames: AuditFrames,
    codes: Sequence[str] | None = None,
    *,
    events: Sequence[tuple[str, Sequence[str]]] = (),
    as_of: dt.date | None = None,
    stale_after_days: int = 365,
    bands_km: Sequence[int] = BANDS_KM,
    reach_km: float = REACH_KM,
    chunk_cells: int = CHUNK_CELLS,
    search_km: float | None = None,
) -> AuditArrays:
    """The audit of ``codes`` (all municipalities when None), fully vectorised.

    ``search_km`` (at least the reach) only sets how wide the first distance pass looks
    (see ``geo.audit_nearest``); it never changes a result, and the tests use a huge one to get
    the plain all-sites computation."""
    as_of = as_of or dt.date.today()
    if codes is None:
        muni = np.arange(frames.n_muni, dtype=np.int64)
    else:
        muni = np.array(sorted(frames.muni_index[c] for c in codes), dtype=np.int64)
    n_m, n_a = len(muni), len(frames.area_codes)
    svc = frames.services
    sites = frames.sites
    A = frames.area_matrix
    indep = svc["independent"].to_numpy(bool)
    closed_svc = svc["closed"].to_numpy(bool)
    remote = svc["remote"].to_numpy(bool)
    national = svc["national"].to_numpy(bool)
    svc_org = svc["org"].to_numpy(np.int64)
    stale = stale_mask(svc["last_checked"], as_of, stale_after_days)

    rows, starts = _origin_rows(frames, muni)
    n_o = len(rows)
    seg = np.repeat(np.arange(n_m), np.diff(np.append(starts, n_o)))
    o = frames.origins
    pop = o["population"].to_numpy(float)[rows]
    tot = _segment_sum(pop, starts, n_o)
    # Without any population figures every origin counts the same.
    weight = np.where(tot[seg] > 0, pop, 1.0)
    wtot = _segment_sum(weight, starts, n_o)

    site_svc = sites["svc"].to_numpy(np.int64)
    n_s = len(site_svc)
    site_approx = sites["approximate"].to_numpy(bool)
    near = nearest(frames, muni, rows, starts, indep=indep, closed_svc=closed_svc,
                    national=national, reach_km=reach_km, search_km=search_km,
                    chunk_cells=chunk_cells)
    dist_ind, near_ind = near.dist_ind, near.near_ind
    near_mun, available = near.near_mun, near.available

    # Population shares within each band, mean and max distance, approximate points.
    share = {}
    for km in bands_km:
        within = (dist_ind <= km) * weight[:, None]
        share[int(km)] = _segment_sum(within, starts, n_o) / wtot[:, None]
    finite = np.isfinite(dist_ind)
    reached_w = _segment_sum(finite * weight[:, None], starts, n_o)
    dist_sum = _segment_sum(np.where(finite, dist_ind, 0.0) * weight[:, None], starts, n_o)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_km = np.where(reached_w > 0, dist_sum / reached_w, np.nan)
    if n_o:
        max_km = np.maximum.reduceat(np.where(finite, dist_ind, -np.inf), starts, axis=0)
        max_km = np.where(np.isfinite(max_km), max_km, np.nan)
    else:
        max_km = np.full((n_m, n_a), np.nan)
    approx_o = (near_ind >= 0) & site_approx[np.maximum(near_ind, 0)] if n_s else finite
    approximate = _segment_sum(approx_o.astype(np.int64), starts, n_o)

    # Which services each municipality's residents can use (from the streaming pass).
    listed = frames.listed[muni]
    nearby = available & ~listed

    def per_area(rows: np.ndarray, columns: np.ndarray | None = None) -> np.ndarray:
        return _count_per_area(rows, columns, A)

    free = svc["free"].eq(True).to_numpy(bool)
    walk_in = svc["walk_in"].to_numpy(bool)
    tagged = A.any(axis=1)

    # Best available help per origin and area (the jungle rule), lowest priority first.
    org_site = svc_org[site_svc] if n_s else np.zeros(0, np.int64)
    best_org = np.full((n_o, n_a), -1, dtype=np.int64)
    category = np.full((n_o, n_a), CAT_NONE, dtype=np.int8)
    if n_s:
        far = near_ind >= 0
        best_org = np.where(far, org_site[np.maximum(near_ind, 0)], best_org)
        category = np.where(far, CAT_REMOTE, category)
    remote_org = _first_org(listed, remote & indep, A, svc_org)[seg]
    best_org = np.where(remote_org >= 0, remote_org, best_org)
    category = np.where(remote_org >= 0, CAT_REMOTE, category)
    mun_remote = _first_org(listed, remote & ~indep, A, svc_org)[seg]
    best_org = np.where(mun_remote >= 0, mun_remote, best_org)
    category = np.where(mun_remote >= 0, CAT_MUNICIPAL, category)
    if n_s:
        mun_any = near_mun >= 0
        best_org = np.where(mun_any, org_site[np.maximum(near_mun, 0)], best_org)
        category = np.where(mun_any, CAT_MUNICIPAL, category)
        ind_near = dist_ind <= reach_km
        best_org = np.where(ind_near, org_site[np.maximum(near_ind, 0)], best_org)
        category = np.where(ind_near, CAT_INDEPENDENT, category)
    category_share = np.stack([
        _segment_sum((category == c) * weight[:, None], starts, n_o) / wtot[:, None]
        for c in range(len(CATEGORIES))
    ], axis=-1)

    area_pos = {code: i for i, code in enumerate(frames.area_codes)}
    event_codes = tuple(code for code, _ in events)
    jungle = np.full((n_m, len(events)), np.nan)
    jungle_max = np.zeros((n_m, len(events)), dtype=np.int64)
    for e, (_code, event_areas) in enumerate(events):
        cols = [area_pos[a] for a in event_areas if a in area_pos]
        count = distinct_per_row(best_org[:, cols])
        jungle[:, e] = _segment_sum(count * weight, starts, n_o) / wtot
        if n_o:
            jungle_max[:, e] = np.maximum.reduceat(count, starts)

    local = listed & ~national[None, :]
    flags = {
        "total": np.ones(len(svc), bool),
        "stale": stale,
        "no_schedule": ~svc["has_schedule"].to_numpy(bool),
        "no_phone": ~svc["has_phone"].to_numpy(bool),
        "no_address": ~svc["has_address"].to_numpy(bool),
    }
    quality = {k: (local & v[None, :]).sum(axis=1) for k, v in flags.items()}

    return AuditArrays(
        muni=muni, area_codes=frames.area_codes, bands_km=tuple(int(b) for b in bands_km),
        reach_km=reach_km,
        services=per_area(available), independent=per_area(available, indep),
        free=per_area(available, free), walk_in=per_area(available, walk_in),
        remote_only=per_area(available, remote & indep),
        own=per_area(listed, ~national), national=per_area(listed, national),
        nearby=per_area(nearby), stale=per_area(available, stale),
        share=share, mean_km=mean_km, max_km=max_km, approximate=approximate,
        origins=np.diff(np.append(starts, n_o)), population=tot,
        category_share=category_share,
        services_total=(available & tagged).sum(axis=1),
        independent_total=(available & tagged & indep).sum(axis=1),
        event_codes=event_codes, jungle=jungle, jungle_max=jungle_max,
        local=local, quality=quality,
        origin_rows=rows, origin_seg=seg, distance_km=dist_ind, nearest_site=near_ind,
        best_org=best_org, category=category, stale_flags=stale, available=available,
    )


# ----------------------------------------------------------------------------- shapes

_SHAPES: dict[tuple, object] = {}


def municipality_geojson(session: Session, tolerance: float = 0.002) -> dict[str, dict]:
    """Every municipality's boundary as a simplified GeoJSON geometry (for the choropleth).

    Simplified once per data version (about 200 m): the 342 polygons shrink to a size a
    phone can draw, without visible change at country scale.
    """
    import geopandas as gpd
    import shapely
    from shapely.geometry import mapping

    key = ("municipalities", data_version(session), tolerance)
    if key not in _SHAPES:
        rows = session.execute(select(Municipality.code, Municipality.boundary)
                               .where(Municipality.boundary.is_not(None))).all()
        geoms = shapely.from_geojson([r[1] for r in rows], on_invalid="ignore")
        gdf = gpd.GeoSeries(geoms, index=[r[0] for r in rows], crs="EPSG:4326")
        gdf = gdf[gdf.notna() & ~gdf.is_empty].simplify(tolerance, preserve_topology=True)
        # Coordinates on a 0.001° grid (~100 m): short numbers, a much smaller page.
        gdf = gpd.GeoSeries(shapely.set_precision(gdf.values, tolerance / 2), index=gdf.index)
        if len(_SHAPES) > 8:
            _SHAPES.clear()
        _SHAPES[key] = {code: mapping(g) for code, g in gdf.items()}
    return _SHAPES[key]  # type: ignore[return-value]


def pc4_shapes(session: Session, municipality_code: str):
    """The PC4 boundaries of one municipality as a GeoDataFrame (for its distance map)."""
    import geopandas as gpd
    import shapely

    rows = session.execute(select(Pc4Area.code, Pc4Area.boundary)
                           .where(Pc4Area.municipality_code == municipality_code,
                                  Pc4Area.boundary.is_not(None))).all()
    geoms = shapely.from_geojson([r[1] for r in rows], on_invalid="ignore") if rows else []
    gdf = gpd.GeoDataFrame({"pc4": [r[0] for r in rows]}, geometry=list(geoms),
                           crs="EPSG:4326")
    if len(gdf):
        gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
        gdf["geometry"] = shapely.set_precision(
            gdf.geometry.simplify(0.0002, preserve_topology=True).values, 0.0001)
    return gdf
