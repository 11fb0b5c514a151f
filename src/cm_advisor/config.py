"""Settings: every option declared once, read from CM_ADVISOR_* environment variables."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def locate(package: Path, prefix: Path) -> tuple[Path, Path]:
    """Where data/, templates/ and static/ are, and the default data directory.

    A built wheel carries the three folders inside the package (pyproject.toml maps them
    there) and keeps its database under the environment's prefix, as Flask does for an
    installed app's instance folder. Run from a checkout, or an editable install of one,
    they are the checkout's top-level folders and the database goes in its var/.
    """
    if (package / "data").is_dir():
        return package, prefix / "var" / "cm-advisor"
    checkout = package.parents[1]
    return checkout, checkout / "var"


def _package() -> Path:
    files = resources.files("cm_advisor")
    if not isinstance(files, Path):
        raise RuntimeError(f"cm_advisor must be installed as files, not imported from {files}")
    return files.resolve()


SHIPPED, DATA_DIR = locate(_package(), Path(sys.prefix))


class Settings(BaseSettings):
    """Where the app finds its files and how it serves; validators refuse bad values."""

    model_config = SettingsConfigDict(env_prefix="CM_ADVISOR_", extra="ignore")

    catalogue_path: Path = Field(
        SHIPPED / "data" / "models.yaml", description="The models, fit rules and evidence."
    )
    questionnaire_path: Path = Field(
        SHIPPED / "data" / "questionnaire.yaml", description="The questions and their options."
    )
    data_dir: Path = Field(
        DATA_DIR, description="Where the embedded SQLite database and drafts are kept."
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means SQLite in the data directory."
    )
    templates_dir: Path = Field(SHIPPED / "templates", description="Jinja templates.")
    static_dir: Path = Field(SHIPPED / "static", description="CSS, JavaScript and images.")
    max_body_bytes: int = Field(
        64 * 1024, ge=1024, description="Larger request bodies are refused with 413."
    )
    api_keys: str = Field(
        "",
        description="Comma-separated keys; when set, creating and deleting assessments "
        "and every group-round write through the JSON API need one (header `X-API-Key` or "
        "`Authorization: Bearer KEY`). They never cover the browser forms: see `html_writes`.",
    )
    html_writes: bool = Field(
        True,
        description="Whether the browser forms may save, edit and delete results and group "
        "rounds (POST /assess, /drafts, /manage/…, /groups and /groups/…); false answers them "
        "403, so that with API keys set nothing is written without a key.",
    )
    public_base_url: str = Field(
        "",
        description="The address people reach the app at, e.g. `https://advisor.example.org`; "
        "share and manage links are built from it instead of the request's Host header.",
    )
    forwarded_allow_ips: str = Field(
        "",
        description="Comma-separated proxy addresses whose X-Forwarded-For and "
        "X-Forwarded-Proto headers `cm-advisor serve` trusts; empty trusts none.",
    )
    keep_alive_seconds: int = Field(
        5, ge=1, le=300, description="How long `cm-advisor serve` keeps an idle connection open."
    )
    max_connections: int = Field(
        1000,
        ge=0,
        description="Connections and requests `cm-advisor serve` handles at once before "
        "answering 503 (uvicorn's limit_concurrency); 0 for no limit.",
    )
    rate_limit: str = Field(
        "30/minute",
        description="New assessments, drafts, group rounds and responses per client address, "
        "e.g. `30/minute`; empty turns it off.",
    )
    draft_days: int = Field(
        30,
        ge=1,
        le=365,
        description="How many days a “Save and finish later” link keeps the answers; "
        "expired drafts are deleted.",
    )
    database_timeout: float = Field(
        2.0,
        ge=0.5,
        le=60,
        description="Seconds any one database operation may take (statements, commit, "
        "waiting for a lock or a pooled connection); then the request answers 503 with "
        "Retry-After. Connecting to PostgreSQL gets at most 2 s or half of this.",
    )
    host: str = Field("127.0.0.1", description="Address `cm-advisor serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `cm-advisor serve` listens on.")

    @field_validator("public_base_url")
    @classmethod
    def _valid_base(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError("public_base_url must be an http(s) URL such as https://host")
            if parts.query or parts.fragment:
                raise ValueError("public_base_url may not have a query or fragment")
        return value

    @field_validator("rate_limit")
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        if value.strip():
            from limits import parse_many  # only when a limit is set (see web/guards.py)

            parse_many(value)  # raises ValueError on nonsense such as "lots"
        return value.strip()

    @property
    def api_key_set(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.api_keys.split(",") if k.strip())
