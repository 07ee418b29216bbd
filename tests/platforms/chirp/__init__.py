"""Chirp, a made-up third platform: everything the product needs to know of it,
in this one folder, registered by a test with ``registry.registered``.

It proves the promise of docs/architecture.md ("Adding a platform"): a platform
is a profile, a publisher and a sandbox, and nothing outside its folder and the
registry names it. Its publisher is the package's memory publisher; its sandbox
serves what was published over HTTP.
"""
