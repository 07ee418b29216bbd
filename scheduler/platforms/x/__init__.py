"""X through tweepy's v2 ``Client``, with OAuth 1.0a user context.

- :mod:`~scheduler.platforms.x.profile`: :class:`XProfile`, what the rest of
  the product asks (limits, counting, links, prices, credentials).
- :mod:`~scheduler.platforms.x.text`: X's weighted length (twitter-text).
- :mod:`~scheduler.platforms.x.publisher`: ``XPublisher``, the publisher
  contract on tweepy; :mod:`~scheduler.platforms.x.media` the v2 media upload;
  :mod:`~scheduler.platforms.x.errors` the error translation.
- :mod:`~scheduler.platforms.x.sandbox`: the local X API stand-in.

This package's ``__init__`` imports nothing, so reading the profile never loads
tweepy or twitter-text.
"""
