"""An offline, faithful mock of Adobe Experience Platform's Flow Service API.

``create_app(config)`` builds a Flask app; ``mock-flowservice serve`` runs it on a production
WSGI server. See README.md and DECISIONS.md.
"""

from __future__ import annotations

from .app import create_app
from .config import DEFAULT_BASE_PATH, MockConfig
from .context import MockContext, of_app
from .intercept import Intercept, intercept

__all__ = [
    "DEFAULT_BASE_PATH",
    "Intercept",
    "MockConfig",
    "MockContext",
    "create_app",
    "intercept",
    "of_app",
]

__version__ = "0.1.0"
