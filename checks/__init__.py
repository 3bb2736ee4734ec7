"""routeguard checks: one check per module, each a Check subclass (see checks/base.py)."""
