"""Mysterie-check: walk every moment of a casus through a municipality's real offer.

One check, used by the pages, the API and the CLI. For every moment it asks the finder
(``loketwijzer.actions.finder.find_services``, the public action residents use) for the
moment's problem areas, from a resident's point in the municipality: the finder's own
eligibility rule and ranking decide who may use what and in which order; this module only
reads the answer. :class:`FinderAdapter` is that seam: when the finder's rule changes, the
check follows without a change here.

Per moment: the route (the finder's best ``ROUTE_SIZE`` services, with distance, channels
and independence from the moment's counterparty), a verdict with reasons
(``loketwijzer.mysterie.rules``) and data warnings. Per casus: the organisations the
resident passes (``loketten``) and the hand-offs between them.

Results are cached per data version of the finder's index, so the national comparison of
one casus is computed once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loketwijzer.actions.municipalities import normalise_code
from loketwijzer.auth import SYSTEM, Actor, actor_label, acts_for_municipality
from loketwijzer.errors import Forbidden, InvalidInput, NotFound
from loketwijzer.models import Municipality, MysterieCasus, MysterieFinding, Pc4Area
from loketwijzer.mysterie import rules
from loketwijzer.mysterie.casus import (
    COUNTERPARTIES,
    Casus,
    CasusInvalid,
    Moment,
    Problem,
    builtin_casussen,
    casus_from_data,
    parse_casus,
)
from loketwijzer.mysterie.rules import SEVERITY, VERDICTS, Judgement, Stop
from loketwijzer.mysterie.texts import Text, t

ROUTE_SIZE = 3  # services shown per moment: what a worker would hand over
INDEPENDENT_SCAN = 10  # independent services asked for per moment, nearest first
CACHE_MAX = 20_000  # casus results kept in memory (one is a few kB)
FINDING_TEXT_MAX = 2000
FINDING_ACTION_MAX = 1000
OWNER_MAX = 120
COMPARE_SCOPES = ("klasse", "alle")
COMPARE_SORTS = ("name", "population", "loketten", "hand_offs", "goed", "beter", "mis",
                 *(f"stap{i}" for i in range(1, 7)))
_PC4 = re.compile(r"^\d{4}$")


# ----------------------------------------------------------------------------- actors

CLI_ACTOR = SYSTEM  # whoever may run the command line may do everything


def can_edit(actor: Actor, municipality_code: str) -> bool:
    """May ``actor`` add casussen and findings for this municipality?"""
    return acts_for_municipality(actor, municipality_code)


def _authorise(actor: Actor, municipality_code: str) -> None:
    if not can_edit(actor, municipality_code):
        raise Forbidden(f"U mag geen casussen of bevindingen vastleggen voor gemeente "
                        f"{municipality_code}.")


# ----------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Origin:
    """Where the check stands: a resident's postcode area in the municipality."""

    municipality_code: str
    municipality_name: str
    pc4: str | None
    place: str | None
    lat: float
    lon: float
    chosen: bool  # the PC4 was asked for (else: where most residents live)

    @property
    def label(self) -> str:
        if self.pc4:
            return f"{self.pc4} {self.place}" if self.place else self.pc4
        return self.municipality_name

    def to_dict(self) -> dict[str, Any]:
        return {"municipality": self.municipality_code, "pc4": self.pc4, "place": self.place,
                "label": self.label, "lat": round(self.lat, 5), "lon": round(self.lon, 5),
                "chosen": self.chosen}


@dataclass(frozen=True)
class StepResult:
    moment: Moment
    route: tuple[Stop, ...]
    chosen: Stop | None  # where the resident goes: the first of the route (see loketten)
    judgement: Judgement
    warnings: tuple[Text, ...]

    @property
    def verdict(self) -> str:
        return self.judgement.verdict

    @property
    def reasons(self) -> tuple[Text, ...]:
        return self.judgement.reasons


@dataclass(frozen=True)
class HandOff:
    """The resident is sent on: from one organisation at a moment to another at the next."""

    from_step: int
    to_step: int
    from_organisation: str
    to_organisation: str


