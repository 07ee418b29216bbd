"""The campaign file (config.yaml) and the runtime settings.

Layering, lowest to highest: the defaults below, then ``config.yaml``, then
environment variables (``CAMPAIGN_*``, see :class:`RuntimeSettings`), then CLI
flags. Parsed once into frozen objects and passed down; never a global.

Every model forbids unknown keys, so a misspelt key is an error with a
"did you mean" rather than a silently ignored setting. Secrets never live in
this file: accounts name the environment variables that hold them.

Which platforms exist, what each account of a platform needs and how each
``platforms.<key>`` section reads is asked of the platforms' registry
(:mod:`scheduler.platforms.registry`); this module names no platform.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializeAsAny,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from scheduler.alert_settings import AlertSettings, variable_name
from scheduler.errors import ConfigError, ContentError
from scheduler.files import CONFIG_MAX_BYTES, read_limited
from scheduler.platforms import registry
from scheduler.platforms.profile import PlatformSettings
from scheduler.platforms.validation import PlatformKey, platform_sections
from scheduler.validation_words import closest, listed, plain_message, yaml_kind
from scheduler.yamlsafe import Document, load_bytes

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
# The name of an environment variable that holds a secret, never the secret.
EnvName = Annotated[str, AfterValidator(variable_name)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Conference(_Strict):
    """The event the campaign leads up to; dates are local to the campaign timezone."""

    name: str
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Conference:
        if self.end < self.start:
            raise ValueError("conference end is before its start")
        return self


class Window(_Strict):
    """First and last local day on which posts may be published (inclusive)."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("window end is before its start")
        return self


class Campaign(_Strict):
    """Who, what and when.

    ``id`` names this campaign (``ccm-2020``); the database records it on the
    first sync and refuses a campaign file with another id, so next year's
    campaign never runs on this year's queue (see
    :mod:`scheduler.storage.facts`). Optional for campaign files written
    before it existed; ``campaign new`` always writes one.
    ``budget_usd`` caps what the platforms that bill per request (X) may
    charge for the whole campaign, in US dollars; None: no cap.
    """

    id: Slug | None = None
    name: str
    hashtag: Annotated[str, StringConstraints(pattern=r"^#\w+$")]
    timezone: str
    conference: Conference
    window: Window
    budget_usd: float | None = Field(default=None, ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r}; use an IANA name like Europe/Zurich"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_midnight(self, day: date) -> datetime:
        """Aware datetime of 00:00 local time on ``day``."""
        return datetime.combine(day, time(0, 0), tzinfo=self.zone)

    @property
    def conference_start(self) -> datetime:
        """Local midnight that begins the conference's first day (aware)."""
        return self.local_midnight(self.conference.start)

    @property
    def window_start(self) -> datetime:
        """Aware instant the campaign window opens (local midnight of its first day)."""
        return self.local_midnight(self.window.start)

    @property
    def window_end(self) -> datetime:
        """Aware instant the campaign window closes (local midnight after its last day)."""
        return self.local_midnight(self.window.end + timedelta(days=1))


class MediaSettings(_Strict):
    """Where images live and how the logo files are named.

    ``logo`` is a pattern relative to ``directory`` with ``{language}`` and
    ``{call}`` placeholders; ``graphics`` names further campaign images a post may
    add after its logo.

    ``logo_alt`` is the logo's default alt text per language: one text, where
    ``{call}`` stands for the call's wording in that language, or one text per
    call. ``alt_text`` says whether every image needs alt text (``required``:
    a missing one is an error) or should have it (``recommended``: a warning).
    """

    directory: str = "media"
    logo: str = "logos/{language}/{call}.png"
    graphics: dict[Slug, str] = Field(default_factory=dict)
    logo_alt: dict[Slug, str | dict[Slug, str]] = Field(default_factory=dict)
    alt_text: Literal["required", "recommended"] = "recommended"

    @field_validator("logo")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        for placeholder in ("{language}", "{call}"):
            if placeholder not in value:
                raise ValueError(f"the logo pattern must contain {placeholder}")
        return value


