"""The gallery's figure scripts, shipped as ``jaxlangevin._experiments`` (``pyproject.toml`` maps the package to
this directory). Run one as ``python experiments/<name>.py [--quick] [--out DIR]``, or all of them with
``jaxlangevin reproduce all`` (``jaxlangevin._gallery``)."""
