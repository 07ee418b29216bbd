"""Bluesky (the AT Protocol), through the atproto SDK.

Modules: ``profile`` (what the product knows of Bluesky), ``settings``
(``platforms.bluesky``), ``text`` (graphemes and bytes), ``facets`` (links,
hashtags and mentions as UTF-8 byte ranges), ``records`` (the post record and
its record key), ``rates`` (points per hour and per day), ``links`` (post
URLs), ``session`` (app-password sessions kept in the token store),
``publisher`` and ``errors`` (XRPC errors into the product's outcomes),
``sandbox/`` (the stand-in, validating against the official lexicons).

It imports nothing, so reading the profile loads no client library.
"""
