"""Framework adapters. Adding a framework = one module here, listed in ADAPTERS (after them, the
library adapters of analyzer/libraries/)."""
from ..libraries import LIBRARIES
from .connexion import ConnexionAdapter
from .django import DjangoAdapter
from .drf import DRFAdapter
from .fastapi import FastAPIAdapter
from .flask import FlaskAdapter
from .graphql import GraphQLAdapter

ADAPTERS = (FlaskAdapter(), FastAPIAdapter(), DjangoAdapter(), DRFAdapter(), GraphQLAdapter(), ConnexionAdapter(),
            *LIBRARIES)