class Account(_Strict):
    """One account the campaign publishes to.

    ``credentials`` maps each credential field to the *name* of the environment
    variable that holds it, never the secret. ``daily_cap`` counts posts per
    local day; ``min_spacing_min``: least minutes between two posts.
    ``budget_usd`` caps what the platform bills for this account, in US dollars
    (None: no cap; only per-request platforms such as X charge). ``auth``: how a
    platform with several ways to authorize does it (X: ``oauth1``, the default,
    or ``oauth2``; the profile says which values it takes).
    """

    label: Slug
    platform: PlatformKey
    name: str
    languages: list[str] = Field(min_length=1)
    page_id: str | None = None
    credentials: dict[str, EnvName]
    daily_cap: int = Field(default=20, ge=1)
    min_spacing_min: float = Field(default=30, ge=0)
    budget_usd: float | None = Field(default=None, ge=0)
    auth: str | None = None

    @model_validator(mode="after")
    def _fits_its_platform(self) -> Account:
        """Credential fields and whatever the platform's accounts need (its profile says)."""
        problems = registry.profile(self.platform).account_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Publishing(_Strict):
    """How the daemon behaves. Units are in the names.

    ``catch_up_spacing_s``: posts found late (the daemon was down) that are still
    within ``late_grace_min`` go out in time order, this far apart per account.
    ``video_lead_min``: videos are uploaded this long before their post's time.
    """

    late_grace_min: float = Field(default=60, ge=0)
    lease_s: float = Field(default=120, gt=0)
    max_attempts: int = Field(default=5, ge=1)
    backoff_base_s: float = Field(default=30, gt=0)
    backoff_max_s: float = Field(default=1800, gt=0)
    window_h: float = Field(default=24, gt=0)
    refresh_s: float = Field(default=2, gt=0)
    catch_up_spacing_s: float = Field(default=10, ge=0)
    video_lead_min: float = Field(default=30, ge=0, le=12 * 60)


class WebSettings(_Strict):
    """The dashboard (``campaign web``).

    ``operator_token_env`` names the environment variable that holds the
    operator token: signing in with it allows actions (retry, cancel, resolve,
    pause, resume). There is no default token; without one the dashboard is
    read-only. ``session_hours`` is how long a sign-in lasts (at most 31 days).
    ``public_url`` is the address people reach the dashboard at
    (``https://dashboard.example.org``, scheme, host and port only): required
    when it listens beyond loopback, where it is the only Host trusted and the
    base of redirects and calendar feed links.
    """

    operator_token_env: EnvName = "CAMPAIGN_OPERATOR_TOKEN"
    session_hours: float = Field(default=12, gt=0, le=24 * 31)
    public_url: str | None = None

    @field_validator("public_url")
    @classmethod
    def _origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"{value!r} has a port that is not a number from 1 to 65535") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"{value!r} is not a web address: write it as https://dashboard.example.org"
            )
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError(f"{value!r} must be only the scheme, host and port, nothing else")
        if parts.path not in ("", "/"):
            raise ValueError(
                f"{value!r} has a path: the dashboard is served at the root of its address"
            )
        host = parts.hostname.lower()
        shown = f"[{host}]" if ":" in host else host
        return f"{parts.scheme}://{shown}" + (f":{port}" if port else "")


