"""Alerts: telling the team, where it already is, what needs a person.

The publishing pipeline writes an event into the outbox
(:mod:`scheduler.storage.outbox`) in the same transaction as the change it
reports; :mod:`~scheduler.alerts.dispatch` fans each event out to the targets
that want it and sends it through Apprise with its own retries and backoff;
:mod:`~scheduler.alerts.watch` raises the events nobody's change raises (the
daily digest, a token about to expire, a silent daemon). Messages are written in
:mod:`~scheduler.alerts.messages`; target URLs are read, and every secret part of
them registered for redaction, in :mod:`~scheduler.alerts.targets`.

Dependencies point one way: entry points and the daemon use this package; it
uses storage, config and the platforms' redaction, never the reverse (config
reads only the leaf :mod:`~scheduler.alert_settings`).
"""
