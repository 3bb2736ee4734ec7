"""Library adapters: what an ORM, schema or token library means, as tables (``Adapter`` in
``frameworks/base.py``), whichever web framework the project uses. Adding a library = one
module here, listed in LIBRARIES."""
from .django_orm import DjangoORMAdapter
from .infrastructure import InfrastructureAdapter
from .jwt import JWTAdapter
from .marshmallow import MarshmallowAdapter
from .peewee import PeeweeAdapter
from .pydantic import PydanticAdapter
from .sqlalchemy import SQLAlchemyAdapter

LIBRARIES = (SQLAlchemyAdapter(), PydanticAdapter(), DjangoORMAdapter(), PeeweeAdapter(), JWTAdapter(),
             MarshmallowAdapter(), InfrastructureAdapter())
