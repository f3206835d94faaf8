"""Turn what a resident types ("3511 AB", "Den Bosch", "Amsterdm", a map click) into a point
and a municipality, offline, from the gazetteer.

The municipality matters as much as the point: it decides which municipal counter a
resident may use. So when a place name exists in more than one municipality we only pick
one when it clearly dominates (``DOMINANCE``× the population of the next), and then still
offer the others as suggestions; otherwise we ask the resident to choose.

Online geocoding (PDOK Locatieserver) is optional, for full street addresses, behind
``Settings.allow_online``; the offline path is always the fallback.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from geo.gazetteer import Gazetteer, MunicipalityRef, PlaceRef
from geo.names import fold, without_suffix
from geo.postcode import PostcodeError, parse_postcode
from loketwijzer.errors import InvalidInput
from loketwijzer.models import PRECISION_PC4, PRECISION_PLACE, PRECISION_POSTCODE

log = logging.getLogger(__name__)

# A place name that exists in several municipalities resolves to the most populous one
# only when it has at least this many times the population of the runner-up.
DOMINANCE = 3.0
FUZZY_ACCEPT = 85  # rapidfuzz ratio from which a typo is corrected without asking
FUZZY_SUGGEST = 65  # ratio from which a name is offered as "Bedoelt u ...?"
MAX_TEXT = 120
MAX_ALTERNATIVES = 4
# Generous box around the Netherlands; the real test is the municipality boundaries.
NL_BOX = (50.70, 53.60, 3.30, 7.25)  # lat_min, lat_max, lon_min, lon_max
BORDER_TOLERANCE_KM = 2.0  # coast and border lines are generalised (about 100 m)
PDOK_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/free"
PDOK_TIMEOUT = (1.5, 2.5)

# Same precision words as stored locations use; "point" is a resident-given lat/lon.
PRECISION_POINT = "point"

_FULL_POSTCODE_IN_TEXT = re.compile(r"(?<!\d)([1-9]\d{3})\s?([A-Za-z]{2})(?![A-Za-z])")
_PC4_IN_TEXT = re.compile(r"(?<!\d)([1-9]\d{3})(?!\d)")
_POSTCODE_LIKE = re.compile(r"\s*\d[\d\s]*[A-Za-z]{0,2}\s*")
_QUALIFIED = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_PROVINCE_ABBREVIATIONS = {
    "gr": "groningen", "g": "groningen", "fr": "fryslan", "f": "fryslan",
    "friesland": "fryslan", "dr": "drenthe", "d": "drenthe", "ov": "overijssel",
    "o": "overijssel", "fl": "flevoland", "gld": "gelderland", "gl": "gelderland",
    "ge": "gelderland", "u": "utrecht", "ut": "utrecht", "nh": "noord holland",
    "zh": "zuid holland", "z": "zeeland", "zl": "zeeland", "nb": "noord brabant",
    "brabant": "noord brabant", "l": "limburg", "li": "limburg", "lb": "limburg",
}


class GeocodeError(InvalidInput):
    """A place we could not find; ``message`` is Dutch (B1), ``suggestions`` can be retried."""

    code = "unknown_location"


@dataclass(frozen=True)
class Origin:
    """Where the resident is: the start of every distance and the municipality they live in."""

    lat: float
    lon: float
    postcode: str | None
    municipality_code: str | None
    municipality_name: str | None
    label: str
    precision: str  # postcode | pc4 | place | point
    # Other places the text could mean (each one can be geocoded as it is written).
    suggestions: tuple[str, ...] = ()
    note: str | None = None  # e.g. "Groningen is ook een provincie..."

    @property
    def short_label(self) -> str:
        """What distances are measured from, in a sentence: "3511", "Utrecht", "uw plek"."""
        if self.postcode:
            return self.postcode[:4]
        if self.precision == PRECISION_POINT:
            return self.label
        return self.label.split(" (")[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "lat": round(self.lat, 5),
            "lon": round(self.lon, 5),
            "postcode": self.postcode,
            "municipality": {"code": self.municipality_code, "name": self.municipality_name},
            "label": self.label,
            "precision": self.precision,
            "suggestions": list(self.suggestions),
            "note": self.note,
        }


# -- the name index ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Candidate:
    """One name in one municipality, with the best point we have for it."""

    display: str
    lat: float
    lon: float
    municipality_code: str | None
    population: int
    is_municipality: bool


class NameIndex:
    """Folded name -> one candidate per municipality, plus the key list for fuzzy matching.

    Building only collects the keys (milliseconds); the candidates of a key are worked out
    the first time somebody searches for it and then kept.
    """

    def __init__(self, gaz: Gazetteer) -> None:
        self.gaz = gaz
        self.main = _main_places(gaz)
        self.pc4_pop = {code: (ref.population or 0) for code, ref in gaz.pc4.items()}
        self.base_names = {code: fold(without_suffix(ref.name))
                           for code, ref in gaz.municipalities.items()}
        self.folded = lru_cache(maxsize=None)(fold)
        self._cache: dict[str, list[_Candidate] | None] = {}
        known = set(gaz.place_names) | set(gaz.municipality_names)
        # "'s-Gravenhage" is also typed as "Gravenhage", "'t Zandt" as "Zandt".
        self.variants = {k[2:]: k for k in known
                         if k[:2] in {"s ", "t "} and len(k) > 5 and k[2:] not in known}
        self.keys = sorted(known | set(self.variants))
        provinces: dict[str, tuple[str, list[MunicipalityRef]]] = {}
        for ref in gaz.municipalities.values():
            if ref.province:
                provinces.setdefault(fold(ref.province), (ref.province, []))[1].append(ref)
        self.provinces: dict[str, tuple[str, list[str]]] = {}
        for key, (name, refs) in provinces.items():
            refs.sort(key=lambda r: -(r.population or 0))
            self.provinces[key] = (name, [r.name for r in refs[:5]])

    def get(self, key: str) -> list[_Candidate] | None:
        """The candidates for a folded name, most populous first; None when unknown."""
        if key in self._cache:
            return self._cache[key]
        source = self.variants.get(key, key)
        groups: dict[str | None, list] = {}
        for ref in self.gaz.place_names.get(source, ()):
            groups.setdefault(ref.municipality_code, []).append(ref)
        for code in self.gaz.municipality_names.get(source, ()):
            groups.setdefault(code, []).append(self.gaz.municipalities[code])
        candidates = [c for c in (self._candidate(code, refs) for code, refs in groups.items())
                      if c is not None]
        candidates.sort(key=lambda c: (-c.population, c.display))
        result = candidates or None
        self._cache[key] = result
        return result

    def _candidate(self, code: str | None, refs: list) -> _Candidate | None:
        return _candidate(code, refs, self.gaz, self.main, self.pc4_pop, self.base_names,
                          self.folded)


def _main_places(gaz: Gazetteer) -> dict[str, PlaceRef]:
    """The most populous GeoNames place of each municipality (its main town)."""
    best: dict[str, PlaceRef] = {}
    for refs in gaz.place_names.values():
        for ref in refs:
            if ref.kind != "place" or not ref.municipality_code:
                continue
            current = best.get(ref.municipality_code)
            if current is None or ref.population > current.population:
                best[ref.municipality_code] = ref
    return best


def build_index(gaz: Gazetteer) -> NameIndex:
    """The name index of a gazetteer (fast: candidates are worked out on first use)."""
    return NameIndex(gaz)


def _candidate(code: str | None, refs: list, gaz: Gazetteer, main: dict[str, PlaceRef],
               pc4_pop: dict[str, int], base_names: dict[str, str],
               folded: Callable[[str], str]) -> _Candidate | None:
    munis: list[MunicipalityRef] = []
    places: list[PlaceRef] = []
    pc4_places: dict[str | None, PlaceRef] = {}
    for ref in refs:
        if isinstance(ref, MunicipalityRef):
            munis.append(ref)
        elif ref.kind == "place":
            places.append(ref)
        else:
            pc4_places.setdefault(ref.pc4, ref)
    population = max((r.population for r in places), default=0)
    if pc4_places:
        population = max(population, sum(pc4_pop.get(p or "", 0) for p in pc4_places))
    if munis:
        population = max(population, munis[0].population or 0)
    if places:
        best = max(places, key=lambda r: r.population)
        lat, lon, display = best.lat, best.lon, best.name
    elif munis and code in main:
        lat, lon, display = main[code].lat, main[code].lon, munis[0].name
    elif munis and munis[0].lat is not None:
        lat, lon, display = munis[0].lat, munis[0].lon, munis[0].name
    elif pc4_places:
        best = max(pc4_places.values(), key=lambda r: pc4_pop.get(r.pc4 or "", 0))
        lat, lon, display = best.lat, best.lon, best.name
    else:
        return None
    muni = gaz.municipalities.get(code) if code else None
    if muni is not None and (munis or base_names[muni.code] == folded(display)):
        # The place is the municipality's namesake: show the official name ("Den Haag"
        # is "'s-Gravenhage", GeoNames calls it "The Hague").
        display = muni.name
    return _Candidate(display, lat, lon, code, int(population or 0), bool(munis))


def name_index(gaz: Gazetteer) -> NameIndex:
    """The gazetteer's name index, built on first use and kept with the gazetteer."""
    index = gaz.__dict__.get("_name_index")
    if index is None:
        index = build_index(gaz)
        gaz.__dict__["_name_index"] = index
    return index


