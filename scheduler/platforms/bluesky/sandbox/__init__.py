"""The Bluesky stand-in: a PDS's XRPC endpoints, validating against the official lexicons.

Modules: ``lexicon`` (the validator), ``state`` (accounts, sessions, records,
blobs), ``base`` (a request's fault, session and rate points), ``api`` (the
endpoints and routes), ``faults`` and ``credentials``.
"""
