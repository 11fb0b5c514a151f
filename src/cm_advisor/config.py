"""Settings: every option declared once, read from CM_ADVISOR_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Where the app finds its files and how it serves; validators refuse bad values."""

    model_config = SettingsConfigDict(env_prefix="CM_ADVISOR_", extra="ignore")

    catalogue_path: Path = Field(
        ROOT / "data" / "models.yaml", description="The models, fit rules and evidence."
    )
    questionnaire_path: Path = Field(
        ROOT / "data" / "questionnaire.yaml", description="The questions and their options."
    )
    data_dir: Path = Field(
        ROOT / "var", description="Where the embedded SQLite database and drafts are kept."
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means SQLite in the data directory."
    )
    templates_dir: Path = Field(ROOT / "templates", description="Jinja templates.")
    static_dir: Path = Field(ROOT / "static", description="CSS, JavaScript and images.")
    max_body_bytes: int = Field(
        64 * 1024, ge=1024, description="Larger request bodies are refused with 413."
    )
    api_keys: str = Field(
        "",
        description="Comma-separated keys; when set, creating and deleting assessments "
        "through the API needs one (header `X-API-Key` or `Authorization: Bearer KEY`).",
    )
    rate_limit: str = Field(
        "30/minute",
        description="New assessments per client address, e.g. `30/minute`; empty turns it off.",
    )
    draft_days: int = Field(
        30,
        ge=1,
        le=365,
        description="How many days a “Save and finish later” link keeps the answers; "
        "expired drafts are deleted.",
    )
    database_timeout: float = Field(
        3.0,
        ge=0.5,
        le=60,
        description="Seconds any one database operation may take (statements, commit, "
        "waiting for a lock or a pooled connection); then the request answers 503 with "
        "Retry-After. Connecting to PostgreSQL gets at most 2 s or half of this.",
    )
    host: str = Field("127.0.0.1", description="Address `cm-advisor serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `cm-advisor serve` listens on.")

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