class CampaignConfig(_Strict):
    """The whole of config.yaml."""

    campaign: Campaign
    languages: dict[Slug, str] = Field(min_length=1)
    calls: dict[Slug, dict[str, str]] = Field(min_length=1)
    media: MediaSettings = Field(default_factory=MediaSettings)
    platforms: Annotated[
        dict[str, SerializeAsAny[PlatformSettings]], BeforeValidator(platform_sections)
    ] = Field(default_factory=dict, validate_default=True)
    accounts: list[Account] = Field(min_length=1)
    publishing: Publishing = Field(default_factory=Publishing)
    web: WebSettings = Field(default_factory=WebSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    database_url: str = "sqlite:///campaign.db"
    _base_dir: str = PrivateAttr(default=".")

    @model_validator(mode="after")
    def _consistent(self) -> CampaignConfig:
        for call, wording in self.calls.items():
            missing = [lang for lang in self.languages if lang not in wording]
            if missing:
                raise ValueError(f"call {call!r} has no wording for {', '.join(missing)}")
            extra = [lang for lang in wording if lang not in self.languages]
            if extra:
                raise ValueError(
                    f"call {call} has wording for {listed(extra)}, not among the campaign's "
                    f"languages ({listed(self.languages)})"
                )
        self._check_logo_alt()
        labels = [account.label for account in self.accounts]
        duplicates = {label for label in labels if labels.count(label) > 1}
        if duplicates:
            raise ValueError(f"account labels must be unique: {listed(sorted(duplicates))}")
        for account in self.accounts:
            unknown = [lang for lang in account.languages if lang not in self.languages]
            if unknown:
                raise ValueError(
                    f"account {account.label} carries {listed(unknown)}, not among the "
                    f"campaign's languages ({listed(self.languages)})"
                )
        return self

    def _check_logo_alt(self) -> None:
        for language, texts in self.media.logo_alt.items():
            unknown = (
                [call for call in texts if call not in self.calls]
                if isinstance(texts, dict)
                else []
            )
            if language not in self.languages or unknown:
                where = f"media.logo_alt.{language}"
                raise ValueError(
                    f"{where} names {listed(unknown)}, not among the campaign's calls"
                    if unknown
                    else f"{where}: {language!r} is not among the campaign's languages"
                )

    def account(self, label: str) -> Account:
        """The account with ``label``; raises ConfigError when there is none."""
        for account in self.accounts:
            if account.label == label:
                return account
        raise ConfigError(f"no account labelled {label!r} in config.yaml")

    def logo_path(self, language: str, call: str) -> str:
        """Path of the logo for ``language`` and ``call``, relative to the media directory."""
        return self.media.logo.format(language=language, call=call)

    @property
    def base_dir(self) -> Path:
        """Directory that relative paths (posts/, media/, the database) start from."""
        return Path(self._base_dir)


class RuntimeSettings(BaseSettings):
    """Settings from the environment (``CAMPAIGN_*``), above config.yaml.

    ``CAMPAIGN_CONFIG``: path of the campaign file (default ``config.yaml``).
    ``CAMPAIGN_DATABASE_URL``: overrides ``database_url``.
    ``CAMPAIGN_LOG_FORMAT``: ``text`` (default) or ``json`` (JSON lines).
    ``CAMPAIGN_LOG_LEVEL``: a logging level name, default ``INFO``.
    """

    model_config = SettingsConfigDict(env_prefix="CAMPAIGN_", extra="ignore", frozen=True)

    config: str = "config.yaml"
    database_url: str | None = None
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"


def runtime_settings() -> RuntimeSettings:
    """The ``CAMPAIGN_*`` environment variables, read and checked.

    :raises ConfigError: naming the variable and what it takes, in plain words.
    """
    try:
        return RuntimeSettings()
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = f"CAMPAIGN_{str(item['loc'][0]).upper()}" if item["loc"] else "CAMPAIGN_*"
            message, hint = plain_message(item, name)
            problems.append(
                ConfigError(
                    message.replace(f"`{name}`", name, 1),
                    where="environment",
                    hint=hint or f"change {name}, or unset it",
                )
            )
        if len(problems) == 1:
            raise problems[0] from None
        raise ConfigError("\n".join(str(problem) for problem in problems)) from None


def _location(document: Document, loc: tuple[Any, ...]) -> tuple[str, int, int]:
    path = tuple(
        part for part in loc if not (isinstance(part, str) and part.startswith("function-"))
    )
    mark = document.mark(path)
    dotted = ""
    for part in path:
        dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else str(part))
    return dotted or "(top level)", mark.line, mark.column