@dataclass(frozen=True)
class CasusResult:
    casus: Casus
    steps: tuple[StepResult, ...]
    organisations: tuple[str, ...]  # distinct, in the order the resident meets them
    hand_offs: tuple[HandOff, ...]

    @property
    def loketten(self) -> int:
        return len(self.organisations)

    @property
    def counts(self) -> dict[str, int]:
        return {v: sum(1 for s in self.steps if s.verdict == v) for v in VERDICTS}

    @property
    def worst(self) -> str | None:
        return rules.worst([s.verdict for s in self.steps])

    @property
    def counterparties(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.moment.counterparty for s in self.steps
                                   if s.moment.counterparty))


@dataclass(frozen=True)
class MunicipalityCheck:
    code: str
    name: str
    province: str | None
    population: int | None
    urbanisation: int | None
    origin: Origin
    results: tuple[CasusResult, ...]
    as_of: dt.date
    data_version: tuple = field(default=(), compare=False)

    def result(self, casus_id: str) -> CasusResult:
        for result in self.results:
            if result.casus.id == casus_id:
                return result
        raise NotFound(f"Casus '{casus_id[:60]}' bestaat niet.", code="unknown_casus")

    def worst_steps(self) -> list[tuple[CasusResult, StepResult]]:
        """Every moment, the worst verdicts first (``mis``, then ``beter``), in casus order
        within a verdict."""
        pairs = [(r, s) for r in self.results for s in r.steps]
        order = {r.casus.id: i for i, r in enumerate(self.results)}
        return sorted(pairs, key=lambda p: (-SEVERITY[p[1].verdict], order[p[0].casus.id],
                                            p[1].moment.number))


# ----------------------------------------------------------------------------- casussen

def list_casussen(session: Session | None = None, municipality: str | None = None
                  ) -> list[Casus]:
    """The shipped casussen, plus a municipality's own ones when it is given."""
    out = list(builtin_casussen())
    if session is not None and municipality:
        out.extend(own_casussen(session, municipality))
    return out


def own_casussen(session: Session, municipality: str) -> list[Casus]:
    rows = session.scalars(select(MysterieCasus)
                           .where(MysterieCasus.municipality_code == municipality)
                           .order_by(MysterieCasus.created_at, MysterieCasus.casus_id))
    return [casus_from_data(json.loads(row.body)) for row in rows]


def get_casus(session: Session, casus_id: str, municipality: str | None = None) -> Casus:
    for casus in list_casussen(session, municipality):
        if casus.id == casus_id:
            return casus
    raise NotFound(f"Casus '{(casus_id or '')[:60]}' bestaat niet"
                   + (f" voor gemeente {municipality}." if municipality else "."),
                   code="unknown_casus")


def add_casus(session: Session, actor: Actor, data: Any, *,
              municipality: str | None = None) -> tuple[Casus, bool]:
    """Validate and store a municipality's own casus (a new one, or a new version of one
    of its own). Returns the casus and whether it was new. Raises :class:`CasusInvalid`
    with every problem (field and reason)."""
    casus, problems = parse_casus(data)
    if casus is None:
        raise CasusInvalid(problems)
    code = casus.municipality
    if municipality:
        wanted = _municipality_code(municipality)
        if code and code != wanted:
            raise CasusInvalid([Problem("gemeente", f"het bestand hoort bij {code}, niet bij "
                                        f"{wanted}", code)])
        code = wanted
    if not code:
        raise CasusInvalid([Problem("gemeente", "zeg bij welke gemeente deze casus hoort: "
                                    "het veld gemeente, of --gemeente GMxxxx")])
    if session.get(Municipality, code) is None:
        raise NotFound(f"Gemeente {code} bestaat niet (meer).", code="unknown_municipality")
    _authorise(actor, code)
    if any(c.id == casus.id for c in builtin_casussen()):
        raise CasusInvalid([Problem("id", "dit id heeft al een standaardcasus; kies een "
                                    "ander id", casus.id)])
    data = dict(casus.data, gemeente=code)
    casus, _ = parse_casus(data)
    now = dt.datetime.now().replace(microsecond=0)
    row = session.scalars(select(MysterieCasus).where(
        MysterieCasus.municipality_code == code, MysterieCasus.casus_id == casus.id)).first()
    created = row is None
    if row is None:
        row = MysterieCasus(municipality_code=code, casus_id=casus.id, created_at=now,
                            created_by=actor_label(actor)[:200])
        session.add(row)
    row.body = json.dumps(casus.data, ensure_ascii=False, sort_keys=True)
    row.updated_at = now
    session.flush()
    return casus, created


