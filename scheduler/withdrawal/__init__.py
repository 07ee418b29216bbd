"""Taking live posts down: ``campaign withdraw`` and the dashboard's withdraw
action, both through :func:`scheduler.withdrawal.service.withdraw`."""
