"""Campaign scheduler: posts written in YAML, checked, queued, and published
exactly once to X and Facebook Pages on the campaign's timeline."""

__version__ = "0.1.0"
