"""A faithful local stand-in for every platform the product publishes to.

The platforms' real client libraries talk to it over HTTP on
127.0.0.1. It is used by the tests, by ``campaign rehearse`` and by anyone
trying the product without credentials. This package is the platform-neutral
sandbox a campaign runs against: the one local server that mounts every
registered platform's stand-in (``app.py``), the fault plan (``faults.py``) and
the test credentials as an environment (``credentials.py``). Each platform's
stand-in lives in its own folder, ``platforms/<key>/sandbox/``, written against
what every stand-in shares: the HTTP server
(:mod:`scheduler.platforms.sandbox_server`), the contract
(:mod:`scheduler.platforms.sandbox_base`) and the fault vocabulary
(:mod:`scheduler.platforms.faults`).
"""
