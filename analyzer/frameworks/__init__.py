"""Framework adapters. Adding a framework = one module here, listed in ADAPTERS."""
from .fastapi import FastAPIAdapter
from .flask import FlaskAdapter

ADAPTERS = (FlaskAdapter(), FastAPIAdapter(),)
