"""Facebook Pages through facebook-sdk 3.1.0's ``GraphAPI``, with a Page access token.

- :mod:`~scheduler.platforms.facebook.profile`: :class:`FacebookProfile`, what
  the rest of the product asks (limits, counting, links, credentials).
- :mod:`~scheduler.platforms.facebook.links`: a Page post's public link, its
  id in a pasted link, and the hosts such links have.
- :mod:`~scheduler.platforms.facebook.publisher`: ``FacebookPublisher``, the
  calls each step of the publisher contract makes.
- :mod:`~scheduler.platforms.facebook.transport`: the Graph API version that
  goes on the wire (facebook-sdk's constructor accepts only 2.8-3.1, so the
  client is built with "3.1" and ``graph.version`` is then set to the configured
  ``"v25.0"``), the configurable base URL (a per-client transport adapter, no
  global state), the per-call timeout, and keeping tokens out of logs.
- :mod:`~scheduler.platforms.facebook.translate`: every failure mapped to one
  outcome of :mod:`scheduler.errors`.
- :mod:`~scheduler.platforms.facebook.sandbox`: the local Graph API stand-in.
- :mod:`~scheduler.platforms.facebook.fixes`: how a person fixes each refusal.

This package's ``__init__`` imports nothing, so reading the profile or asking
the links about a URL never loads facebook-sdk. User documentation:
``docs/facebook.md``.
"""