# -- geocoding --------------------------------------------------------------------------------

def geocode(
    gaz: Gazetteer,
    *,
    postcode: str | None = None,
    place: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    text: str | None = None,
    allow_online: bool = False,
    online_lookup: Callable[[str], dict[str, Any] | None] | None = None,
) -> Origin:
    """Resolve one way of saying where the resident is; the first one given wins:
    ``lat``+``lon``, ``postcode``, ``place``, then the single free field ``text``.

    Raises GeocodeError (an InvalidInput: HTTP 400) with a Dutch message and suggestions.
    """
    if lat is not None or lon is not None:
        return geocode_point(gaz, lat, lon)
    if _given(postcode):
        cleaned = _clean(postcode)
        if not re.search(r"\d", cleaned):  # a town typed into the postcode box
            return geocode_text(gaz, cleaned, allow_online=allow_online,
                                online_lookup=online_lookup)
        return geocode_postcode(gaz, cleaned)
    if _given(place):
        return geocode_place(gaz, _clean(place))
    if _given(text):
        return geocode_text(gaz, _clean(text), allow_online=allow_online,
                            online_lookup=online_lookup)
    raise GeocodeError("Vul uw postcode of woonplaats in.", code="missing_location")


def _given(value: str | None) -> bool:
    return value is not None and bool(str(value).strip())