# ----------------------------------------------------------------------------- findings

@dataclass(frozen=True)
class Finding:
    id: int
    municipality_code: str
    casus_id: str
    step: int | None
    verdict: str
    text: str
    action: str | None
    owner: str
    date: dt.date
    created_by: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "casus": self.casus_id, "step": self.step,
                "verdict": self.verdict, "text": self.text, "action": self.action,
                "owner": self.owner, "date": self.date.isoformat()}


def record_finding(session: Session, actor: Actor, municipality: str, casus_id: str, *,
                   verdict: str, text: str, owner: str, date: dt.date | str | None = None,
                   action: str | None = None, step: int | str | None = None,
                   today: dt.date | None = None) -> Finding:
    """Record what a team session found about a casus (``goed``/``beter``/``mis``, free
    text, an owner and a date, optionally an improvement action and the step)."""
    code = _municipality_code(municipality)
    if session.get(Municipality, code) is None:
        raise NotFound(f"Gemeente {code} bestaat niet (meer).", code="unknown_municipality")
    _authorise(actor, code)
    casus = get_casus(session, casus_id, code)
    verdict = (verdict or "").strip().lower()
    if verdict not in VERDICTS:
        raise InvalidInput(f"Kies als oordeel {', '.join(VERDICTS)}.", code="invalid_verdict")
    text = _clean_text(text, "bevinding", FINDING_TEXT_MAX, required=True)
    action = _clean_text(action, "verbeteractie", FINDING_ACTION_MAX, required=False)
    owner = _clean_text(owner, "eigenaar", OWNER_MAX, required=True)
    today = today or dt.date.today()
    if date is None or date == "":
        when = today
    elif isinstance(date, dt.date):
        when = date
    else:
        try:
            when = dt.date.fromisoformat(str(date).strip())
        except ValueError as exc:
            raise InvalidInput("Schrijf de datum als jjjj-mm-dd, bijvoorbeeld "
                               f"{today.isoformat()}.", code="invalid_date") from exc
    if when > today:
        raise InvalidInput("De datum ligt in de toekomst. Een bevinding gaat over een "
                           "gesprek dat al is geweest.", code="invalid_date")
    number = None
    if step not in (None, ""):
        try:
            number = int(step)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= len(casus.moments):
            raise InvalidInput(f"Deze casus heeft de stappen 1 tot en met "
                               f"{len(casus.moments)}.", code="invalid_step")
    row = MysterieFinding(municipality_code=code, casus_id=casus.id, step=number,
                          verdict=verdict, text=text, action=action, owner=owner, date=when,
                          created_at=dt.datetime.now().replace(microsecond=0),
                          created_by=actor_label(actor)[:200])
    session.add(row)
    session.flush()
    return _finding(row)


def list_findings(session: Session, municipality: str, casus_id: str | None = None
                  ) -> list[Finding]:
    query = select(MysterieFinding).where(MysterieFinding.municipality_code == municipality)
    if casus_id:
        query = query.where(MysterieFinding.casus_id == casus_id)
    rows = session.scalars(query.order_by(MysterieFinding.date.desc(),
                                          MysterieFinding.id.desc()))
    return [_finding(row) for row in rows]


def _finding(row: MysterieFinding) -> Finding:
    return Finding(id=row.id, municipality_code=row.municipality_code, casus_id=row.casus_id,
                   step=row.step, verdict=row.verdict, text=row.text, action=row.action,
                   owner=row.owner, date=row.date, created_by=row.created_by)


