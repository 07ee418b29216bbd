"""The daemon: claims due publications, publishes them exactly once, reconciles
what it cannot be sure of, and reports (status, preflight, the rehearsal)."""
