"""The ``data`` criteria of the scan: each a function of the gap audit of a municipality
and the services its residents can use (both from ``actions.audit.audit_with_services``).

These functions only *read* figures the audit computed with its rules (who may use a
service, independence, distances, stale records, missing opening hours); they add the
thresholds of the criterion (from ``data/scan/bouwstenen.yaml``) and the evidence: the
numbers, the services concerned and the rule in words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from loketwijzer.scan.spec import STATUS_DEELS, STATUS_NIET, STATUS_ONBEKEND, STATUS_VOLDOET

MAX_EVIDENCE_SERVICES = 25  # longer lists are cut (the total is in the figures)
DUTCH = frozenset({"nl", "nld", "dut", "nederlands", "dutch"})


@dataclass(frozen=True)
class Context:
    """What a measure may read."""

    audit: Mapping[str, Any]
    services: Sequence[Mapping[str, Any]]  # in reach by the audit's rule
    core_areas: tuple[str, ...]
    languages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # service id →

    def core(self) -> list[Mapping[str, Any]]:
        by_code = {a["code"]: a for a in self.audit["areas"]}
        return [by_code[c] for c in self.core_areas if c in by_code]


@dataclass(frozen=True)
class Measured:
    status: str
    summary: str
    summary_en: str
    rule: str
    rule_en: str
    figures: dict[str, Any]
    services: tuple[dict[str, Any], ...] = ()


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100):d}%"


def _km(value: float | None, lang: str = "nl") -> str:
    if value is None:
        return "–"
    text = f"{value:.1f}"
    return (text.replace(".", ",") if lang == "nl" else text) + " km"


def _dec(value: float, lang: str = "nl") -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "nl" else text


def _label(area: Mapping[str, Any], lang: str) -> str:
    return (area.get("label_en") if lang == "en" else area.get("label")) or area["code"]


def _service_refs(services: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple({"id": s["id"], "name": s["name"], "organization": s.get("organization")}
                 for s in services[:MAX_EVIDENCE_SERVICES])


def _by_share(value: float, ok: float, part: float, *, lower_is_better: bool) -> str:
    if lower_is_better:
        return STATUS_VOLDOET if value <= ok else STATUS_DEELS if value <= part else STATUS_NIET
    return STATUS_VOLDOET if value >= ok else STATUS_DEELS if value >= part else STATUS_NIET


def _physical_independent(ctx: Context) -> list[Mapping[str, Any]]:
    return [s for s in ctx.services if s["independent"] and not s["remote"]]


# ----------------------------------------------------------------------------- Aanbod

def independent_per_area(ctx: Context, p: Mapping[str, Any]) -> Measured:
    need = float(p["share"])
    reach = ctx.audit["reach_km"]
    core = ctx.core()
    shares = {a["code"]: a["best_help"]["independent"] or 0.0 for a in core}
    short = [a for a in core if shares[a["code"]] < need]
    met = len(core) - len(short)
    status = (STATUS_ONBEKEND if not core else STATUS_VOLDOET if not short
              else STATUS_DEELS if met * 2 >= len(core) else STATUS_NIET)
    summary = (f"Bij {met} van de {len(core)} onderwerpen heeft ten minste {_pct(need)} van "
               f"de inwoners onafhankelijke hulp op een plek binnen {reach:.0f} km.")
    summary_en = (f"For {met} of {len(core)} topics at least {_pct(need)} of residents have "
                  f"independent help at a place within {reach:.0f} km.")
    if short:
        summary += " Niet bij: " + ", ".join(_label(a, "nl") for a in short) + "."
        summary_en += " Not for: " + ", ".join(_label(a, "en") for a in short) + "."
    in_reach = [s for s in _physical_independent(ctx)
                if set(s["areas"]) & set(ctx.core_areas)]
    return Measured(
        status, summary, summary_en,
        rule=(f"Voldoet: bij elk onderwerp heeft ten minste {_pct(need)} van de inwoners "
              f"onafhankelijke hulp op een plek binnen {reach:.0f} km (de regel van de "
              "gap-audit: wie mag de hulp gebruiken, onafhankelijk, afstand in rechte lijn). "
              "Deels: bij minstens de helft van de onderwerpen."),
        rule_en=(f"Met: for every topic at least {_pct(need)} of residents have independent "
                 f"help at a place within {reach:.0f} km (the gap audit's rule). Partly: for "
                 "at least half of the topics."),
        figures={"topics": len(core), "topics_met": met,
                 "share_by_topic": {k: round(v, 3) for k, v in shares.items()},
                 "services": len(in_reach)},
        services=_service_refs(in_reach))


def share_within_km(ctx: Context, p: Mapping[str, Any]) -> Measured:
    core = ctx.core()
    if not core:
        return _unknown("Geen onderwerpen gevonden.", "No topics found.")
    s5 = sum(a["share_within_km"]["5"] or 0 for a in core) / len(core)
    s10 = sum(a["share_within_km"]["10"] or 0 for a in core) / len(core)
    worst = min(core, key=lambda a: a["share_within_km"]["10"] or 0)
    status = _by_share(s10, float(p["ok"]), float(p["part"]), lower_is_better=False)
    nearest = sorted({a["nearest_help"]["organization"] for a in core if a.get("nearest_help")})
    return Measured(
        status,
        f"Gemiddeld over de onderwerpen woont {_pct(s5)} van de inwoners binnen 5 km en "
        f"{_pct(s10)} binnen 10 km van onafhankelijke hulp. Het minst bij "
        f"{_label(worst, 'nl')}: {_pct(worst['share_within_km']['10'])} binnen 10 km.",
        f"On average over the topics {_pct(s5)} of residents live within 5 km and "
        f"{_pct(s10)} within 10 km of independent help. Lowest for {_label(worst, 'en')}: "
        f"{_pct(worst['share_within_km']['10'])} within 10 km.",
        rule=(f"Voldoet: gemiddeld ten minste {_pct(p['ok'])} van de inwoners binnen 10 km "
              f"(rechte lijn vanaf het midden van hun postcodegebied, gewogen naar inwoners). "
              f"Deels: ten minste {_pct(p['part'])}."),
        rule_en=(f"Met: on average at least {_pct(p['ok'])} of residents within 10 km "
                 "(straight line from the centre of their postcode area, weighted by "
                 f"residents). Partly: at least {_pct(p['part'])}."),
        figures={"share_5": round(s5, 3), "share_10": round(s10, 3),
                 "lowest_topic": worst["code"],
                 "lowest_share_10": worst["share_within_km"]["10"]},
        services=tuple({"id": None, "name": org, "organization": org}
                       for org in nearest[:MAX_EVIDENCE_SERVICES]))


def several_locations(ctx: Context, p: Mapping[str, Any]) -> Measured:
    population = ctx.audit.get("population") or 0
    large = population >= int(p["large_population"])
    needed = int(p["large_needed"] if large else p["small_needed"])
    with_place = [s for s in _physical_independent(ctx) if s["locations_in_municipality"]]
    places = {loc for s in with_place for loc in s["locations_in_municipality"]}
    n = len(places)
    status = STATUS_VOLDOET if n >= needed else STATUS_DEELS if n else STATUS_NIET
    size = (f"een grote gemeente ({population:,} inwoners)".replace(",", ".") if large
            else f"een gemeente met {population:,} inwoners".replace(",", "."))
    return Measured(
        status,
        f"Er zijn {n} plekken met onafhankelijke hulp in de gemeente. Nodig voor {size}: "
        f"{needed}.",
        f"There are {n} places with independent help in the municipality. Needed for a "
        f"municipality of {population:,} residents: {needed}.",
        rule=(f"Voldoet: gemeenten met {int(p['large_population']):,} inwoners of meer hebben "
              f"minstens {p['large_needed']} plekken met onafhankelijke hulp in de gemeente, "
              f"kleinere minstens {p['small_needed']}. Deels: minder plekken, maar wel één."
              ).replace(",", "."),
        rule_en=(f"Met: municipalities of {int(p['large_population']):,} residents or more have "
                 f"at least {p['large_needed']} places with independent help in the "
                 f"municipality, smaller ones at least {p['small_needed']}. Partly: fewer, "
                 "but at least one."),
        figures={"population": population, "places": n, "needed": needed, "large": large},
        services=_service_refs(with_place))


# ----------------------------------------------------------------------------- Informatie

_QUALITY_WORDS = {
    "stale": ("niet gecontroleerd in de afgelopen 12 maanden", "not checked in the past "
              "12 months"),
    "no_schedule": ("zonder openingstijden", "without opening hours"),
}


def quality_share(ctx: Context, p: Mapping[str, Any]) -> Measured:
    issue = str(p["issue"])
    dq = ctx.audit["data_quality"]
    records = int(dq.get("records") or 0)
    nl, en = _QUALITY_WORDS[issue]
    rule = (f"Telt de gegevens over hulp voor deze gemeente (niet de landelijke), zoals de "
            f"datakwaliteit van de gap-audit. Voldoet: hooguit {_pct(p['ok'])} {nl}. Deels: "
            f"hooguit {_pct(p['part'])}.")
    rule_en = (f"Counts the records about help for this municipality (not national ones), as "
               f"in the gap audit's data quality. Met: at most {_pct(p['ok'])} {en}. Partly: "
               f"at most {_pct(p['part'])}.")
    if not records:
        return _unknown("Er staan geen gegevens over hulp voor deze gemeente in Loketwijzer.",
                        "Loketwijzer holds no records about help for this municipality.",
                        rule, rule_en)
    count = int(dq.get(issue) or 0)
    share = count / records
    items = [i for i in dq.get("items", []) if issue in i.get("issue_codes", [])]
    return Measured(
        _by_share(share, float(p["ok"]), float(p["part"]), lower_is_better=True),
        f"{count} van de {records} gegevens over hulp in de gemeente {nl} ({_pct(share)}).",
        f"{count} of {records} records about help in the municipality {en} ({_pct(share)}).",
        rule, rule_en, figures={"records": records, "count": count, "share": round(share, 3)},
        services=_service_refs(items))


def contact_details(ctx: Context, p: Mapping[str, Any]) -> Measured:
    dq = ctx.audit["data_quality"]
    records = int(dq.get("records") or 0)
    rule = (f"Telt de gegevens over hulp voor deze gemeente zonder adres of zonder "
            f"telefoonnummer (datakwaliteit van de gap-audit). Voldoet: hooguit "
            f"{_pct(p['ok'])}. Deels: hooguit {_pct(p['part'])}.")
    rule_en = (f"Counts the municipality's records without an address or a phone number (the "
               f"gap audit's data quality). Met: at most {_pct(p['ok'])}. Partly: at most "
               f"{_pct(p['part'])}.")
    if not records:
        return _unknown("Er staan geen gegevens over hulp voor deze gemeente in Loketwijzer.",
                        "Loketwijzer holds no records about help for this municipality.",
                        rule, rule_en)
    items = [i for i in dq.get("items", [])
             if {"no_phone", "no_address"} & set(i.get("issue_codes", []))]
    share = len(items) / records
    return Measured(
        _by_share(share, float(p["ok"]), float(p["part"]), lower_is_better=True),
        f"Bij {len(items)} van de {records} gegevens over hulp in de gemeente ontbreekt een "
        f"adres of telefoonnummer ({_pct(share)}).",
        f"{len(items)} of {records} records about help in the municipality lack an address "
        f"or phone number ({_pct(share)}).",
        rule, rule_en,
        figures={"records": records, "incomplete": len(items), "share": round(share, 3),
                 "no_phone": int(dq.get("no_phone") or 0),
                 "no_address": int(dq.get("no_address") or 0)},
        services=_service_refs(items))


def languages(ctx: Context, p: Mapping[str, Any]) -> Measured:
    rule = ("Kijkt naar de talen die bij de hulp binnen bereik zijn vastgelegd. Voldoet: "
            "minstens één onafhankelijke dienst helpt ook in een andere taal dan Nederlands. "
            "Onbekend: bij geen enkele dienst zijn talen vastgelegd.")
    rule_en = ("Looks at the languages recorded for the help within reach. Met: at least one "
               "independent service also helps in a language other than Dutch. Unknown: no "
               "service has languages recorded.")
    recorded = [s for s in ctx.services if ctx.languages.get(s["id"])]
    if not recorded:
        return _unknown("Bij geen enkele hulp binnen bereik staat welke talen er gesproken "
                        "worden.", "No service within reach has its languages recorded.",
                        rule, rule_en, figures={"services_with_languages": 0})
    other = [s for s in recorded if s["independent"] and any(
        lang.casefold() not in DUTCH for lang in ctx.languages[s["id"]])]
    names = sorted({lang for s in other for lang in ctx.languages[s["id"]]
                    if lang.casefold() not in DUTCH})
    status = STATUS_VOLDOET if other else STATUS_NIET
    return Measured(
        status,
        f"{len(other)} onafhankelijke diensten helpen ook in een andere taal"
        + (f" ({', '.join(names)})." if names else "."),
        f"{len(other)} independent services also help in another language"
        + (f" ({', '.join(names)})." if names else "."),
        rule, rule_en,
        figures={"services_with_languages": len(recorded), "other_language": len(other),
                 "languages": names},
        services=_service_refs(other or recorded))


def objection_help(ctx: Context, p: Mapping[str, Any]) -> Measured:
    code = str(p["area"])
    need = float(p["share"])
    area = next((a for a in ctx.audit["areas"] if a["code"] == code), None)
    if area is None:
        return _unknown("Dit onderwerp staat niet in de audit.", "Topic not in the audit.")
    share = area["best_help"]["independent"] or 0.0
    remote = int(area.get("remote_only") or 0)
    status = (STATUS_VOLDOET if share >= need
              else STATUS_DEELS if share > 0 or remote else STATUS_NIET)
    label_nl, label_en = _label(area, "nl"), _label(area, "en")
    summary = (f"{_pct(share)} van de inwoners heeft voor '{label_nl}' onafhankelijke hulp "
               f"op een plek binnen {ctx.audit['reach_km']:.0f} km.")
    summary_en = (f"{_pct(share)} of residents have independent help with '{label_en}' at a "
                  f"place within {ctx.audit['reach_km']:.0f} km.")
    if share < need and remote:
        summary += f" Er zijn {remote} onafhankelijke diensten die alleen bellen of online helpen."
        summary_en += f" {remote} independent services help only by phone or online."
    if area.get("municipal_only"):
        summary += " In de buurt kunnen inwoners alleen bij de gemeente zelf terecht."
        summary_en += " Nearby, residents can only turn to the municipality itself."
    concerned = [s for s in ctx.services if s["independent"] and code in s["areas"]]
    return Measured(
        status, summary, summary_en,
        rule=(f"Onderwerp '{label_nl}'. Voldoet: ten minste {_pct(need)} van de inwoners "
              "heeft onafhankelijke hulp op een plek binnen bereik (gap-audit). Deels: "
              "minder, of alleen hulp per telefoon of online. De gemeente zelf telt niet: "
              "zij nam het besluit."),
        rule_en=(f"Topic '{label_en}'. Met: at least {_pct(need)} of residents have "
                 "independent help at a place within reach (gap audit). Partly: fewer, or "
                 "only help by phone or online. The municipality itself does not count: it "
                 "took the decision."),
        figures={"area": code, "share_independent": round(share, 3), "remote_only": remote,
                 "municipal_only": bool(area.get("municipal_only")),
                 "services": len(concerned)},
        services=_service_refs(concerned))


# ----------------------------------------------------------------------------- Bejegening

def walk_in(ctx: Context, p: Mapping[str, Any]) -> Measured:
    walk = [s for s in _physical_independent(ctx) if s["walk_in"]]
    inside = [s for s in walk if s["locations_in_municipality"]]
    core = set(ctx.core_areas)
    covered = {a for s in walk for a in s["areas"] if a in core}
    coverage = len(covered) / len(core) if core else 0.0
    need = float(p["area_share"])
    status = (STATUS_VOLDOET if inside and coverage >= need
              else STATUS_DEELS if walk else STATUS_NIET)
    return Measured(
        status,
        f"{len(walk)} onafhankelijke diensten met inloop zonder afspraak binnen bereik, "
        f"waarvan {len(inside)} in de gemeente zelf. Ze helpen bij {len(covered)} van de "
        f"{len(core)} onderwerpen.",
        f"{len(walk)} independent services with walk-in hours within reach, {len(inside)} "
        f"of them in the municipality itself. They cover {len(covered)} of {len(core)} "
        "topics.",
        rule=(f"Voldoet: minstens één inloop in de gemeente zelf, en de inloop binnen bereik "
              f"helpt bij ten minste {_pct(need)} van de onderwerpen. Deels: alleen inloop "
              "buiten de gemeente of bij minder onderwerpen. Wie de hulp mag gebruiken: de "
              "regel van de gap-audit."),
        rule_en=(f"Met: at least one walk-in in the municipality itself, and the walk-ins "
                 f"within reach cover at least {_pct(need)} of the topics. Partly: only "
                 "outside the municipality or fewer topics."),
        figures={"walk_in": len(walk), "in_municipality": len(inside),
                 "topics_covered": len(covered), "topics": len(core)},
        services=_service_refs(inside + [s for s in walk if s not in inside]))


# ----------------------------------------------------------------------------- Samenwerking

def counter_jungle(ctx: Context, p: Mapping[str, Any]) -> Measured:
    events = [e for e in ctx.audit.get("life_events", []) if e["organisations"] is not None]
    if not events:
        return _unknown("Geen levensgebeurtenissen berekend.", "No life events computed.")
    mean = sum(e["organisations"] for e in events) / len(events)
    worst = sorted(events, key=lambda e: -e["organisations"])[:3]
    status = _by_share(mean, float(p["ok"]), float(p["part"]), lower_is_better=True)
    listing = "; ".join(f"{e['label']}: {_dec(e['organisations'])}" for e in worst)
    listing_en = "; ".join(f"{e.get('label_en') or e['label']}: {_dec(e['organisations'], 'en')}"
                           for e in worst)
    return Measured(
        status,
        f"Bij een levensgebeurtenis hebben inwoners gemiddeld met {_dec(mean)} organisaties "
        f"contact. Het meest bij {listing}.",
        f"For a life event residents deal with {_dec(mean, 'en')} organisations on average. "
        f"Most for {listing_en}.",
        rule=("De loket-jungle van de gap-audit (organisaties achter de beste hulp per "
              f"onderwerp van een gebeurtenis). Voldoet: gemiddeld hooguit {_dec(p['ok'])}. "
              f"Deels: hooguit {_dec(p['part'])}."),
        rule_en=(f"The gap audit's counter jungle. Met: at most {_dec(p['ok'], 'en')} on "
                 f"average. Partly: at most {_dec(p['part'], 'en')}."),
        figures={"mean": round(mean, 2),
                 "worst": {e["code"]: e["organisations"] for e in worst}})


def farthest_residents(ctx: Context, p: Mapping[str, Any]) -> Measured:
    core = ctx.core()
    known = [a for a in core if a.get("max_km") is not None]
    rule = (f"De grootste afstand van een postcodegebied tot onafhankelijke hulp op een "
            f"plek, over de onderwerpen (gap-audit). Voldoet: hooguit {p['ok_km']} km. "
            f"Deels: hooguit {p['part_km']} km.")
    rule_en = (f"The largest distance from a postcode area to independent help at a place, "
               f"over the topics (gap audit). Met: at most {p['ok_km']} km. Partly: at most "
               f"{p['part_km']} km.")
    if not core:
        return _unknown("Geen onderwerpen gevonden.", "No topics found.", rule, rule_en)
    missing = [a for a in core if a.get("max_km") is None]
    worst_km = max((a["max_km"] for a in known), default=None)
    if missing or worst_km is None:
        status = STATUS_NIET
    else:
        status = (STATUS_VOLDOET if worst_km <= float(p["ok_km"])
                  else STATUS_DEELS if worst_km <= float(p["part_km"]) else STATUS_NIET)
    summary = f"De verste inwoners wonen {_km(worst_km)} van onafhankelijke hulp."
    summary_en = f"The residents farthest away live {_km(worst_km, 'en')} from independent help."
    if missing:
        summary += (" Voor " + ", ".join(_label(a, "nl") for a in missing)
                    + " is er geen onafhankelijke hulp op een plek.")
        summary_en += (" For " + ", ".join(_label(a, "en") for a in missing)
                       + " there is no independent help at a place.")
    return Measured(status, summary, summary_en, rule, rule_en,
                    figures={"max_km": worst_km, "topics_without_place":
                             [a["code"] for a in missing]})


def _unknown(summary: str, summary_en: str, rule: str = "", rule_en: str = "",
             figures: dict[str, Any] | None = None) -> Measured:
    return Measured(STATUS_ONBEKEND, summary, summary_en, rule or summary,
                    rule_en or summary_en, figures or {})


MEASURES: dict[str, Callable[[Context, Mapping[str, Any]], Measured]] = {
    f.__name__: f for f in (
        independent_per_area, share_within_km, several_locations, quality_share,
        contact_details, languages, objection_help, walk_in, counter_jungle,
        farthest_residents)
}
