"""`manage.py bench`: how the main pages, the import, the annual PDF, the reminders run and
the portal under load behave at one unit's size (N=1) and at 100 units (N=100).

The command (homes/management/commands/bench.py) builds its own throwaway databases, seeds
them with `seed_scale`, and runs each measurement in a fresh process pointed at one of them
with production settings (`probes`); `report` turns the figures into the table.
"""
