"""Rechtsbescherming-scan: a municipality's access to social-legal help, measured against
building blocks (bouwstenen) from the handreiking *Aan de slag met rechtsbescherming*
(Divosa and Sociaal Werk Nederland, 2023), in our own words.

The criteria are data (``data/scan/bouwstenen.yaml``). A ``data`` criterion is measured
from the records by a function in :mod:`loketwijzer.scan.measures`, which only reads what
the gap audit and the finder computed (reach, independence, distances): no rule is
written twice. A ``vragenlijst`` criterion is answered by the municipality's editors.
The action is :func:`loketwijzer.actions.scan.scan_municipality`.
"""

from __future__ import annotations

from loketwijzer.scan.spec import (
    SOURCES,
    STATUS_DEELS,
    STATUS_NIET,
    STATUS_ONBEKEND,
    STATUS_VOLDOET,
    STATUSES,
    Bouwsteen,
    Criterion,
    ScanSpec,
    load_spec,
)

__all__ = [
    "SOURCES", "STATUSES", "STATUS_DEELS", "STATUS_NIET", "STATUS_ONBEKEND",
    "STATUS_VOLDOET", "Bouwsteen", "Criterion", "ScanSpec", "load_spec",
]