def _did_you_mean(key: str, names: list[str] | None) -> str:
    match = closest(key, names or [])
    return f"did you mean {match!r}?" if match else ""


def _names_at(loc: tuple[Any, ...]) -> list[str] | None:
    """The keys allowed where ``loc`` ends (None when unknown): the fields of
    the model there; under ``platforms`` the platforms' keys, and below a key
    the fields of that platform's settings model."""
    model: Any = CampaignConfig
    parents = loc[:-1]
    if parents[:1] == ("platforms",):
        if len(parents) == 1:
            return list(registry.platform_keys())
        profile = registry.find(str(parents[1]))
        if profile is None:
            return None
        model, parents = profile.settings_model, parents[2:]
    for part in parents:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if model is None:
            return None
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return None


def format_validation_errors(error: ValidationError, document: Document) -> list[ConfigError]:
    """Turn pydantic's errors into ConfigErrors with ``file:line:column``, the
    problem in plain words (:mod:`scheduler.validation_words`) and a fix."""
    problems: list[ConfigError] = []
    for item in error.errors():
        loc = tuple(item["loc"])
        dotted, line, column = _location(document, loc)
        field = next((str(part) for part in reversed(loc) if isinstance(part, str)), "value")
        message, hint = plain_message(item, field)
        if item["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
            hint = _did_you_mean(str(loc[-1]), _names_at(loc)) or "remove it"
        elif loc in document.plain_scalars and not isinstance(item["input"], str):
            source = document.plain_scalars[loc]
            if item["type"] in ("string_type", "string_pattern_mismatch"):
                hint = f'YAML read {source} as {yaml_kind(item["input"])}; quote it: "{source}"'
        problems.append(
            ConfigError(message, where=f"{document.path}:{line}:{column} {dotted}", hint=hint)
        )
    return problems


def load_config(path: str | os.PathLike[str] = "config.yaml") -> CampaignConfig:
    """Read and validate the campaign file at ``path``.

    :raises ConfigError: for a missing, unreadable or invalid file; the message
        lists every problem with ``file:line:column`` and how to fix it.
    """
    file_path = Path(path)
    if not file_path.exists():
        raise ConfigError(
            f"no campaign file at {file_path}",
            hint="run from the campaign's folder, or set CAMPAIGN_CONFIG / pass --config",
        )
    try:
        raw = read_limited(
            file_path, CONFIG_MAX_BYTES, "a campaign file", hint="give the campaign's config.yaml"
        )
        document = load_bytes(raw, str(file_path))
    except ContentError as error:
        raise ConfigError(
            error.problem, where=f"{error.path}:{error.line}:{error.column}", hint=error.hint
        ) from None
    if not isinstance(document.data, dict):
        raise ConfigError("the campaign file must be a mapping of keys", where=str(file_path))
    try:
        config = CampaignConfig.model_validate(document.data)
    except ValidationError as error:
        problems = format_validation_errors(error, document)
        if len(problems) == 1:
            raise problems[0] from None
        raise ConfigError(
            f"{len(problems)} problems in the campaign file:\n"
            + "\n".join(f"- {p}" for p in problems)
        ) from None
    config._base_dir = str(file_path.resolve().parent)
    return config


def resolve_database_url(config: CampaignConfig, settings: RuntimeSettings) -> str:
    """The database URL after layering; a relative SQLite path is taken from the config's folder."""
    url = settings.database_url or config.database_url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str(config.base_dir / url[len(prefix) :])
    return url


DEFAULT_DASHBOARD = "http://127.0.0.1:8000"


def dashboard_address(config: CampaignConfig) -> str:
    """Where people open the dashboard: ``web.public_url``, else ``campaign web``'s
    default address on this machine. Links the terminal prints to a dashboard page
    (what the sandbox received, the calendar feed) start with it."""
    return (config.web.public_url or DEFAULT_DASHBOARD).rstrip("/")
