"""The platform profile: everything the product knows about one platform, behind one class.

Each platform folder (``platforms/x/``, ``platforms/facebook/``) provides one
subclass of :class:`PlatformProfile`, and :mod:`scheduler.platforms.registry`
lists them. The rest of the product asks the registry for profiles and never
names a platform: the check counts a text with :meth:`~PlatformProfile.text_rule`,
the daemon waits :attr:`~PlatformProfile.rate_limits`' ``default_wait``, the
dashboard shows :attr:`~PlatformProfile.display_name` on a badge of
:attr:`~PlatformProfile.badge_colour`, the sandbox mounts
:meth:`~PlatformProfile.build_sandbox`.

=============================  ==============================================
what                           members
=============================  ==============================================
who it is                      ``key``, ``display_name``, ``label``, ``aliases``,
                               ``badge_colour``
text                           :meth:`text_rule` (counting, limit, links),
                               ``refuses_repeated_text``
media                          :meth:`media_rules` (formats, sizes, counts, mixing,
                               alt text, each with its source)
rate limits                    ``rate_limits`` (limits, caps, where resets arrive)
cost                           :meth:`prices` (defaults, overridable in config.yaml),
                               :meth:`publication_cost` (what one post is billed),
                               :meth:`read_cost` (what reading posts back is billed)
settings                       ``settings_model`` (``platforms.<key>`` in config.yaml)
accounts                       ``credential_fields``, :meth:`fields_for`,
                               :meth:`account_problems`, :meth:`identity_problems`, ``token_renewal``,
                               :meth:`access_renewal`
posts                          :meth:`post_url`, :meth:`post_id_from_url`,
                               ``link_hosts``
publishing                     :meth:`build_publisher` (the contract in ``base.py``;
                               error translation lives in the publisher),
                               :meth:`refusal_fix` (how a person fixes a refusal)
sandbox                        :meth:`build_sandbox`, :meth:`sandbox_credentials`,
                               :meth:`fault_catalogue`
=============================  ==============================================

A profile module imports no client library: the publisher and the sandbox are
imported inside :meth:`build_publisher` and :meth:`build_sandbox`, so listing
the platforms or reading their facts (every command does) loads none of them.
Nothing here imports :mod:`scheduler.config`: config asks the registry which
platforms exist and which settings model reads each ``platforms.<key>``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field

from scheduler.clock import Clock
from scheduler.platforms.base import AccountIdentity, Credentials, Publisher
from scheduler.platforms.facts import CredentialField, MediaRules, Price, RateLimits, TextRule

if TYPE_CHECKING:
    from scheduler.platforms.facts import TokenRenewal
    from scheduler.platforms.faults import FaultCatalogue, FaultSource
    from scheduler.platforms.sandbox_base import PlatformSandbox


class AccountEntry(Protocol):
    """What a profile reads of an account of config.yaml (``scheduler.config.Account``)."""

    @property
    def label(self) -> str: ...

    @property
    def platform(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def page_id(self) -> str | None: ...

    @property
    def credentials(self) -> Mapping[str, str]: ...

    @property
    def auth(self) -> str | None: ...


class PlatformSettings(BaseModel):
    """The settings of one platform, ``platforms.<key>`` in config.yaml.

    Every platform has an API base URL (the real API or the sandbox) and a
    per-call timeout in seconds; a platform's own model adds what it needs and
    validates it (unknown keys are errors).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    api_base_url: str
    request_timeout_s: float = Field(default=20.0, gt=0)

    def pointed_at(self, url: str) -> Self:
        """A copy whose calls go to ``url`` (the sandbox), everything else kept."""
        return self.model_copy(update={"api_base_url": url})

    def with_timeout_at_most(self, seconds: float) -> Self:
        """A copy whose per-call timeout is at most ``seconds``."""
        return self.model_copy(update={"request_timeout_s": min(self.request_timeout_s, seconds)})


