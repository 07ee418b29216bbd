"""Which accounts a post goes to.

A post's ``targets`` lists platform keys (see :mod:`scheduler.platforms.registry`)
and account labels from config.yaml. A platform means every account of that platform carrying the
post's language; no ``targets`` means every platform. An account named by
label must carry the post's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.config import CampaignConfig
from scheduler.content.problems import did_you_mean, one_of
from scheduler.platforms import registry


@dataclass(frozen=True)
class TargetIssue:
    """A target entry that cannot be used; ``index`` is its place in ``targets`` (None:
    the default)."""

    rule: str
    message: str
    hint: str
    index: int | None = None


class TargetResolver:
    """Resolves target entries to account labels, in config.yaml's account order."""

    def __init__(self, config: CampaignConfig) -> None:
        self.accounts = {account.label: account for account in config.accounts}
        self._order = {account.label: index for index, account in enumerate(config.accounts)}
        self._platforms = registry.platform_keys()
        self._by_platform: dict[tuple[str, str], tuple[str, ...]] = {}
        for platform in self._platforms:
            for language in config.languages:
                self._by_platform[(platform, language)] = tuple(
                    account.label
                    for account in config.accounts
                    if account.platform == platform and language in account.languages
                )
        self._cache: dict[
            tuple[str, tuple[str, ...] | None], tuple[tuple[str, ...], tuple[TargetIssue, ...]]
        ] = {}

    def platform_of(self, label: str) -> str:
        """The platform of the account ``label`` (which must exist)."""
        return self.accounts[label].platform

    def resolve(
        self, language: str, entries: tuple[str, ...] | None
    ) -> tuple[tuple[str, ...], tuple[TargetIssue, ...]]:
        """Account labels for a post in ``language`` (``entries`` None: the default)."""
        key = (language, entries)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._resolve(language, entries)
            self._cache[key] = cached
        return cached

    def _resolve(
        self, language: str, entries: tuple[str, ...] | None
    ) -> tuple[tuple[str, ...], tuple[TargetIssue, ...]]:
        labels: set[str] = set()
        issues: list[TargetIssue] = []
        if entries is None:
            for platform in self._platforms:
                labels.update(self._by_platform.get((platform, language), ()))
            if not labels:
                issues.append(
                    TargetIssue(
                        "targets",
                        f"no account carries {language}",
                        f"add {language} to an account's `languages` in config.yaml",
                    )
                )
        elif not entries:
            issues.append(
                TargetIssue(
                    "targets",
                    "`targets` is empty",
                    "name platforms or accounts, or leave `targets` out for all",
                )
            )
        for index, entry in enumerate(entries or ()):
            found, issue = self._entry(entry.strip(), language, index)
            labels.update(found)
            if issue is not None:
                issues.append(issue)
        ordered = tuple(sorted(labels, key=self._order.__getitem__))
        return ordered, tuple(issues)

    def _entry(
        self, entry: str, language: str, index: int
    ) -> tuple[tuple[str, ...], TargetIssue | None]:
        if entry in self._platforms:
            found = self._by_platform.get((entry, language), ())
            if found:
                return found, None
            return (), TargetIssue(
                "targets",
                f"no {entry} account carries {language}",
                f"add {language} to a {entry} account's `languages` in config.yaml, "
                f"or remove {entry} from targets",
                index,
            )
        account = self.accounts.get(entry)
        if account is None:
            choices = [*self._platforms, *self.accounts]
            hint = did_you_mean(entry, choices) or f"use {one_of(choices)}"
            meant = registry.from_alias(entry)
            if meant is not None:
                hint = meant.alias_hint()
            return (), TargetIssue(
                "targets", f"{entry!r} is neither a platform nor an account label", hint, index
            )
        if language not in account.languages:
            carriers = [
                label
                for platform in self._platforms
                for label in self._by_platform.get((platform, language), ())
            ]
            suggestion = f"target {one_of(carriers)}" if carriers else "target another account"
            return (), TargetIssue(
                "targets",
                f"the account {entry} carries {one_of(account.languages)}, not {language}",
                f"{suggestion}, or add {language} to {entry}'s `languages` in config.yaml",
                index,
            )
        return (entry,), None
