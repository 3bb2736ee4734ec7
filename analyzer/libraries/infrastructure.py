"""Storage, network, operating-system and remote-service packages: whose errors carry the
server's details (queries, host names, paths, account ids) in their text. A table only: other
libraries' errors (a parser, a codec, a protocol encoder) describe the input they were given."""
from __future__ import annotations

from ..frameworks.base import Adapter


class InfrastructureAdapter(Adapter):
    name = "infrastructure"
    infrastructure_modules = frozenset({
        "sqlalchemy", "psycopg2", "psycopg", "asyncpg", "pymysql", "MySQLdb", "sqlite3", "aiosqlite", "django",
        "peewee", "tortoise", "pony", "databases", "sqlmodel", "pymongo", "motor", "mongoengine", "redis", "aioredis",
        "elasticsearch", "opensearchpy", "cassandra", "requests", "httpx", "aiohttp", "urllib.request", "urllib.error",
        "urllib3", "http",
        "socket", "ssl", "smtplib", "ftplib", "imaplib", "subprocess", "os", "io", "shutil", "boto3", "botocore",
        "aiobotocore", "google", "googleapiclient", "azure", "kombu", "celery", "pika", "kafka", "aiokafka", "ldap",
        "ldap3", "paramiko", "grpc", "kubernetes", "docker", "openai", "stripe", "slack_sdk", "jira", "github",
    })
