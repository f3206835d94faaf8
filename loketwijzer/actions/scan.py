"""The rechtsbescherming-scan of a municipality (``/scan/GMxxxx``, its print view and
``GET /api/v1/scan/GMxxxx``) and the municipality's own answers to the questionnaire
(``PUT /api/v1/scan/GMxxxx/answers``).

The criteria are data (``loketwijzer.scan``); the ``data`` criteria are measured from the
gap audit (``actions.audit.audit_with_services``), so reach, independence and distances
follow the audit's and the finder's rules. Demand signals are shown next to supply.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loketwijzer import signals
from loketwijzer.actions import audit
from loketwijzer.actions.municipalities import get_municipality_row
from loketwijzer.auth import Actor, actor_label, acts_for_municipality
from loketwijzer.errors import Forbidden, InvalidInput
from loketwijzer.models import Language, ScanAnswer, ServiceAtLocation
from loketwijzer.scan import STATUSES, load_spec
from loketwijzer.scan.measures import MEASURES, Context
from loketwijzer.scan.spec import SOURCE_DATA, STATUS_ONBEKEND, STATUS_VOLDOET, ScanSpec

MAX_COMMENT = 1000
MAX_ANSWERS = 50


@dataclass(frozen=True)
class Evidence:
    summary: str
    summary_en: str
    rule: str
    rule_en: str
    figures: dict[str, Any]
    services: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Answer:
    status: str
    comment: str | None
    answered_by: str
    answered_at: str  # ISO timestamp (seconds)


@dataclass(frozen=True)
class CriterionResult:
    id: str
    bouwsteen: str
    source: str  # data | vragenlijst
    label: str
    label_en: str
    status: str
    todo: str | None  # "wat kunt u doen", only when not met
    todo_en: str | None
    evidence: Evidence | None = None  # data criteria
    question: str | None = None  # vragenlijst criteria
    question_en: str | None = None
    answer: Answer | None = None


@dataclass(frozen=True)
class BouwsteenResult:
    code: str
    label: str
    label_en: str
    intro: str
    intro_en: str
    criteria: tuple[CriterionResult, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(c.status == s for c in self.criteria) for s in STATUSES}


@dataclass(frozen=True)
class ScanResult:
    code: str
    name: str
    population: int | None
    as_of: str
    source: dict[str, Any]  # the handreiking
    bouwstenen: tuple[BouwsteenResult, ...]
    demand: tuple[signals.DemandSupply, ...]
    trend: signals.Signals

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(b.counts[s] for b in self.bouwstenen) for s in STATUSES}

    def criteria(self) -> list[CriterionResult]:
        return [c for b in self.bouwstenen for c in b.criteria]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "population": self.population,
            "as_of": self.as_of, "source": self.source, "counts": self.counts,
            "bouwstenen": [{**{k: v for k, v in asdict(b).items() if k != "criteria"},
                            "counts": b.counts,
                            "criteria": [asdict(c) for c in b.criteria]}
                           for b in self.bouwstenen],
            "demand": {
                "min_cell": self.trend.min_cell,
                "weeks": list(self.trend.weeks),
                "next_to_supply": [asdict(d) for d in self.demand],
                "trend": [{"area": r.area, "label": r.label, "counts": list(r.counts),
                           "total": r.total} for r in self.trend.trend],
            },
        }


# ----------------------------------------------------------------------------- scan

def _languages(session: Session, service_ids: list[str]) -> dict[str, tuple[str, ...]]:
    """Languages recorded per service, on the service itself or on its locations."""
    if not service_ids:
        return {}
    found: dict[str, set[str]] = defaultdict(set)
    wanted = sorted(set(service_ids))
    rows = [*session.execute(select(Language.service_id, Language.name, Language.code)
                             .where(Language.service_id.in_(wanted))),
            *session.execute(select(ServiceAtLocation.service_id, Language.name, Language.code)
                             .join(Language, Language.location_id == ServiceAtLocation.location_id)
                             .where(ServiceAtLocation.service_id.in_(wanted)))]
    for sid, name, code in rows:
        if name or code:
            found[sid].add(name or code)
    return {sid: tuple(sorted(v)) for sid, v in found.items()}


def _answers(session: Session, code: str) -> dict[str, Answer]:
    rows = session.scalars(select(ScanAnswer).where(ScanAnswer.municipality_code == code))
    return {r.criterion_id: Answer(r.status, r.comment, r.answered_by,
                                   r.answered_at.isoformat(timespec="seconds"))
            for r in rows}


def scan_municipality(session: Session, code: str, *, as_of: dt.date | None = None,
                      stale_after_days: int = 365, lang: str = "nl",
                      spec: ScanSpec | None = None,
                      audited: tuple[dict[str, Any], list[dict[str, Any]]] | None = None
                      ) -> ScanResult:
    """The rechtsbescherming-scan of one municipality. ``audited``: the result of
    ``audit.audit_with_services`` when the caller has it already (audit exports, print)."""
    spec = spec or load_spec()
    as_of = as_of or dt.date.today()
    result, services = audited or audit.audit_with_services(
        session, code, as_of=as_of, stale_after_days=stale_after_days)
    ctx = Context(audit=result, services=services, core_areas=spec.core_areas,
                  languages=_languages(session, [s["id"] for s in services]))
    answers = _answers(session, result["code"])
    bouwstenen = []
    for b in spec.bouwstenen:
        criteria = []
        for c in b.criteria:
            if c.source == SOURCE_DATA:
                m = MEASURES[c.measure](ctx, c.params)
                status = m.status
                extra: dict[str, Any] = {"evidence": Evidence(
                    m.summary, m.summary_en, m.rule, m.rule_en, m.figures, m.services)}
            else:
                answer = answers.get(c.id)
                status = answer.status if answer else STATUS_ONBEKEND
                extra = {"answer": answer, "question": c.question,
                         "question_en": c.question_en}
            met = status == STATUS_VOLDOET
            criteria.append(CriterionResult(
                id=c.id, bouwsteen=b.code, source=c.source, label=c.label,
                label_en=c.label_en, status=status, todo=None if met else c.todo,
                todo_en=None if met else c.todo_en, **extra))
        bouwstenen.append(BouwsteenResult(b.code, b.label, b.label_en, b.intro, b.intro_en,
                                          tuple(criteria)))
    trend = signals.demand_signals(session, result["code"], today=as_of, lang=lang)
    return ScanResult(
        code=result["code"], name=result["name"], population=result["population"],
        as_of=result["as_of"], source=dict(spec.source), bouwstenen=tuple(bouwstenen),
        demand=tuple(signals.demand_vs_supply(trend, result, lang)), trend=trend)


# ----------------------------------------------------------------------------- answers

def can_answer(actor: Actor | None, code: str) -> bool:
    """Admins, and the editors of this municipality."""
    return acts_for_municipality(actor, code)


def _clean_answers(spec: ScanSpec, answers: Any) -> list[tuple[str, str, str | None]]:
    """``[{"criterion", "status", "comment"}]`` or ``{criterion: {"status", "comment"}}``."""
    if isinstance(answers, Mapping):
        items = [{"criterion": k, **(v if isinstance(v, Mapping) else {"status": v})}
                 for k, v in answers.items()]
    elif isinstance(answers, list):
        items = answers
    else:
        raise InvalidInput("Stuur de antwoorden als lijst: [{\"criterion\", \"status\", "
                           "\"comment\"}].", code="invalid_answers")
    if not items:
        raise InvalidInput("Er staan geen antwoorden in.", code="invalid_answers")
    if len(items) > MAX_ANSWERS:
        raise InvalidInput(f"Stuur hooguit {MAX_ANSWERS} antwoorden tegelijk.",
                           code="invalid_answers")
    allowed = spec.questionnaire_ids()
    cleaned: dict[str, tuple[str, str, str | None]] = {}
    for item in items:
        if not isinstance(item, Mapping):
            raise InvalidInput("Elk antwoord heeft criterion, status en eventueel comment.",
                               code="invalid_answers")
        cid = str(item.get("criterion") or item.get("id") or "")[:60]
        if cid not in allowed:
            raise InvalidInput(f"'{cid}' is geen vraag van de scan. Kies uit: "
                               f"{', '.join(allowed)}.", code="invalid_criterion",
                               suggestions=allowed)
        status = item.get("status")
        if status not in STATUSES:
            raise InvalidInput(f"Status '{str(status)[:20]}' kan niet. Kies uit: "
                               f"{', '.join(STATUSES)}.", code="invalid_status")
        comment = item.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise InvalidInput("De toelichting (comment) is tekst.", code="invalid_comment")
        comment = (comment or "").replace("\x00", "").strip() or None
        if comment and len(comment) > MAX_COMMENT:
            raise InvalidInput(f"De toelichting is te lang: hooguit {MAX_COMMENT} tekens.",
                               code="comment_too_long")
        cleaned[cid] = (cid, status, comment)
    return list(cleaned.values())


def save_scan_answers(session: Session, actor: Actor | None, code: str, answers: Any, *,
                      now: dt.datetime | None = None, spec: ScanSpec | None = None,
                      answered_by: str | None = None) -> dict[str, Answer]:
    """Store the municipality's answers to questionnaire criteria (all or nothing).

    Only admins and this municipality's own editors may answer. ``answered_by`` names
    the team for answers given on the command line; otherwise the actor's role is shown.
    Returns all current answers of the municipality. Flushes; the caller commits.
    """
    municipality = get_municipality_row(session, code)
    if not can_answer(actor, municipality.code):
        raise Forbidden(f"U mag de scan van gemeente {municipality.code} niet invullen.")
    rows = _clean_answers(spec or load_spec(), answers)
    stamp = (now or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0)
    who = (answered_by or actor_label(actor))[:200]
    existing = {r.criterion_id: r for r in session.scalars(
        select(ScanAnswer).where(ScanAnswer.municipality_code == municipality.code))}
    for cid, status, comment in rows:
        row = existing.get(cid)
        if row is None:
            row = ScanAnswer(municipality_code=municipality.code, criterion_id=cid)
            session.add(row)
        row.status, row.comment, row.answered_by, row.answered_at = status, comment, who, stamp
    session.flush()
    return _answers(session, municipality.code)


__all__ = [
    "MAX_COMMENT", "Answer", "BouwsteenResult", "CriterionResult", "Evidence", "ScanResult",
    "can_answer", "save_scan_answers", "scan_municipality",
]
