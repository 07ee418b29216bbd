"""Campaign scheduler: posts written in YAML, checked, queued, and published
exactly once to each platform's accounts on the campaign's timeline (the
platforms are those of :mod:`scheduler.platforms.registry`)."""

__version__ = "0.1.0"
