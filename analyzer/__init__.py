"""routeguard: find the authentication and authorization gaps in Flask, FastAPI and Django APIs."""
__version__ = "0.1.0"

from .api import scan_paths, scan_sources  # noqa: E402
from .config import Config, ConfigError  # noqa: E402

__all__ = ["scan_paths", "scan_sources", "Config", "ConfigError", "__version__"]
