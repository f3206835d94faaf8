"""Loketwijzer domain package: settings, database, models and service functions.

Nothing in here imports Flask, so importers, the CLI, benchmarks and the web app
all share the same logic (the pygeoapi / CKAN pattern).
"""

__version__ = "0.1.0"
