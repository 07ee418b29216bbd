"""A faithful local stand-in for the X API v2 and the Facebook Graph API.

Real tweepy and facebook-sdk code talks to it over HTTP on 127.0.0.1. It is
used by the tests, by ``campaign rehearse`` and by anyone trying the product
without credentials. See ``server.py`` for the HTTP core; ``x_api.py`` and
``graph_api.py`` for the two platforms.
"""
