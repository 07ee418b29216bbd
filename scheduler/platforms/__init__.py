"""Platform adapters: one publisher per platform behind one contract (base.py).

No tweepy, facebook-sdk or requests exception escapes this package: every
failure is translated into :mod:`scheduler.errors`'s PublishError branch.
This package never imports the database.
"""
