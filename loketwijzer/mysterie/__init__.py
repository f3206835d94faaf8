"""Mysterie-check: everyday resident journeys (casussen) run through a municipality's real
offer, moment by moment, with the finder's own eligibility rule and ranking.

- ``casus``: the casus schema, its validator and the shipped casussen (``data/casussen``);
- ``texts``: the plain-word messages (Dutch msgids, translated through Flask-Babel);
- ``rules``: the few verdict rules (``goed`` / ``beter`` / ``mis``), pure functions;
- ``export``: the comparison table as CSV/XLSX.

The action functions that pages, API and CLI call live in ``loketwijzer.actions.mysterie``.
How it all works is explained in ``docs/mysterie.md``.
"""
