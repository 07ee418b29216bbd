"""The local stand-in for a Mastodon server, as far as publishing needs it.

- :mod:`~scheduler.platforms.mastodon.sandbox.base`: the stand-in's core (a
  request read, its fault, the token check, the rate windows, the headers every
  answer carries) that every endpoint module uses; it imports none of them.
- :mod:`~scheduler.platforms.mastodon.sandbox.api`: :class:`MastodonSandbox`, the routes.
- :mod:`~scheduler.platforms.mastodon.sandbox.statuses`, ``media``, ``reads``:
  the endpoints; ``state`` and ``wire``: what they share.
- :mod:`~scheduler.platforms.mastodon.sandbox.faults` and ``credentials``: the
  fault endpoints and test credentials, cheap to import.
"""