def _clean_text(value: str | None, name: str, limit: int, *, required: bool) -> str | None:
    text = (value or "").replace("\x00", "").strip()
    if not text:
        if required:
            raise InvalidInput(f"Vul de {name} in.", code=f"missing_{_slug(name)}")
        return None
    if len(text) > limit:
        raise InvalidInput(f"De {name} is te lang: {len(text)} tekens, hooguit {limit}.",
                           code=f"{_slug(name)}_too_long")
    return text


def _slug(name: str) -> str:
    return {"bevinding": "text", "verbeteractie": "action", "eigenaar": "owner"}.get(name, name)


# ----------------------------------------------------------------------------- where

def _municipality_code(code: str) -> str:
    """A municipality code from a URL or a command; anything malformed is simply not found."""
    try:
        return normalise_code(code)
    except InvalidInput as exc:
        raise NotFound(exc.message, code="unknown_municipality") from exc


def _municipality(session: Session, code: str) -> Municipality:
    code = _municipality_code(code)
    row = session.get(Municipality, code)
    if row is None:
        raise NotFound(f"Gemeente {code} bestaat niet (meer).", code="unknown_municipality")
    return row


def resolve_origin(session: Session, municipality: Municipality, pc4: str | None = None
                   ) -> Origin:
    """The point the check starts from: the given PC4 (it must lie in the municipality),
    else the municipality's PC4 area where most residents live."""
    if pc4 not in (None, ""):
        pc4 = str(pc4).strip()
        if not _PC4.match(pc4):
            raise InvalidInput("Een postcodegebied is 4 cijfers, bijvoorbeeld 1012.",
                               code="invalid_pc4")
        area = session.get(Pc4Area, pc4)
        if area is None or area.municipality_code != municipality.code:
            raise InvalidInput(f"Postcodegebied {pc4} ligt niet in {municipality.name}. "
                               "Kies een postcode in deze gemeente.", code="pc4_elsewhere")
        return Origin(municipality.code, municipality.name, area.code, area.place_name,
                      area.lat, area.lon, chosen=True)
    area = session.scalars(
        select(Pc4Area).where(Pc4Area.municipality_code == municipality.code)
        .order_by(func.coalesce(Pc4Area.population, 0).desc(), Pc4Area.code)).first()
    if area is not None:
        return Origin(municipality.code, municipality.name, area.code, area.place_name,
                      area.lat, area.lon, chosen=False)
    if municipality.lat is None or municipality.lon is None:
        raise NotFound(f"Van {municipality.name} is geen plek bekend.", code="no_location")
    return Origin(municipality.code, municipality.name, None, None, municipality.lat,
                  municipality.lon, chosen=False)


def check_origin(session: Session, municipality: str, pc4: str | None = None) -> Origin:
    """A municipality chosen by code ("GM0363", "0363") or by name ("Amsterdam"), and
    the origin of its check (for the choice form of the start page)."""
    text = (municipality or "").strip()[:120]
    try:
        row = _municipality(session, text)
    except NotFound:
        row = session.scalars(select(Municipality).where(
            func.lower(Municipality.name) == text.lower())).first()
        if row is None:
            raise NotFound(f"Gemeente '{text[:60]}' kennen we niet. Kies een gemeente uit "
                           "de lijst.", code="unknown_municipality") from None
    return resolve_origin(session, row, pc4)


def pc4_choices(session: Session, code: str) -> list[tuple[str, str | None]]:
    """The municipality's PC4 areas with their place names (for the origin choice)."""
    rows = session.execute(select(Pc4Area.code, Pc4Area.place_name)
                           .where(Pc4Area.municipality_code == code).order_by(Pc4Area.code))
    return [(c, p) for c, p in rows]


_origins: dict[tuple, dict[str, Origin]] = {}
_origins_lock = threading.Lock()


