"""Framework adapters. Adding a framework = one module here, listed in ADAPTERS."""
from .flask import FlaskAdapter

ADAPTERS = (FlaskAdapter(),)
