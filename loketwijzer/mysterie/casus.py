"""Casussen: a short persona and 3–6 moments of an everyday journey, as YAML data.

The schema is this module: the keys are Dutch because municipal editors write these
files (``flask --app webapp mysterie add FILE.yaml``), next to the shipped ones in
``data/casussen/``. Every text is either a plain Dutch string or ``{nl: ..., en: ...}``.

    id: huur-achterstand                # a-z, 0-9 and '-', 3 to 60 characters
    titel: {nl: ..., en: ...}
    persoon: {nl: ..., en: ...}         # who the resident is, in a few sentences
    gemeente: GM0363                    # only for a municipality's own casus
    momenten:                           # 3 to 6
      - titel: {nl: ..., en: ...}       # a short name for the moment
        wat_er_gebeurt: {nl: ..., en: ...}
        nodig: {nl: ..., en: ...}       # what the resident needs
        onderwerpen: [wonen, schulden]  # 1 to 4 problem-area codes
        tegenpartij: verhuurder         # optional: see COUNTERPARTIES
        urgentie: spoed                 # optional: spoed | snel | normaal
        termijn:                        # optional: a true deadline, with its source
          tekst: {nl: ..., en: ...}
          dagen: 42                     # optional
          bron: https://...
        goede_afloop: {nl: ..., en: ...}
    vragen:                             # 3 to 5 questions for the team session
      - {nl: ..., en: ...}
    bronnen: [https://...]              # optional: sources of other facts in the text

:func:`parse_casus` returns every problem at once, each naming the field and the reason,
so an editor can fix a file in one go.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from loketwijzer.config import DATA_DIR
from loketwijzer.errors import InvalidInput

CASUS_DIR = DATA_DIR / "casussen"
MAX_FILE_BYTES = 256 * 1024
MIN_MOMENTS, MAX_MOMENTS = 3, 6
MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
MAX_AREAS = 4
MAX_DEADLINE_DAYS = 3650
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,59}$")
MUNICIPALITY_PATTERN = re.compile(r"^GM\d{4}$")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

URGENCY_NOW = "spoed"  # days: the resident needs help this week
URGENCY_SOON = "snel"  # weeks: a deadline is running
URGENCY_NORMAL = "normaal"
URGENCIES = (URGENCY_NOW, URGENCY_SOON, URGENCY_NORMAL)

# Text limits (characters), one place for the validator and the documentation.
LIMITS = {
    "titel": 120, "persoon": 800, "moment_titel": 60, "wat_er_gebeurt": 600, "nodig": 300,
    "goede_afloop": 400, "termijn": 300, "vraag": 300, "bron": 500,
}


@dataclass(frozen=True)
class Counterparty:
    """Who the resident is up against at a moment, and how to recognise its own counters
    among the finder's results (``names``: a pattern on organisation and service name)."""

    code: str
    label: str
    label_en: str
    government: bool
    names: re.Pattern[str] | None = None


COUNTERPARTIES: dict[str, Counterparty] = {c.code: c for c in (
    Counterparty("gemeente", "Gemeente", "Municipality", True),
    Counterparty("belastingdienst", "Belastingdienst/Toeslagen", "Tax office/Benefits", True,
                 re.compile(r"belastingdienst|herstel toeslagen|\buht\b", re.IGNORECASE)),
    Counterparty("uwv", "UWV", "UWV (employee insurance agency)", True,
                 re.compile(r"\buwv\b", re.IGNORECASE)),
    Counterparty("svb", "SVB", "SVB (social insurance bank)", True,
                 re.compile(r"\bsvb\b|sociale verzekeringsbank", re.IGNORECASE)),
    Counterparty("cjib", "CJIB", "CJIB (central fine collection agency)", True,
                 re.compile(r"\bcjib\b|centraal justitieel incasso", re.IGNORECASE)),
    Counterparty("verhuurder", "Verhuurder", "Landlord", False),
    Counterparty("werkgever", "Werkgever", "Employer", False),
    Counterparty("schuldeiser", "Schuldeiser", "Creditor", False),
    Counterparty("zorgverzekeraar", "Zorgverzekeraar", "Health insurer", False,
                 re.compile(r"zorgverzekeraar", re.IGNORECASE)),
)}