def _default_origins(session: Session, scope: tuple) -> dict[str, Origin]:
    """Every municipality's default origin, read in two queries once per data version."""
    with _origins_lock:
        cached = _origins.get(scope)
    if cached is not None:
        return cached
    best: dict[str, tuple] = {}
    for row in session.execute(select(Pc4Area.code, Pc4Area.municipality_code,
                                      Pc4Area.population, Pc4Area.place_name, Pc4Area.lat,
                                      Pc4Area.lon).where(Pc4Area.municipality_code.is_not(None))):
        current = best.get(row.municipality_code)
        if current is None or ((row.population or 0), -int(row.code)) > (
                (current.population or 0), -int(current.code)):
            best[row.municipality_code] = row
    out = {}
    for code, name, lat, lon in session.execute(select(Municipality.code, Municipality.name,
                                                       Municipality.lat, Municipality.lon)):
        area = best.get(code)
        if area is not None:
            out[code] = Origin(code, name, area.code, area.place_name, area.lat, area.lon,
                               chosen=False)
        elif lat is not None and lon is not None:
            out[code] = Origin(code, name, None, None, lat, lon, chosen=False)
    with _origins_lock:
        _origins.clear()
        _origins[scope] = out
    return out


# ----------------------------------------------------------------------------- the finder

class FinderAdapter:
    """The finder's public action, asked once per origin and set of problem areas.

    Two questions per moment: the finder's best services (the route), and its independent
    services nearest first (is there independent help to visit?). The finder decides
    eligibility and order; ``_stop`` only reshapes its answer.
    """

    def __init__(self, session: Session, origin: Origin, *, today: dt.date,
                 stale_after_days: int) -> None:
        self.session = session
        self.origin = origin
        self.today = today
        self.stale_after_days = stale_after_days
        self._memo: dict[tuple[str, ...], tuple[list[dict], list[dict], int]] = {}

    def _find(self, areas: tuple[str, ...], **kwargs: Any) -> dict[str, Any]:
        from loketwijzer.actions.finder import find_services

        where: dict[str, Any] = ({"postcode": self.origin.pc4} if self.origin.pc4 else
                                 {"lat": self.origin.lat, "lon": self.origin.lon})
        return find_services(self.session, areas=list(areas), lang="nl", today=self.today,
                             stale_after_days=self.stale_after_days, **where, **kwargs)

    def ask(self, moment: Moment) -> tuple[list[Stop], list[Stop], int]:
        key = tuple(sorted(moment.areas))
        if key not in self._memo:
            route = self._find(key, limit=ROUTE_SIZE)
            independent = self._find(key, independent=True, sort="distance",
                                     limit=INDEPENDENT_SCAN)
            self._memo[key] = (route["results"], independent["results"],
                               int(independent.get("total") or 0))
        route, independent, total = self._memo[key]
        return ([_stop(r, moment.counterparty) for r in route],
                [_stop(r, moment.counterparty) for r in independent], total)


def _stop(result: dict[str, Any], counterparty: str | None) -> Stop:
    organization = result.get("organization") or result.get("name") or ""
    return Stop(
        service_id=result["id"], name=result.get("name") or "", organization=organization,
        provider_type=result.get("provider_type") or "other",
        independent=bool(result.get("independent")),
        counterparty=rules.belongs_to(
            counterparty, provider_type=result.get("provider_type") or "",
            residents_only=bool(result.get("residents_only")), name=result.get("name") or "",
            organization=organization),
        distance_km=result.get("distance_km"), remote=bool(result.get("remote")),
        approximate=bool(result.get("approximate")), channels=tuple(result.get("channels")
                                                                    or ()),
        phone=result.get("phone"), website=result.get("website"),
        address=result.get("address"), postal_code=result.get("postal_code"),
        city=result.get("city"), lat=result.get("lat"), lon=result.get("lon"),
        last_checked=result.get("last_checked"),
        stale=bool(result.get("stale")) and result.get("last_checked") is not None,
        location_label=result.get("location_label"),
    )


# ----------------------------------------------------------------------------- the check

_cache: OrderedDict[tuple, CasusResult] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
    with _origins_lock:
        _origins.clear()


def _scope(session: Session) -> tuple:
    """The data version the finder works on (its index is rebuilt when it changes)."""
    from loketwijzer.finder_index import get_index

    index = get_index(session)
    return (session.get_bind().url.render_as_string(hide_password=True), index.version)


