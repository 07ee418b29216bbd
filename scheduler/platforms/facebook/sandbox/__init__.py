"""The local stand-in for the Facebook Graph API, as far as Page publishing needs it.

- :mod:`~scheduler.platforms.facebook.sandbox.base`: the stand-in's core (a
  request read, its fault, token check and rate windows) that every endpoint
  module uses; nothing in it imports them back.
- :mod:`~scheduler.platforms.facebook.sandbox.api`: :class:`GraphSandbox`, the routes.
- :mod:`~scheduler.platforms.facebook.sandbox.publish`, ``reads``: the
  endpoints; ``state``, ``errors``, ``media``, ``usage``, ``wire``: what they share.
- :mod:`~scheduler.platforms.facebook.sandbox.faults` and ``credentials``: the
  fault endpoints and test credentials, cheap to import.
"""
