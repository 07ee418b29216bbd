"""The platforms: one folder per platform (``x/``, ``facebook/``), each with its
profile (:mod:`~scheduler.platforms.profile`: what the rest of the product asks),
its publisher (:mod:`~scheduler.platforms.base`: the contract) and its sandbox;
:mod:`~scheduler.platforms.registry` lists them.

No tweepy, facebook-sdk or requests exception escapes this package: every
failure is translated into :mod:`scheduler.errors`'s PublishError branch.
This package never imports the database.
"""