def _clean(value: str) -> str:
    text = " ".join(str(value).replace("\x00", " ").split())
    if len(text) > MAX_TEXT:
        raise GeocodeError("Dit is te lang voor een postcode of plaatsnaam. "
                           "Vul alleen uw postcode of woonplaats in.", code="location_too_long")
    return text


def geocode_text(gaz: Gazetteer, text: str, *, allow_online: bool = False,
                 online_lookup: Callable[[str], dict[str, Any] | None] | None = None) -> Origin:
    """The one search box: a postcode, a place name, or (online only) a full address."""
    if _POSTCODE_LIKE.fullmatch(text):
        return geocode_postcode(gaz, text)  # also gives the clear postcode error messages
    looks_like_address = bool(re.search(r"\d", text)) and bool(re.search(r"[A-Za-z]{3}", text))
    if allow_online and looks_like_address:
        found = _online(gaz, text, online_lookup)
        if found is not None:
            return found
    full = _FULL_POSTCODE_IN_TEXT.search(text)
    if full:
        return geocode_postcode(gaz, f"{full.group(1)} {full.group(2)}")
    pc4 = _PC4_IN_TEXT.search(text)
    if pc4:
        return geocode_postcode(gaz, pc4.group(1))
    try:
        return geocode_place(gaz, text)
    except GeocodeError as first_error:
        # "Oudegracht 12, Utrecht": without an address service, use the town.
        if "," in text:
            for part in reversed([p.strip() for p in text.split(",") if p.strip()]):
                try:
                    origin = geocode_place(gaz, part)
                except GeocodeError:
                    continue
                return _with_note(origin, "We zoeken bij de plaats. Een adres kunnen we "
                                  "alleen met een postcode vinden.")
        if allow_online and not looks_like_address:
            found = _online(gaz, text, online_lookup)
            if found is not None:
                return found
        raise first_error


