"""Tokens the platforms rotate, kept encrypted in the database.

Long-lived secrets (API keys, app passwords, Page tokens) stay in the
environment: a person sets them once, and the program only reads them. A
token that the platform replaces on every refresh cannot live there: the
program itself must write the new one, and every daemon on the database must
find it (a Bluesky session's refresh token, X OAuth 2.0 token pairs). Those
live in the database, encrypted with the key in ``CAMPAIGN_TOKEN_KEYS``
(:mod:`.cipher`), one writer per account at a time (:mod:`.store`), and every
value is masked in the logs before it is used. :mod:`.report` says what is
stored and until when, for ``campaign accounts check`` and ``preflight``.
"""