def _cached(key: tuple) -> CasusResult | None:
    with _cache_lock:
        result = _cache.get(key)
        if result is not None:
            _cache.move_to_end(key)
        return result


def _store(key: tuple, result: CasusResult) -> None:
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > CACHE_MAX:
            _cache.popitem(last=False)


def run_casus(adapter: FinderAdapter, casus: Casus) -> CasusResult:
    """One casus for one origin: a verdict per moment, and the path between loketten.

    Where the resident goes at a moment is the route's first service, unless the
    organisation of the previous moment is on the route too: then the resident can stay
    there, and no hand-off is counted.
    """
    steps: list[StepResult] = []
    organisations: list[str] = []
    hand_offs: list[HandOff] = []
    previous: tuple[int, str] | None = None
    for moment in casus.moments:
        route, independent, total = adapter.ask(moment)
        judgement = rules.judge(route, independent, independent_total=total,
                                counterparty=moment.counterparty, urgency=moment.urgency)
        chosen = None
        if route:
            chosen = next((s for s in route if previous and s.label == previous[1]), route[0])
            if chosen.label not in organisations:
                organisations.append(chosen.label)
            if previous and previous[1] != chosen.label:
                hand_offs.append(HandOff(previous[0], moment.number, previous[1],
                                         chosen.label))
            previous = (moment.number, chosen.label)
        steps.append(StepResult(moment=moment, route=tuple(route), chosen=chosen,
                                judgement=judgement, warnings=rules.warnings(route)))
    return CasusResult(casus=casus, steps=tuple(steps), organisations=tuple(organisations),
                       hand_offs=tuple(hand_offs))


def _check(session: Session, origin: Origin, casussen: Sequence[Casus], *, today: dt.date,
           stale_after_days: int, scope: tuple | None = None) -> list[CasusResult]:
    scope = scope or _scope(session)
    adapter = FinderAdapter(session, origin, today=today, stale_after_days=stale_after_days)
    out = []
    for casus in casussen:
        key = (scope, origin.municipality_code, origin.pc4, origin.lat, origin.lon,
               casus.fingerprint, today, stale_after_days)
        result = _cached(key)
        if result is None:
            result = run_casus(adapter, casus)
            _store(key, result)
        out.append(result)
    return out


def check_municipality(session: Session, code: str, *, pc4: str | None = None,
                       casus_id: str | None = None, today: dt.date | None = None,
                       stale_after_days: int = 365) -> MunicipalityCheck:
    """Every casus (the shipped ones and the municipality's own), or just ``casus_id``,
    walked through the offer of municipality ``code`` from ``pc4`` (or the postcode area
    where most residents live). Unknown municipality or casus: :class:`NotFound`."""
    municipality = _municipality(session, code)
    origin = resolve_origin(session, municipality, pc4)
    casussen = list_casussen(session, municipality.code)
    if casus_id is not None:
        casussen = [get_casus(session, casus_id, municipality.code)]
    today = today or dt.date.today()
    scope = _scope(session)
    results = _check(session, origin, casussen, today=today,
                     stale_after_days=stale_after_days, scope=scope)
    return MunicipalityCheck(
        code=municipality.code, name=municipality.name, province=municipality.province_name,
        population=municipality.population, urbanisation=municipality.urbanisation,
        origin=origin, results=tuple(results), as_of=today, data_version=scope[1])


# ----------------------------------------------------------------------------- comparison

@dataclass(frozen=True)
class CompareRow:
    code: str
    name: str
    province: str | None
    population: int | None
    urbanisation: int | None
    origin: Origin
    result: CasusResult
    is_self: bool

    def value(self, key: str) -> Any:
        if key in ("name", "population"):
            return getattr(self, key)
        if key == "loketten":
            return self.result.loketten
        if key == "hand_offs":
            return len(self.result.hand_offs)
        if key in VERDICTS:
            return self.result.counts[key]
        if key.startswith("stap"):
            number = int(key[4:])
            steps = self.result.steps
            return SEVERITY[steps[number - 1].verdict] if number <= len(steps) else None
        raise KeyError(key)


