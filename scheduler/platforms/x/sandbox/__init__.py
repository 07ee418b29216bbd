"""The local stand-in for the X API v2, as far as the X publisher needs it.

- :mod:`~scheduler.platforms.x.sandbox.base`: the stand-in's core (accounts,
  authentication, faults, rate windows, headers) that every endpoint module
  uses; nothing in it imports them back.
- :mod:`~scheduler.platforms.x.sandbox.api`: :class:`XSandbox`, the routes.
- :mod:`~scheduler.platforms.x.sandbox.posts`, ``media_api``: the endpoints;
  ``media_files`` reads uploads; ``state``, ``limits``, ``responses``,
  ``oauth1``, ``openapi``: what they share.
- :mod:`~scheduler.platforms.x.sandbox.faults` and ``credentials``: the fault
  endpoints and test credentials, cheap to import.
"""