@dataclass(frozen=True)
class Localized:
    """A text in Dutch and, where written, English."""

    nl: str
    en: str | None = None

    def get(self, lang: str = "nl") -> str:
        return self.en if lang == "en" and self.en else self.nl

    def lang_of(self, lang: str = "nl") -> str:
        """The language :meth:`get` answers in (pages mark Dutch text on English pages)."""
        return "en" if lang == "en" and self.en else "nl"

    def to_data(self) -> dict[str, str]:
        return {"nl": self.nl, **({"en": self.en} if self.en else {})}


@dataclass(frozen=True)
class Deadline:
    text: Localized
    source: str
    days: int | None = None


@dataclass(frozen=True)
class Moment:
    number: int  # 1-based, as people count
    title: Localized
    situation: Localized
    need: Localized
    areas: tuple[str, ...]
    counterparty: str | None
    urgency: str
    deadline: Deadline | None
    good_outcome: Localized


@dataclass(frozen=True)
class Casus:
    id: str
    title: Localized
    persona: Localized
    moments: tuple[Moment, ...]
    questions: tuple[Localized, ...]
    sources: tuple[str, ...] = ()
    municipality: str | None = None  # set for a municipality's own casus
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def own(self) -> bool:
        return self.municipality is not None

    @property
    def fingerprint(self) -> str:
        """Changes whenever the content changes (a cache key for check results)."""
        text = json.dumps(self.data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a casus file: which field, and why (Dutch, B1)."""

    field: str
    reason: str
    value: str | None = None

    def __str__(self) -> str:
        text = f"veld '{self.field}': {self.reason}"
        if self.value is not None:
            text += f" (waarde: '{self.value[:60]}')"
        return text


class CasusUnreadable(InvalidInput):
    """The file cannot be read as YAML at all (the importers' exit code 2)."""

    code = "unreadable_casus"


class CasusInvalid(InvalidInput):
    """The file was read but breaks the schema (exit code 1); ``problems`` lists why."""

    code = "invalid_casus"

    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(f"De casus klopt nog niet ({count} "
                         f"{'punt' if count == 1 else 'punten'}): "
                         + "; ".join(str(p) for p in problems[:5]))
        self.problems = problems

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["problems"] = [
            {"field": p.field, "reason": p.reason, "value": p.value} for p in self.problems]
        return body


# ----------------------------------------------------------------------------- parsing

class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, reason: str, value: Any = None) -> None:
        shown = None if value is None else str(value)
        self.problems.append(Problem(path, reason, shown))

    def keys(self, path: str, data: dict, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in data:
            if key not in allowed:
                self.add(f"{path}{key}" if path else str(key),
                         f"onbekend veld; gebruik {', '.join(sorted(allowed))}")

    def text(self, path: str, value: Any, limit: int, *, required: bool = True
             ) -> Localized | None:
        if value is None or value == "":
            if required:
                self.add(path, "verplicht veld ontbreekt")
            return None
        if isinstance(value, str):
            return self._sized(path, Localized(value.strip()), limit)
        if isinstance(value, dict):
            self.keys(f"{path}.", value, ("nl", "en"))
            nl, en = value.get("nl"), value.get("en")
            if not isinstance(nl, str) or not nl.strip():
                self.add(f"{path}.nl", "de Nederlandse tekst ontbreekt")
                return None
            if en is not None and not isinstance(en, str):
                self.add(f"{path}.en", "moet tekst zijn", en)
                en = None
            return self._sized(path, Localized(nl.strip(), (en or "").strip() or None), limit)
        self.add(path, "moet tekst zijn, of nl: en en: met tekst", type(value).__name__)
        return None

    def _sized(self, path: str, text: Localized, limit: int) -> Localized | None:
        ok = True
        for lang, value in (("nl", text.nl), ("en", text.en)):
            if value and len(value) > limit:
                self.add(f"{path}.{lang}" if text.en else path,
                         f"te lang: {len(value)} tekens, hooguit {limit}")
                ok = False
            if value and "\x00" in value:
                self.add(path, "bevat een ongeldig teken")
                ok = False
        return text if ok else None

    def url(self, path: str, value: Any) -> str | None:
        if not isinstance(value, str) or not URL_PATTERN.match(value.strip()):
            self.add(path, "moet een webadres zijn dat begint met http:// of https://", value)
            return None
        if len(value) > LIMITS["bron"]:
            self.add(path, f"te lang: hooguit {LIMITS['bron']} tekens")
            return None
        return value.strip()


def parse_casus(data: Any, *, area_codes: Iterable[str] | None = None
                ) -> tuple[Casus | None, list[Problem]]:
    """Check ``data`` (the loaded YAML) against the schema.

    Returns the casus, or None and every problem found (field and reason each).
    """
    check = _Checker()
    if not isinstance(data, dict):
        check.add("(bestand)", "het bestand moet één casus zijn: velden als id, titel, "
                  "momenten", type(data).__name__)
        return None, check.problems
    codes = set(area_codes if area_codes is not None else _area_codes())
    check.keys("", data, ("id", "titel", "persoon", "gemeente", "momenten", "vragen",
                          "bronnen"))

    casus_id = data.get("id")
    if not isinstance(casus_id, str) or not ID_PATTERN.match(casus_id):
        check.add("id", "gebruik 3 tot 60 kleine letters, cijfers of streepjes, bijvoorbeeld "
                  "'huur-achterstand'", casus_id)
    municipality = data.get("gemeente")
    if municipality is not None:
        if not isinstance(municipality, str) or not MUNICIPALITY_PATTERN.match(
                municipality.strip().upper()):
            check.add("gemeente", "gebruik een gemeentecode: GM en 4 cijfers, bijvoorbeeld "
                      "GM0363", municipality)
            municipality = None
        else:
            municipality = municipality.strip().upper()
    title = check.text("titel", data.get("titel"), LIMITS["titel"])
    persona = check.text("persoon", data.get("persoon"), LIMITS["persoon"])

    moments: list[Moment] = []
    raw_moments = data.get("momenten")
    if not isinstance(raw_moments, list):
        check.add("momenten", f"verplicht: een lijst van {MIN_MOMENTS} tot {MAX_MOMENTS} "
                  "momenten")
        raw_moments = []
    elif not MIN_MOMENTS <= len(raw_moments) <= MAX_MOMENTS:
        check.add("momenten", f"{len(raw_moments)} momenten; het moeten er {MIN_MOMENTS} "
                  f"tot {MAX_MOMENTS} zijn")
    for number, raw in enumerate(raw_moments[:MAX_MOMENTS + 1], start=1):
        moment = _parse_moment(check, f"momenten[{number}]", number, raw, codes)
        if moment is not None:
            moments.append(moment)

    questions: list[Localized] = []
    raw_questions = data.get("vragen")
    if not isinstance(raw_questions, list):
        check.add("vragen", f"verplicht: een lijst van {MIN_QUESTIONS} tot {MAX_QUESTIONS} "
                  "vragen voor het teamgesprek")
        raw_questions = []
    elif not MIN_QUESTIONS <= len(raw_questions) <= MAX_QUESTIONS:
        check.add("vragen", f"{len(raw_questions)} vragen; het moeten er {MIN_QUESTIONS} tot "
                  f"{MAX_QUESTIONS} zijn")
    for number, raw in enumerate(raw_questions[:MAX_QUESTIONS + 1], start=1):
        question = check.text(f"vragen[{number}]", raw, LIMITS["vraag"])
        if question is not None:
            questions.append(question)

    sources: list[str] = []
    raw_sources = data.get("bronnen") or []
    if not isinstance(raw_sources, list):
        check.add("bronnen", "moet een lijst van webadressen zijn")
        raw_sources = []
    for number, raw in enumerate(raw_sources, start=1):
        url = check.url(f"bronnen[{number}]", raw)
        if url:
            sources.append(url)

    if check.problems:
        return None, check.problems
    casus = Casus(
        id=casus_id, title=title, persona=persona, moments=tuple(moments),
        questions=tuple(questions), sources=tuple(sources), municipality=municipality,
        data=_canonical(data, municipality),
    )
    return casus, []


def _parse_moment(check: _Checker, path: str, number: int, raw: Any, codes: set[str]
                  ) -> Moment | None:
    if not isinstance(raw, dict):
        check.add(path, "een moment heeft velden als titel, nodig, onderwerpen")
        return None
    before = len(check.problems)
    check.keys(f"{path}.", raw, ("titel", "wat_er_gebeurt", "nodig", "onderwerpen",
                                 "tegenpartij", "urgentie", "termijn", "goede_afloop"))
    title = check.text(f"{path}.titel", raw.get("titel"), LIMITS["moment_titel"])
    situation = check.text(f"{path}.wat_er_gebeurt", raw.get("wat_er_gebeurt"),
                           LIMITS["wat_er_gebeurt"])
    need = check.text(f"{path}.nodig", raw.get("nodig"), LIMITS["nodig"])
    outcome = check.text(f"{path}.goede_afloop", raw.get("goede_afloop"),
                         LIMITS["goede_afloop"])

    areas: list[str] = []
    raw_areas = raw.get("onderwerpen")
    if isinstance(raw_areas, str):
        raw_areas = [raw_areas]
    if not isinstance(raw_areas, list) or not raw_areas:
        check.add(f"{path}.onderwerpen", f"verplicht: 1 tot {MAX_AREAS} onderwerpen, "
                  "bijvoorbeeld [schulden, wonen]")
        raw_areas = []
    elif len(raw_areas) > MAX_AREAS:
        check.add(f"{path}.onderwerpen", f"{len(raw_areas)} onderwerpen; hooguit {MAX_AREAS}")
    for i, code in enumerate(raw_areas, start=1):
        text = str(code).strip().lower() if code is not None else ""
        if text not in codes:
            check.add(f"{path}.onderwerpen[{i}]", "onbekend onderwerp; kies uit "
                      + ", ".join(sorted(codes)), code)
        elif text not in areas:
            areas.append(text)

    counterparty = raw.get("tegenpartij")
    if counterparty is not None:
        counterparty = str(counterparty).strip().lower() or None
        if counterparty is not None and counterparty not in COUNTERPARTIES:
            check.add(f"{path}.tegenpartij", "onbekende tegenpartij; kies uit "
                      + ", ".join(COUNTERPARTIES), raw.get("tegenpartij"))

    deadline = None
    raw_deadline = raw.get("termijn")
    if raw_deadline is not None:
        deadline = _parse_deadline(check, f"{path}.termijn", raw_deadline)

    urgency = raw.get("urgentie")
    if urgency is None:
        urgency = URGENCY_SOON if raw_deadline is not None else URGENCY_NORMAL
    else:
        urgency = str(urgency).strip().lower()
        if urgency not in URGENCIES:
            check.add(f"{path}.urgentie", f"kies uit {', '.join(URGENCIES)}",
                      raw.get("urgentie"))
    if len(check.problems) > before:
        return None
    return Moment(number=number, title=title, situation=situation, need=need,
                  areas=tuple(areas), counterparty=counterparty, urgency=urgency,
                  deadline=deadline, good_outcome=outcome)


def _parse_deadline(check: _Checker, path: str, raw: Any) -> Deadline | None:
    if not isinstance(raw, dict):
        check.add(path, "een termijn heeft de velden tekst, bron en (als dat kan) dagen")
        return None
    check.keys(f"{path}.", raw, ("tekst", "dagen", "bron"))
    text = check.text(f"{path}.tekst", raw.get("tekst"), LIMITS["termijn"])
    source = None
    if raw.get("bron") in (None, ""):
        check.add(f"{path}.bron", "verplicht: een termijn moet kloppen; zet erbij waar hij "
                  "staat (een webadres)")
    else:
        source = check.url(f"{path}.bron", raw.get("bron"))
    days = raw.get("dagen")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not 1 <= days <= MAX_DEADLINE_DAYS):
        check.add(f"{path}.dagen", f"een heel getal van 1 tot {MAX_DEADLINE_DAYS}", days)
        days = None
    if text is None or source is None:
        return None
    return Deadline(text=text, source=source, days=days)


def _canonical(data: dict[str, Any], municipality: str | None) -> dict[str, Any]:
    """The casus as plain data (what the database stores and the fingerprint hashes)."""
    out = json.loads(json.dumps(data, default=str))
    if municipality:
        out["gemeente"] = municipality
    return out


def _area_codes() -> tuple[str, ...]:
    from loketwijzer.taxonomy import area_codes

    return tuple(area_codes())


# ----------------------------------------------------------------------------- files

def read_yaml(path: Path) -> Any:
    """Load a casus file; :class:`CasusUnreadable` when it is missing, too large, not
    UTF-8 or not YAML."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CasusUnreadable(f"Het bestand {path} is niet te openen: "
                              f"{exc.strerror or exc}.") from exc
    if not path.is_file():
        raise CasusUnreadable(f"{path} is geen bestand.")
    if size > MAX_FILE_BYTES:
        _too_large(size)
    return read_yaml_bytes(path.read_bytes())


def _too_large(size: int) -> None:
    raise CasusUnreadable(f"Het bestand is te groot ({size // 1024} kB); een casus is "
                          f"hooguit {MAX_FILE_BYTES // 1024} kB.")


def read_yaml_bytes(data: bytes) -> Any:
    """A casus file's content (an upload, or a file read by :func:`read_yaml`)."""
    if len(data) > MAX_FILE_BYTES:
        _too_large(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CasusUnreadable("Het bestand is geen tekst in UTF-8.") from exc
    return parse_yaml_text(text)


def parse_yaml_text(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (regel {mark.line + 1}, kolom {mark.column + 1})" if mark else ""
        raise CasusUnreadable(f"Dit is geen geldige YAML{where}.") from exc


def load_casus_file(path: Path) -> Casus:
    casus, problems = parse_casus(read_yaml(path))
    if casus is None:
        raise CasusInvalid(problems)
    return casus


@lru_cache(maxsize=1)
def builtin_casussen() -> tuple[Casus, ...]:
    """The shipped casussen, in file-name order. A broken shipped file is a bug: raise."""
    out = []
    for path in sorted(CASUS_DIR.glob("*.yaml")):
        try:
            casus = load_casus_file(path)
        except CasusUnreadable as exc:
            raise CasusUnreadable(f"{path.name}: {exc}") from exc
        except CasusInvalid as exc:
            raise CasusInvalid([Problem(f"{path.name}: {p.field}", p.reason, p.value)
                                for p in exc.problems]) from exc
        if casus.own:
            raise CasusInvalid([Problem("gemeente", f"{path.name}: een standaardcasus hoort "
                                        "niet bij één gemeente")])
        out.append(casus)
    ids = [c.id for c in out]
    if len(ids) != len(set(ids)):
        raise CasusInvalid([Problem("id", "twee standaardcasussen hebben hetzelfde id")])
    return tuple(out)


def casus_from_data(data: dict[str, Any]) -> Casus:
    """A stored casus back into a :class:`Casus` (it was validated when it was added)."""
    casus, problems = parse_casus(data)
    if casus is None:
        raise CasusInvalid(problems)
    return casus