def geocode_postcode(gaz: Gazetteer, text: str) -> Origin:
    """PC4 or full postcode -> the PC4 area's centre and municipality."""
    try:
        parsed = parse_postcode(text)
    except PostcodeError as exc:
        raise GeocodeError(str(exc), code="invalid_postcode") from exc
    ref = gaz.pc4.get(parsed.pc4)
    if ref is None:
        raise GeocodeError(
            f"Postcode {parsed.pc4} kennen we niet. Klopt de postcode? "
            "Kies anders een postcode die er dichtbij ligt, of vul uw woonplaats in.",
            code="unknown_postcode", suggestions=_nearest_pc4(gaz, parsed.pc4))
    muni = gaz.municipalities.get(ref.municipality_code or "")
    town = ref.place_name or (muni.name if muni else None)
    shown = parsed.full or parsed.pc4
    return Origin(
        lat=ref.lat, lon=ref.lon, postcode=shown,
        municipality_code=muni.code if muni else ref.municipality_code,
        municipality_name=muni.name if muni else None,
        label=f"{shown}, {town}" if town else shown,
        precision=PRECISION_POSTCODE if parsed.full else PRECISION_PC4,
    )


def _nearest_pc4(gaz: Gazetteer, pc4: str, n: int = 3) -> list[str]:
    """Existing PC4 codes closest in number (postcodes are numbered region by region)."""
    target = int(pc4)
    codes = sorted(gaz.pc4, key=lambda c: (abs(int(c) - target), c))[:n]
    out = []
    for code in sorted(codes):
        town = gaz.pc4[code].place_name
        out.append(f"{code} {town}" if town else code)
    return out


def geocode_place(gaz: Gazetteer, text: str) -> Origin:
    """A place or municipality name, with typos, aliases and an optional qualifier
    ("Hengelo (Gld)", "Hengelo, Bronckhorst", "Bergen NH")."""
    index = name_index(gaz)
    raw = text.strip()
    key = fold(raw)
    if key.startswith("gemeente "):
        key = key[len("gemeente "):]
    if not key:
        raise GeocodeError("Vul een plaatsnaam of postcode in, bijvoorbeeld Utrecht of 3511 AB.",
                           code="invalid_place")
    candidates = index.get(key)
    qualifier: str | None = None
    typed = gaz.spellings.get(key) or raw
    if candidates is None:
        head, qualifier = _split_qualifier(raw)
        if qualifier is not None:
            key = fold(head)
            candidates = index.get(key)
            typed = gaz.spellings.get(key) or head
    note = None
    province = index.provinces.get(key)
    if candidates is None and province is not None:
        raise GeocodeError(
            f"{province[0]} is een provincie. Vul uw woonplaats of postcode in.",
            code="province_not_place", suggestions=province[1])
    if candidates is None:
        candidates, corrected = _fuzzy(index, key, raw)
        typed = None  # a corrected typo is not worth repeating in the label
        if corrected:
            note = f"We zoeken bij {candidates[0].display}. Bedoelde u een andere plaats? " \
                   "Vul dan de postcode in."
    if qualifier is not None:
        candidates = _filter_by_qualifier(gaz, index, candidates, qualifier)
    if not candidates:
        raise GeocodeError(f"We kennen de plaats '{raw[:40]}' niet.", code="unknown_place")
    try:
        chosen, others = _choose(gaz, raw, candidates)
    except GeocodeError as exc:
        if note is None:  # typed exactly: really several places of that name
            raise
        raise GeocodeError(f"We kennen de plaats '{raw[:40]}' niet. Bedoelt u een van deze "
                           "plaatsen?", code="unknown_place", suggestions=exc.suggestions
                           ) from exc
    if province is not None and note is None:
        note = (f"{province[0]} is ook een provincie. We zoeken bij de plaats "
                f"{chosen.display}.")
    if others and note is None:
        note = (f"Er zijn meer plaatsen die {chosen.display.split(' (')[0]} heten. "
                f"We zoeken bij {_suggestion(gaz, chosen)}.")
    muni = gaz.municipalities.get(chosen.municipality_code or "")
    return Origin(
        lat=chosen.lat, lon=chosen.lon, postcode=None,
        municipality_code=chosen.municipality_code,
        municipality_name=muni.name if muni else None,
        label=_place_label(typed, chosen, muni),
        precision=PRECISION_PLACE,
        suggestions=tuple(_suggestion(gaz, c) for c in others),
        note=note,
    )


