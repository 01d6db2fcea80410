"""What a password must be: long enough, not a common one (or a trivial variant of one), not the e-mail.

Hashing is Argon2id (memory-hard) in `webapp.auth.services`; this module only judges the choice.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # Argon2 takes any length; a cap keeps a huge POST from costing anything extra

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _core(password: str) -> str:
    """The password without case, trailing digits/punctuation and separators: "Juventus1897!" -> "juventus"."""
    lowered = password.lower().strip()
    return re.sub(r"[\W_\d]+$", "", lowered).replace(" ", "").replace("-", "").replace(".", "")


def password_problem(password: str, email: str | None = None) -> str | None:
    """The reason this password is refused (Italian), or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("La password deve avere almeno %(n)d caratteri.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("La password può avere al massimo %(n)d caratteri.", n=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    common = common_passwords()
    if lowered in common or _core(password) in common or lowered.replace(" ", "") in common:
        return _("Questa password è tra le più usate e facili da indovinare: scegline un'altra.")
    if len(set(lowered)) <= 3:
        return _("La password è troppo ripetitiva: scegline una più varia.")
    if _is_repetition(lowered):
        return _("La password è troppo ripetitiva: scegline una più varia.")
    if email:
        local = email.split("@", 1)[0].lower()
        if lowered == email.lower() or (len(local) >= 4 and local in lowered and len(lowered) - len(local) < 6):
            return _("La password non può essere simile al tuo indirizzo e-mail.")
    return None


def _is_repetition(text: str) -> bool:
    """True when the text is one short chunk repeated ("abcabcabcabc", "12121212")."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return False
