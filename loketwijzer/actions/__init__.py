"""Service functions: one function per operation, shared by the pages, the JSON API and
the CLI (the CKAN "action" pattern). They take a SQLAlchemy session and plain values,
return plain dicts, and raise ``loketwijzer.errors.ActionError`` subclasses."""
