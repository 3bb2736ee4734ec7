"""Precision of the secondary rules on code written the way real projects write it."""
from routeguard import scan_sources


def _rules(report, rule):
    return sorted((f.location.file, f.location.line, f.severity.level) for f in report.findings if f.rule_id == rule)


def test_secret_defaults_a_signing_key_stays_a_stand_in_password_does_not():
    report = scan_sources({
        "app/core/config.py": """
import os
from pydantic_settings import BaseSettings

class Settings(BaseSettings):
    SECRET_KEY: str = "dev-secret"
    POSTGRES_PASSWORD: str = "mealie"
    SMTP_PASSWORD: str = "Zq8#rT2v!Lm9xW4k"

SMTP_USER = os.getenv("SMTP_USER", "user")
SMTP_PASSWORD_FALLBACK = os.getenv("SMTP_PASSWORD_FALLBACK", "password")
MAILGUN_API_KEY = os.getenv("MAILGUN_API_KEY", "key-3ax6xnjp29jd6fds4gc373sgvjxteol0")
DB_PASSWORD = "changeme"
""",
        "settings/ci.py": 'SECRET_KEY = "ci-only-key"\n',
    })
    assert _rules(report, "RG403") == [
        ("app/core/config.py", 6, "warning"),   # signing key default: forgeable wherever the variable is unset
        ("app/core/config.py", 8, "warning"),   # a real-looking credential as a default
        ("app/core/config.py", 12, "warning"),
        ("app/core/config.py", 13, "note"),     # a stand-in set directly
    ]