@dataclass(frozen=True)
class Comparison:
    casus: Casus
    municipality: str  # the municipality the comparison was asked for
    scope: str
    urbanisation: int | None
    rows: tuple[CompareRow, ...]
    sort: str
    order: str
    as_of: dt.date

    @property
    def averages(self) -> dict[str, float | None]:
        def mean(values: list[float]) -> float | None:
            return round(sum(values) / len(values), 2) if values else None

        return {
            "loketten": mean([r.result.loketten for r in self.rows]),
            "hand_offs": mean([len(r.result.hand_offs) for r in self.rows]),
            **{v: mean([r.result.counts[v] for r in self.rows]) for v in VERDICTS},
        }


def check_compare_args(scope: str | None, sort: str | None, order: str | None
                       ) -> tuple[str, str, str]:
    scope = (scope or "klasse").strip().lower()
    if scope not in COMPARE_SCOPES:
        raise InvalidInput("Vergelijk met 'klasse' (even stedelijke gemeenten) of 'alle'.",
                           code="invalid_scope")
    sort = (sort or "name").strip().lower()
    if sort not in COMPARE_SORTS:
        raise InvalidInput(f"Sorteren op '{sort[:20]}' kan niet. Kies uit: "
                           f"{', '.join(COMPARE_SORTS)}.", code="invalid_sort")
    order = (order or "asc").strip().lower()
    if order not in ("asc", "desc"):
        raise InvalidInput("Kies 'asc' (oplopend) of 'desc' (aflopend).", code="invalid_order")
    return scope, sort, order


def compare_casus(session: Session, code: str, casus_id: str, *, scope: str | None = None,
                  sort: str | None = None, order: str | None = None,
                  today: dt.date | None = None, stale_after_days: int = 365,
                  progress: Callable[[int, int], None] | None = None) -> Comparison:
    """One casus across every municipality of the same CBS urbanisation class as ``code``
    (``scope='klasse'``), or across all municipalities (``'alle'``). Each municipality is
    checked from its own default origin; results are cached per data version."""
    scope, sort, order = check_compare_args(scope, sort, order)
    me = _municipality(session, code)
    casus = get_casus(session, casus_id, me.code)
    today = today or dt.date.today()
    query = select(Municipality).order_by(Municipality.name)
    if scope == "klasse":
        query = query.where(Municipality.urbanisation == me.urbanisation) \
            if me.urbanisation is not None else query.where(Municipality.code == me.code)
    municipalities = list(session.execute(query.with_only_columns(
        Municipality.code, Municipality.name, Municipality.province_name,
        Municipality.population, Municipality.urbanisation)))
    data_scope = _scope(session)
    origins = _default_origins(session, data_scope)
    rows = []
    for i, m in enumerate(municipalities):
        origin = origins.get(m.code)
        if origin is None:
            continue
        result = _check(session, origin, [casus], today=today,
                        stale_after_days=stale_after_days, scope=data_scope)[0]
        rows.append(CompareRow(m.code, m.name, m.province_name, m.population, m.urbanisation,
                               origin, result, m.code == me.code))
        if progress:
            progress(i + 1, len(municipalities))
    return Comparison(casus=casus, municipality=me.code, scope=scope,
                      urbanisation=me.urbanisation, rows=tuple(_sorted(rows, sort, order)),
                      sort=sort, order=order, as_of=today)


def _sorted(rows: list[CompareRow], sort: str, order: str) -> list[CompareRow]:
    present = [r for r in rows if r.value(sort) is not None]
    missing = [r for r in rows if r.value(sort) is None]
    if sort == "name":
        present.sort(key=lambda r: r.name.casefold(), reverse=order == "desc")
    else:
        present.sort(key=lambda r: (r.value(sort), r.name.casefold()), reverse=order == "desc")
    return present + missing


# ----------------------------------------------------------------------------- as data

Render = Callable[[Text], str]


def dutch(text: Text) -> str:
    return text.render()