def _split_qualifier(text: str) -> tuple[str, str | None]:
    match = _QUALIFIED.match(text)
    if match and match.group(1).strip():
        return match.group(1), match.group(2)
    if "," in text:
        head, _, qual = text.rpartition(",")
        if head.strip() and qual.strip():
            return head, qual
    parts = text.rsplit(" ", 1)
    if len(parts) == 2 and fold(parts[1]) in _PROVINCE_ABBREVIATIONS:
        return parts[0], parts[1]
    return text, None


def _filter_by_qualifier(gaz: Gazetteer, index: NameIndex, candidates: list[_Candidate],
                         qualifier: str) -> list[_Candidate]:
    """Keep the candidates in the municipality or province the qualifier names."""
    qkey = fold(qualifier).removeprefix("gemeente ").removeprefix("provincie ")
    qkey = _PROVINCE_ABBREVIATIONS.get(qkey, qkey)
    codes = set(gaz.municipality_names.get(qkey, set()))
    province = index.provinces.get(qkey)
    kept = []
    for cand in candidates:
        muni = gaz.municipalities.get(cand.municipality_code or "")
        in_province = province is not None and muni is not None and \
            muni.province == province[0]
        if cand.municipality_code in codes or in_province:
            kept.append(cand)
    return kept


def _fuzzy(index: NameIndex, key: str, raw: str) -> tuple[list[_Candidate], bool]:
    """Typo tolerance: accept a clear best match, else raise with "Bedoelt u ...?"."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import DamerauLevenshtein

    if len(key) < 3:
        raise GeocodeError(f"We kennen de plaats '{raw[:40]}' niet. Vul de hele naam of uw "
                           "postcode in.", code="unknown_place")
    hits = process.extract(key, index.keys, scorer=fuzz.ratio, processor=None, limit=8,
                           score_cutoff=FUZZY_SUGGEST)
    if not hits:
        raise GeocodeError(f"We kennen de plaats '{raw[:40]}' niet. Vul uw postcode in, of "
                           "controleer hoe u de plaats schrijft.", code="unknown_place")
    # One slip (a letter missing, extra, wrong or two swapped: "Zwolel") is a typo at any
    # length from 4 letters; two slips from 8 letters.
    ranked = sorted(((DamerauLevenshtein.distance(key, name), -score, name)
                     for name, score, _ in hits))
    edits = ranked[0][0]
    best_ratio = hits[0][1]
    allowed = 2 if len(key) >= 8 else 1
    names: list[str] = []
    if len(key) >= 4 and edits <= allowed:
        names = [name for e, _, name in ranked if e == edits]
    elif len(key) >= 4 and best_ratio >= FUZZY_ACCEPT:
        names = [name for name, score, _ in hits if score >= best_ratio - 0.01]
    if names:
        # Equally close names ("haarle" and "haarlem" for "haarlme"): pool them, so the
        # population rule picks the town and offers the others.
        pooled: dict[str | None, _Candidate] = {}
        for name in names:
            for cand in index.get(name) or ():
                if cand.municipality_code not in pooled or \
                        cand.population > pooled[cand.municipality_code].population:
                    pooled[cand.municipality_code] = cand
        if not pooled:
            raise GeocodeError(f"We kennen de plaats '{raw[:40]}' niet.", code="unknown_place")
        return sorted(pooled.values(), key=lambda c: (-c.population, c.display)), True
    suggestions: list[str] = []
    for _edits, _score, name in ranked:
        found = index.get(name)
        if not found:
            continue
        display = found[0].display
        if display not in suggestions:
            suggestions.append(display)
    raise GeocodeError(f"We kennen de plaats '{raw[:40]}' niet. Bedoelt u een van deze "
                       "plaatsen?", code="unknown_place", suggestions=suggestions[:5])


def _choose(gaz: Gazetteer, raw: str, candidates: list[_Candidate]
            ) -> tuple[_Candidate, list[_Candidate]]:
    """The most populous candidate when it clearly dominates; otherwise ask."""
    if len(candidates) == 1:
        return candidates[0], []
    first, second = candidates[0], candidates[1]
    if first.population >= DOMINANCE * max(second.population, 1):
        return first, candidates[1:1 + MAX_ALTERNATIVES]
    options = [_suggestion(gaz, c) for c in candidates[:MAX_ALTERNATIVES + 1]]
    raise GeocodeError(
        f"Er zijn meer plaatsen die '{raw[:40]}' heten. Welke bedoelt u?",
        code="ambiguous_place", suggestions=options)


def _suggestion(gaz: Gazetteer, cand: _Candidate) -> str:
    """A way to write the candidate that geocodes to exactly it ("Hengelo, Bronckhorst")."""
    muni = gaz.municipalities.get(cand.municipality_code or "")
    if muni is None or cand.display == muni.name:
        return cand.display
    return f"{cand.display}, {muni.name}"


def _place_label(typed: str | None, chosen: _Candidate, muni: MunicipalityRef | None) -> str:
    label = chosen.display
    if muni is not None and fold(without_suffix(muni.name)) != fold(chosen.display) \
            and muni.name != chosen.display:
        label = f"{chosen.display} (gemeente {muni.name})"
    typed_key = fold(typed or "")
    shown_keys = {fold(chosen.display), fold(without_suffix(chosen.display))}
    if typed and typed_key not in shown_keys and not any(
            typed_key.startswith(k + " ") for k in shown_keys):
        return f"{typed} ({chosen.display})" if label == chosen.display else f"{typed} ({label})"
    return label


def _with_note(origin: Origin, note: str) -> Origin:
    from dataclasses import replace

    return replace(origin, note=note)


# -- points -----------------------------------------------------------------------------------

def geocode_point(gaz: Gazetteer, lat: Any, lon: Any) -> Origin:
    """A point (map click, phone location) inside the Netherlands -> its municipality."""
    lat_f, lon_f = _coordinate(lat, "lat"), _coordinate(lon, "lon")
    lat_min, lat_max, lon_min, lon_max = NL_BOX
    if not (lat_min <= lat_f <= lat_max and lon_min <= lon_f <= lon_max):
        raise _outside_nl()
    code = _municipality_at(gaz, lat_f, lon_f)
    if code is None:
        raise _outside_nl()
    muni = gaz.municipalities.get(code)
    name = muni.name if muni else None
    return Origin(lat=lat_f, lon=lon_f, postcode=None, municipality_code=code,
                  municipality_name=name,
                  label=f"Uw plek (gemeente {name})" if name else "Uw plek",
                  precision=PRECISION_POINT)


def _outside_nl() -> GeocodeError:
    return GeocodeError("Deze plek ligt niet in Nederland. Loketwijzer zoekt alleen hulp in "
                        "Nederland. Vul uw postcode of woonplaats in.", code="outside_nl")


def _coordinate(value: Any, axis: str) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise GeocodeError("Geef zowel de breedtegraad (lat) als de lengtegraad (lon).",
                           code="invalid_point")
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) \
            else float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise GeocodeError(f"'{str(value)[:20]}' is geen geldige {axis}-coördinaat. "
                           "Gebruik een getal, zoals 52.09 of 5.12.", code="invalid_point")
    return number


def _municipality_at(gaz: Gazetteer, lat: float, lon: float) -> str | None:
    """The municipality whose boundary holds the point; near the coast or border the nearest
    one within BORDER_TOLERANCE_KM. Without boundaries: the nearest PC4 centre (≤ 5 km)."""
    tree = _boundary_tree(gaz)
    if tree is not None:
        from shapely import Point

        strtree, codes, _geoms = tree
        point = Point(lon, lat)
        for i in strtree.query(point, predicate="intersects"):
            return codes[int(i)]
        km_per_degree = 111.0 * math.cos(math.radians(lat))
        hit = strtree.query_nearest(point, max_distance=BORDER_TOLERANCE_KM / km_per_degree)
        return codes[int(hit[0])] if len(hit) else None
    best, best_km = None, 5.0
    for ref in gaz.pc4.values():
        km = haversine_km(lat, lon, ref.lat, ref.lon)
        if km < best_km:
            best, best_km = ref.municipality_code, km
    return best


def warm_up(gaz: Gazetteer) -> None:
    """Build the name index and the boundary tree now, not during a resident's search."""
    name_index(gaz)
    _boundary_tree(gaz)


