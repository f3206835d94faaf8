"""First steps: what a resident can do now, per matched problem area (data/first_steps.yaml).

The data is authored next to the taxonomy and validated strictly on load: a wrong area
code, a missing English text, a step list that is too long or a source that is not https
fails loudly (and in the tests). ``steps_for`` picks, for each matched area in order, the
group whose ``when`` phrases occur in the text, or else the area's default group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from matcher.normalize import words
from matcher.taxonomy import AREA_CODES

FIRST_STEPS_FILE = Path(__file__).resolve().parent.parent / "data" / "first_steps.yaml"
MIN_STEPS, MAX_STEPS = 2, 4
MAX_GROUPS = 3  # one group per matched area, for the best few areas
MAX_GAP = 2  # other words allowed between two words of a `when` phrase
MAX_STEP_CHARS = 240  # a step is short: one or two B1 sentences
LANGS = ("nl", "en")
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FirstStepsError(ValueError):
    """data/first_steps.yaml is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class StepGroup:
    area: str
    topic: str
    title: Text
    steps: tuple[Text, ...]
    source_url: str
    deadline: Text | None = None
    when: tuple[tuple[str, ...], ...] = ()

    def to_dict(self, lang: str = "nl") -> dict[str, Any]:
        """The contract shape: area, steps, deadline, source_url (plus topic and title)."""
        return {"area": self.area, "topic": self.topic, "title": self.title.get(lang),
                "steps": [s.get(lang) for s in self.steps],
                "deadline": self.deadline.get(lang) if self.deadline else None,
                "source_url": self.source_url}


@dataclass(frozen=True)
class FirstSteps:
    version: str
    disclaimer: Text
    groups: tuple[StepGroup, ...]

    def for_area(self, area: str) -> list[StepGroup]:
        return [g for g in self.groups if g.area == area]


def _text(node: Any, where: str, *, limit: int | None = None) -> Text:
    if not isinstance(node, dict) or set(node) != set(LANGS):
        raise FirstStepsError(f"{where}: needs exactly nl and en")
    values = {}
    for lang in LANGS:
        value = node[lang]
        if not isinstance(value, str) or not value.strip():
            raise FirstStepsError(f"{where}.{lang}: empty text")
        if limit and len(value) > limit:
            raise FirstStepsError(f"{where}.{lang}: longer than {limit} characters")
        values[lang] = " ".join(value.split())
    return Text(**values)


def _when(node: Any, where: str) -> tuple[tuple[str, ...], ...]:
    if node is None:
        return ()
    if not isinstance(node, list) or not node:
        raise FirstStepsError(f"{where}.when: a non-empty list of phrases")
    phrases = []
    for item in node:
        parts = tuple(words(str(item)))
        if not parts:
            raise FirstStepsError(f"{where}.when: empty phrase {item!r}")
        phrases.append(parts)
    return tuple(phrases)


def _group(node: Any, index: int) -> StepGroup:
    where = f"groups[{index}]"
    if not isinstance(node, dict):
        raise FirstStepsError(f"{where}: must be a mapping")
    unknown = set(node) - {"area", "topic", "when", "title", "steps", "deadline", "source_url"}
    if unknown:
        raise FirstStepsError(f"{where}: unknown keys {sorted(unknown)}")
    area = node.get("area")
    if area not in AREA_CODES:
        raise FirstStepsError(f"{where}: unknown area {area!r}")
    topic = str(node.get("topic", ""))
    if not _CODE_RE.match(topic):
        raise FirstStepsError(f"{where}: topic must be snake_case, got {topic!r}")
    steps = node.get("steps")
    if not isinstance(steps, list) or not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise FirstStepsError(f"{where} ({topic}): {MIN_STEPS}-{MAX_STEPS} steps needed")
    url = node.get("source_url")
    if not isinstance(url, str) or not re.match(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$", url):
        raise FirstStepsError(f"{where} ({topic}): source_url must be an https address")
    deadline = node.get("deadline")
    return StepGroup(
        area=area, topic=topic, title=_text(node.get("title"), f"{where}.title"),
        steps=tuple(_text(s, f"{where}.steps[{i}]", limit=MAX_STEP_CHARS)
                    for i, s in enumerate(steps)),
        source_url=url,
        deadline=_text(deadline, f"{where}.deadline") if deadline is not None else None,
        when=_when(node.get("when"), where),
    )


def load_first_steps(path: Path | str = FIRST_STEPS_FILE) -> FirstSteps:
    """Read and validate the first-steps file; raises FirstStepsError when it is unusable."""
    path = Path(path)
    if not path.is_file():
        raise FirstStepsError(f"missing file: {path}")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise FirstStepsError(f"invalid YAML: {exc}") from exc
    if not isinstance(data, dict) or not str(data.get("version", "")).strip():
        raise FirstStepsError("expected a mapping with a 'version' key")
    groups = tuple(_group(node, i) for i, node in enumerate(data.get("groups") or []))
    topics = [g.topic for g in groups]
    if len(set(topics)) != len(topics):
        raise FirstStepsError("topics must be unique")
    for area in AREA_CODES:
        defaults = [g.topic for g in groups if g.area == area and not g.when]
        if len(defaults) > 1:
            raise FirstStepsError(f"{area}: more than one default group {defaults}")
    return FirstSteps(str(data["version"]), _text(data.get("disclaimer"), "disclaimer"),
                      groups)


@lru_cache(maxsize=1)
def get_first_steps() -> FirstSteps:
    """The shared, validated first steps (loaded once)."""
    return load_first_steps()


def _phrase_in(phrase: tuple[str, ...], tokens: list[str]) -> bool:
    """Do the words of *phrase* begin tokens in this order, with small gaps?"""
    for start, token in enumerate(tokens):
        if not token.startswith(phrase[0]):
            continue
        pos, ok = start, True
        for word in phrase[1:]:
            nxt = next((j for j in range(pos + 1, min(len(tokens), pos + 2 + MAX_GAP))
                        if tokens[j].startswith(word)), None)
            if nxt is None:
                ok = False
                break
            pos = nxt
        if ok:
            return True
    return False


def pick_group(area: str, text: str, data: FirstSteps | None = None) -> StepGroup | None:
    """The sub-topic group whose phrases occur in *text*, else the area's default group."""
    data = data or get_first_steps()
    tokens = words(text or "")
    default = None
    for group in data.for_area(area):
        if not group.when:
            default = default or group
        elif any(_phrase_in(p, tokens) for p in group.when):
            return group
    return default


def steps_for(area_codes: list[str], text: str, lang: str = "nl",
              data: FirstSteps | None = None) -> list[dict[str, Any]]:
    """First steps for the matched areas (best first), one group per area."""
    data = data or get_first_steps()
    out: list[dict[str, Any]] = []
    for code in area_codes[:MAX_GROUPS]:
        group = pick_group(code, text, data)
        if group is not None:
            out.append(group.to_dict(lang))
    return out


def disclaimer(lang: str = "nl") -> str:
    return get_first_steps().disclaimer.get(lang)
