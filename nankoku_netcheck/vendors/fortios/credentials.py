"""How a FortiOS configuration stores its passwords and secrets, and its password policy.

Administrators (`config system admin`, `set password ENC ...`) are stored as one-way
hashes: `PB2` is PBKDF2 (FortiOS 7.2.x and later); `SH2` (salted SHA-256) and `AK1` (salted
SHA-1, older releases) are fast but salted hashes, not reversible encryption: the model has
no class for them, so they are recorded as "unknown" and MGMT-006 does not report them. An
administrator without `password` has none (the factory `admin`).

Every other secret the device must be able to use again (local user passwords, IPsec
pre-shared keys, RADIUS/TACACS+/LDAP secrets, the HA password) is shown as `ENC <base64>`:
encrypted with a key built into the firmware unless `private-data-encryption enable`
(config system global) sets one of the owner's (CVE-2019-6693: anyone with the
configuration can decrypt them). Those are "reversible"; with private data encryption on
the key is not in the configuration and they are "unknown". A secret not prefixed by ENC
(a hand-written script) is plaintext.

`config system password-policy` (FortiOS defaults: `status disable`, `apply-to
admin-password`, `minimum-length 8`): a PasswordPolicy is always recorded, off when the
section is absent, and off at the `apply-to` line when the policy does not apply to
administrators' passwords.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from nankoku_netcheck.model import Credential, PasswordPolicy, Source, is_decimal
from nankoku_netcheck.vendors.fortios.blocks import Ledger, Section, Settings, settings_of, table_of

DEFAULT_MIN_LENGTH = 8
# (section path, key) of the secrets other than administrators' passwords.
_SECRETS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("user", "local"), "passwd"),
    (("vpn", "ipsec", "phase1-interface"), "psksecret"),
    (("vpn", "ipsec", "phase1"), "psksecret"),
    (("user", "radius"), "secret"),
    (("user", "tacacs+"), "key"),
    (("user", "ldap"), "password"),
    (("system", "ha"), "password"),
)


def admin_credential(ledger: Ledger, name: str, settings: Settings, at: Source, privilege: int) -> Credential:
    words = settings.words("password")
    line = settings.line("password")
    if not words or line is None:
        return Credential("user", name, "none", at, privilege)
    if words[0].upper() != "ENC":
        return Credential("user", name, "plaintext", ledger.source(line), privilege)
    stored = words[1] if len(words) > 1 else ""
    return Credential("user", name, "pbkdf2" if stored.startswith("PB2") else "unknown", ledger.source(line), privilege)


def stored_secrets(
    ledger: Ledger, sections: Mapping[tuple[str, ...], Sequence[Section]], global_settings: Settings
) -> list[Credential]:
    own_key = global_settings.lower("private-data-encryption") == "enable"
    found = []
    for path, key in _SECRETS:
        for name, settings in _objects(sections.get(path, [])):
            words = settings.words(key)
            line = settings.line(key)
            if not words or line is None:
                continue
            scheme = "plaintext" if words[0].upper() != "ENC" else "unknown" if own_key else "reversible"
            if path == ("user", "local"):
                found.append(Credential("user", name, scheme, ledger.source(line)))
            else:
                where = " ".join(path) + (f" '{name}'" if name else "")
                found.append(Credential("secret", f"{key} ({where})", scheme, ledger.source(line)))
    return found


def _objects(sections: Sequence[Section]) -> Iterator[tuple[str, Settings]]:
    """A table's entries by name, or the section's own settings (name "")."""
    yield from ((record.name, record.settings()) for record in table_of(sections).records)
    own = settings_of(node for section in sections for node in section.items)
    if own.values:
        yield "", own


def password_policy(ledger: Ledger, sections: Sequence[Section]) -> PasswordPolicy:
    if not sections:
        return PasswordPolicy(False)
    settings = settings_of(node for section in sections for node in section.items)
    status = settings.line("status")
    status_source = ledger.source(status) if status is not None else ledger.source(sections[0].first)
    if settings.lower("status", "disable") != "enable":
        return PasswordPolicy(False, status_source)
    apply_to = settings.line("apply-to")
    if apply_to is not None and "admin-password" not in (word.lower() for word in settings.words("apply-to")):
        return PasswordPolicy(False, ledger.source(apply_to))
    length_text = settings.get("minimum-length")
    length_line = settings.line("minimum-length")
    return PasswordPolicy(
        True,
        status_source,
        int(length_text) if is_decimal(length_text) else None if length_text else DEFAULT_MIN_LENGTH,
        ledger.source(length_line) if length_line is not None else None,
    )