def _boundary_tree(gaz: Gazetteer):
    if not gaz.boundaries:
        return None
    cached = gaz.__dict__.get("_boundary_tree")
    if cached is None:
        from shapely import STRtree
        from shapely.geometry import shape

        codes, geoms = [], []
        for code, text in gaz.boundaries.items():
            try:
                geoms.append(shape(json.loads(text)))
            except (ValueError, TypeError, AttributeError):
                continue
            codes.append(code)
        cached = (STRtree(geoms), codes, geoms)
        gaz.__dict__["_boundary_tree"] = cached
    return cached


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


# -- online (optional) --------------------------------------------------------------------

def _online(gaz: Gazetteer, text: str,
            lookup: Callable[[str], dict[str, Any] | None] | None) -> Origin | None:
    """A full address through PDOK Locatieserver; None on any failure (offline fallback)."""
    try:
        doc = (lookup or pdok_lookup)(text)
    except Exception:  # network, JSON, anything: the offline path takes over
        log.info("PDOK lookup failed for a search", exc_info=True)
        return None
    if not doc:
        return None
    match = re.match(r"POINT\(([-0-9.]+) ([-0-9.]+)\)", doc.get("centroide_ll") or "")
    if not match:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    code = f"GM{doc['gemeentecode']}" if doc.get("gemeentecode") else None
    if code not in gaz.municipalities:
        code = _municipality_at(gaz, lat, lon)
    if code is None:
        return None
    postcode = doc.get("postcode")
    if postcode and len(postcode) == 6:
        postcode = f"{postcode[:4]} {postcode[4:]}"
    return Origin(lat=lat, lon=lon, postcode=postcode, municipality_code=code,
                  municipality_name=gaz.municipalities[code].name,
                  label=doc.get("weergavenaam") or text, precision=PRECISION_POINT)


def pdok_lookup(text: str) -> dict[str, Any] | None:
    """The best PDOK Locatieserver hit for a free-text address (short timeout)."""
    import requests

    response = requests.get(PDOK_URL, params={
        "q": text, "rows": 1,
        "fl": "weergavenaam,centroide_ll,gemeentecode,gemeentenaam,postcode,type",
        "fq": "type:(adres OR postcode OR weg OR woonplaats)",
    }, timeout=PDOK_TIMEOUT, headers={"User-Agent": "Loketwijzer/0.1"})
    response.raise_for_status()
    docs = (response.json().get("response") or {}).get("docs") or []
    return docs[0] if docs else None
