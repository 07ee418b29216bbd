"""The benchmark suite: each cost of the scheduler measured against its floor.

``python -m bench`` (or ``make bench``) runs every case and prints the table;
``python -m bench check sync`` runs some; ``--quick`` shrinks the sizes for a
smoke run. docs/performance.md has the latest table. Nothing here is a test:
figures are printed and written as JSON, never asserted in the test suite.
"""
