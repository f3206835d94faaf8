"""Plain-language findings of a gap audit: the biggest gaps as short B1 sentences.

Kept apart from the audit service (``loketwijzer.actions.audit``) because it is wording,
not computation: it reads only the plain dict an audit returns, so the sentences can be
edited and tested without the geometry or a database.
"""

from __future__ import annotations

from typing import Any


def _pct(value: float) -> str:
    return f"{round(value * 100):d}%"


def _dec(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text if lang == "en" else text.replace(".", ",")


# Sentences for one area, or for a group of areas (listed after a colon, so labels that
# contain commas and "en" stay readable).
_GAP_TEXT = {
    "nl": {
        "none_10": "Voor {area} is voor {pct} van de inwoners geen onafhankelijke hulp "
                   "binnen 10 km bekend in Loketwijzer.",
        "none_10_all": ("Voor {area} is voor geen enkele inwoner onafhankelijke hulp binnen "
                        "10 km bekend in Loketwijzer.",
                        "Bij deze onderwerpen is voor geen enkele inwoner onafhankelijke hulp "
                        "binnen 10 km bekend in Loketwijzer: {area}."),
        "municipal_only": ("Voor {area} kunnen inwoners in de buurt alleen bij de gemeente "
                           "zelf terecht, niet bij onafhankelijke hulp.",
                           "Bij deze onderwerpen kunnen inwoners in de buurt alleen bij de "
                           "gemeente zelf terecht, niet bij onafhankelijke hulp: {area}."),
        "remote": ("Voor {area} is geen onafhankelijke hulp binnen 10 km bekend in "
                   "Loketwijzer. Voor zover wij weten kunnen inwoners alleen bellen, online "
                   "hulp vragen of ver reizen.",
                   "Bij deze onderwerpen is geen onafhankelijke hulp binnen 10 km bekend in "
                   "Loketwijzer; voor zover wij weten kunnen inwoners alleen bellen, online "
                   "hulp vragen of ver reizen: {area}."),
        "nothing": ("Voor {area} is voor de meeste inwoners geen hulp bekend in Loketwijzer.",
                    "Bij deze onderwerpen is voor de meeste inwoners geen hulp bekend in "
                    "Loketwijzer: {area}."),
        "jungle": "Bij '{event}' moeten inwoners gemiddeld met {n} verschillende "
                  "organisaties contact hebben.",
        "stale": "{n} van de {m} gegevens over hulp in de gemeente {verb} langer dan een "
                 "jaar niet gecontroleerd.",
        "approx": "{pct} van de afstanden is gemeten naar een locatie bij benadering "
                  "(alleen plaats of postcode bekend, geen adres): deze afstanden zijn "
                  "indicatief.",
        "fine": "We vinden geen grote gaten: voor elk onderwerp is voor de meeste inwoners "
                "onafhankelijke hulp binnen 10 km bekend in Loketwijzer.",
        "more": "en {n} andere",
    },
    "en": {
        "none_10": "For {area}, Loketwijzer knows no independent help within 10 km for {pct} "
                   "of residents.",
        "none_10_all": ("For {area}, Loketwijzer knows no independent help within 10 km for "
                        "any resident.",
                        "For these topics, Loketwijzer knows no independent help within 10 km "
                        "for any resident: {area}."),
        "municipal_only": ("For {area}, residents can only turn to the municipality itself "
                           "nearby, not to independent help.",
                           "For these topics, residents can only turn to the municipality "
                           "itself nearby, not to independent help: {area}."),
        "remote": ("For {area}, Loketwijzer knows no independent help within 10 km. As far "
                   "as we know, residents can only call, ask online or travel far.",
                   "For these topics, Loketwijzer knows no independent help within 10 km; as "
                   "far as we know residents can only call, ask online or travel far: "
                   "{area}."),
        "nothing": ("For {area}, Loketwijzer knows no help for most residents.",
                    "For these topics, Loketwijzer knows no help for most residents: {area}."),
        "jungle": "For '{event}', residents deal with {n} different organisations on "
                  "average.",
        "stale": "{n} of the {m} records about help in the municipality {verb} not been "
                 "checked for over a year.",
        "approx": "{pct} of distances are measured to an approximate location (only the "
                  "town or postcode is known, no address): these distances are indicative.",
        "fine": "We find no large gaps: for every topic Loketwijzer knows independent help "
                "within 10 km for most residents.",
        "more": "and {n} more",
    },
}


def _group_sentence(templates: tuple[str, str], names: list[str], more: str,
                    most: int = 5) -> str:
    """One area: the short sentence; several: the list after a colon ('A; B; en 3 andere')."""
    if len(names) == 1:
        return templates[0].format(area=names[0])
    shown = names if len(names) <= most else [*names[:most - 1],
                                               more.format(n=len(names) - most + 1)]
    return templates[1].format(area="; ".join(shown))


def biggest_gaps(audit: dict[str, Any], *, limit: int = 8, lang: str = "nl") -> list[str]:
    """The largest gaps of an audit as short plain-language sentences (B1), worst first.

    At most one sentence per problem area (the most telling one), then the loket jungle,
    stale records and approximate locations.
    """
    text = _GAP_TEXT["en" if lang == "en" else "nl"]
    label_key = "label_en" if lang == "en" else "label"
    scored: list[tuple[float, str]] = []
    approx = measured = 0
    groups: dict[str, list[str]] = {"municipal_only": [], "nothing": [], "remote": [],
                                    "none_10_all": []}
    for area in audit["areas"]:
        name = area.get(label_key) or area["label"]
        within_10 = area["share_within_km"].get("10")
        best = area["best_help"]
        if area["mean_km"] is not None:
            approx += area["approximate_distances"]
            measured += area["distances"]
        if area["municipal_only"]:
            groups["municipal_only"].append(name)
        elif (best["none"] or 0) >= 0.5:
            groups["nothing"].append(name)
        elif within_10 == 0 and (best["remote"] or 0) >= 0.5:
            groups["remote"].append(name)
        elif within_10 == 0:
            groups["none_10_all"].append(name)
        elif within_10 is not None and within_10 < 0.75:
            gap = 1 - within_10
            scored.append((1.0 + gap, text["none_10"].format(area=name, pct=_pct(gap))))
    for key, score in (("municipal_only", 2.5), ("nothing", 2.4), ("none_10_all", 2.2),
                       ("remote", 2.0)):
        if groups[key]:
            scored.append((score, _group_sentence(text[key], groups[key], text["more"])))
    events = [e for e in audit.get("life_events", []) if e["organisations"] is not None]
    if events:
        worst = max(events, key=lambda e: e["organisations"])
        if worst["organisations"] >= 3:
            scored.append((1.0 + worst["organisations"] / 10, text["jungle"].format(
                event=worst.get(label_key) or worst["label"],
                n=_dec(worst["organisations"], lang))))
    dq = audit.get("data_quality", {})
    if dq.get("records") and dq.get("stale", 0) / dq["records"] >= 0.25:
        scored.append((0.5 + dq["stale"] / dq["records"],
                       text["stale"].format(n=dq["stale"], m=dq["records"], verb=(
                           ("has" if dq["stale"] == 1 else "have") if lang == "en"
                           else ("is" if dq["stale"] == 1 else "zijn")))))
    if measured and approx / measured >= 0.25:
        scored.append((0.4 + approx / measured / 10,
                       text["approx"].format(pct=_pct(approx / measured))))
    if not scored:
        return [text["fine"]]
    scored.sort(key=lambda item: -item[0])
    return [sentence for _score, sentence in scored[:limit]]


__all__ = ["biggest_gaps"]