class PlatformProfile(ABC):
    """One platform, as the rest of the product sees it.

    Class attributes (set by each platform):

    - ``key``: the name in config.yaml, posts' ``targets`` and ``variants``, the
      database and the fault plan (``x``);
    - ``display_name``: how people write it (``X``); ``label``: what the product
      publishes to, as a sentence names it (``Facebook Pages``);
    - ``aliases``: other words people use for it (``twitter``), lower case;
    - ``badge_colour``: the dashboard badge's CSS colour;
    - ``link_hosts``: hosts of its posts' links (the dashboard links only these);
    - ``settings_model``: the model of ``platforms.<key>``;
    - ``credential_fields``: what an account's ``credentials:`` names;
    - ``rate_limits``: limits, caps, and where reset times arrive;
    - ``refuses_repeated_text``: the check refuses one text twice on an account;
    - ``takes_content_warning``: it shows a post's content warning (counted with the text);
    - ``library_loggers``: loggers of its client library, kept at WARNING;
    - ``token_renewal``: what to do about a token that expires before the
      campaign ends, in plain words.
    """

    key: ClassVar[str]
    display_name: ClassVar[str]
    label: ClassVar[str]
    aliases: ClassVar[frozenset[str]] = frozenset()
    badge_colour: ClassVar[str] = "#000000"
    link_hosts: ClassVar[frozenset[str]] = frozenset()
    settings_model: ClassVar[type[PlatformSettings]]
    credential_fields: ClassVar[tuple[CredentialField, ...]]
    rate_limits: ClassVar[RateLimits]
    refuses_repeated_text: ClassVar[bool] = False
    takes_content_warning: ClassVar[bool] = False
    library_loggers: ClassVar[tuple[str, ...]] = ()
    token_renewal: ClassVar[str] = "renew it"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key!r}>"

    # -- text and media ------------------------------------------------------------

    @abstractmethod
    def text_rule(self, settings: PlatformSettings) -> TextRule:
        """How this platform counts a text and its limit, for these settings
        (a platform whose limit depends on its server reads it from them)."""

    @abstractmethod
    def media_rules(self, settings: PlatformSettings) -> MediaRules:
        """What this platform accepts as a post's media, for these settings."""

    def prices(self, settings: PlatformSettings) -> tuple[Price, ...]:
        """What the platform bills, per operation, after config.yaml's overrides;
        empty when it bills nothing."""
        return ()

    def publication_cost(
        self, settings: PlatformSettings, text: str, alt_texts: int = 0
    ) -> tuple[tuple[Price, int], ...]:
        """The priced requests one publication makes when it goes out: each
        :class:`Price` (from :meth:`prices`) with how many of it, for a post of
        ``text`` carrying ``alt_texts`` images described with alt text. Empty
        when the platform bills nothing (the default). Retries the platform
        refuses are not billed by it, so they are not counted here."""
        return ()

    def read_cost(
        self, settings: PlatformSettings, posts_read: int
    ) -> tuple[tuple[Price, int], ...]:
        """The priced reads of ``posts_read`` posts read back from the account's
        own timeline (reconciliation, :attr:`~scheduler.platforms.base.Publisher.posts_read`);
        empty when the platform bills no read (the default)."""
        return ()

    # -- accounts --------------------------------------------------------------------

    @property
    def base_url_setting(self) -> str:
        """The config.yaml key of the API base URL, for messages."""
        return f"platforms.{self.key}.api_base_url"

    def fields_for(self, account: AccountEntry) -> tuple[CredentialField, ...]:
        """The credential fields ``account`` names, for its ``auth`` (default: one set)."""
        return self.credential_fields

    def auth_problems(self, account: AccountEntry) -> list[str]:
        """What is wrong with ``account``'s ``auth`` (by default it takes none)."""
        if account.auth is None:
            return []
        return [f"{self.display_name} accounts take no auth setting; remove auth: {account.auth}"]

    def account_problems(self, account: AccountEntry) -> list[str]:
        """What is wrong with an account of this platform in config.yaml, in
        plain words (empty when nothing is): its ``auth``, credential fields
        missing or unknown, and whatever the platform's own accounts need."""
        if problems := self.auth_problems(account):
            return problems
        fields = self.fields_for(account)
        required = [spec.name for spec in fields if spec.required]
        known = [spec.name for spec in fields]
        missing = [name for name in required if name not in account.credentials]
        unknown = [name for name in account.credentials if name not in known]
        auth = f" with auth: {account.auth}" if account.auth else ""
        if missing:
            problems.append(
                f"credentials for a {self.key} account{auth} need {', '.join(missing)} "
                "(each the name of an environment variable)"
            )
        if unknown:
            problems.append(
                f"unknown credential field(s) {', '.join(unknown)}; "
                f"{self.key}{auth} takes {', '.join(known)}"
            )
        return problems

    def access_renewal(
        self, account: AccountEntry, settings: PlatformSettings, credentials: Credentials
    ) -> TokenRenewal | None:
        """How ``account``'s access token in the token store is renewed, or None
        when its credentials are long-lived values of the environment (the default)."""
        return None

    def alias_hint(self) -> str:
        """The fix for a target written with one of ``aliases`` (``fb``)."""
        return f"write {self.key}"

    def identity_problems(self, account: AccountEntry, identity: AccountIdentity) -> list[str]:
        """Why ``identity`` (what the platform says the credentials speak for) is
        not the account config.yaml means; empty when it is, or cannot be told."""
        return []

    # -- posts ------------------------------------------------------------------------

    @abstractmethod
    def post_url(self, post_id: str) -> str:
        """The public link of the post with the platform's id ``post_id``."""

    @abstractmethod
    def post_id_from_url(self, url: str) -> str | None:
        """The platform's post id read from a public link a person pasted, or
        None when ``url`` is not a link to one of this platform's posts."""

    # -- publishing ---------------------------------------------------------------------

    def refusal_fix(
        self, outcome: str | None, code: str | None, http_status: int | None
    ) -> str | None:
        """How a person fixes what the platform refused (an attempt's ``outcome``,
        the platform's ``code`` and HTTP status as the publisher recorded them), or
        None when there is nothing for a person to fix."""
        return None

    @abstractmethod
    def build_publisher(
        self,
        account: AccountEntry,
        settings: PlatformSettings,
        credentials: Credentials,
        clock: Clock,
    ) -> Publisher:
        """The publisher of ``account`` (see :mod:`scheduler.platforms.base`),
        talking to ``settings.api_base_url``.

        :raises ConfigError: the account cannot be published to as configured.
        """

    # -- sandbox ------------------------------------------------------------------------

    @abstractmethod
    def build_sandbox(
        self, accounts: Sequence[AccountEntry], clock: Clock, faults: FaultSource, **options: Any
    ) -> PlatformSandbox:
        """This platform's stand-in for ``accounts`` (those of this platform),
        on ``clock``, taking faults from ``faults``; its routes share one local
        server with the other platforms' (:mod:`scheduler.sandbox.app`).
        ``options`` are the platform's own knobs (tests set rate windows)."""

    @abstractmethod
    def sandbox_credentials(self, label: str) -> dict[str, str]:
        """Credential field -> the value the sandbox accepts for account ``label``
        (not secrets: they open only the local stand-in)."""

    @abstractmethod
    def fault_catalogue(self) -> FaultCatalogue:
        """The fault endpoints of this platform's sandbox, which of them create a
        post, its own fault kinds and what they do (see
        :mod:`scheduler.platforms.faults`)."""


def joined(words: Iterable[str]) -> str:
    """``A, B and C``: ``words`` joined for a sentence (``X and Facebook Pages``)."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