def moment_to_dict(moment: Moment, lang: str = "nl") -> dict[str, Any]:
    cp = COUNTERPARTIES.get(moment.counterparty or "")
    deadline = None
    if moment.deadline:
        deadline = {"text": moment.deadline.text.get(lang), "days": moment.deadline.days,
                    "source": moment.deadline.source}
    return {
        "number": moment.number,
        "title": moment.title.get(lang),
        "situation": moment.situation.get(lang),
        "need": moment.need.get(lang),
        "areas": list(moment.areas),
        "counterparty": moment.counterparty,
        "counterparty_label": (cp.label_en if lang == "en" else cp.label) if cp else None,
        "urgency": moment.urgency,
        "deadline": deadline,
        "good_outcome": moment.good_outcome.get(lang),
    }


def casus_to_dict(casus: Casus, lang: str = "nl") -> dict[str, Any]:
    return {
        "id": casus.id,
        "title": casus.title.get(lang),
        "persona": casus.persona.get(lang),
        "own": casus.own,
        "municipality": casus.municipality,
        "steps": [moment_to_dict(m, lang) for m in casus.moments],
        "questions": [q.get(lang) for q in casus.questions],
        "sources": list(casus.sources),
    }


def stop_to_dict(stop: Stop) -> dict[str, Any]:
    return {
        "service_id": stop.service_id,
        "name": stop.name,
        "organization": stop.organization,
        "provider_type": stop.provider_type,
        "independent": stop.independent_of_counterparty,
        "counterparty": stop.counterparty,
        "distance_km": stop.distance_km,
        "remote": stop.remote,
        "approximate": stop.approximate,
        "channels": list(stop.channels),
        "phone": stop.phone,
        "website": stop.website,
        "last_checked": stop.last_checked,
    }


def result_to_dict(result: CasusResult, lang: str = "nl", render: Render = dutch
                   ) -> dict[str, Any]:
    casus = result.casus
    steps = []
    for step in result.steps:
        item = moment_to_dict(step.moment, lang)
        item.update({
            "route": [stop_to_dict(s) for s in step.route],
            "chosen": step.chosen.service_id if step.chosen else None,
            "verdict": step.verdict,
            "rule": step.judgement.rule,
            "reasons": [render(r) for r in step.reasons],
            "reason_codes": [r.code for r in step.reasons],
            "warnings": [render(w) for w in step.warnings],
        })
        steps.append(item)
    return {
        "id": casus.id,
        "title": casus.title.get(lang),
        "own": casus.own,
        "loketten": result.loketten,
        "organisations": list(result.organisations),
        "hand_offs": [{"from_step": h.from_step, "to_step": h.to_step,
                       "from": h.from_organisation, "to": h.to_organisation}
                      for h in result.hand_offs],
        "counterparties": list(result.counterparties),
        "verdicts": result.counts,
        "worst": result.worst,
        "steps": steps,
    }


def check_to_dict(check: MunicipalityCheck, lang: str = "nl", render: Render = dutch
                  ) -> dict[str, Any]:
    return {
        "municipality": {"code": check.code, "name": check.name, "province": check.province,
                         "population": check.population, "urbanisation": check.urbanisation},
        "origin": check.origin.to_dict(),
        "as_of": check.as_of.isoformat(),
        "near_km": rules.NEAR_KM,
        "note": render(t("warn_known")),
        "casussen": [result_to_dict(r, lang, render) for r in check.results],
    }


def iter_steps(check: MunicipalityCheck) -> Iterator[tuple[CasusResult, StepResult]]:
    for result in check.results:
        for step in result.steps:
            yield result, step


__all__ = [
    "CLI_ACTOR",
    "Actor",
    "CasusResult",
    "CompareRow",
    "Comparison",
    "FinderAdapter",
    "Finding",
    "MunicipalityCheck",
    "Origin",
    "StepResult",
    "add_casus",
    "can_edit",
    "check_compare_args",
    "check_municipality",
    "check_to_dict",
    "clear_cache",
    "compare_casus",
    "get_casus",
    "list_casussen",
    "list_findings",
    "record_finding",
    "result_to_dict",
    "run_casus",
]
