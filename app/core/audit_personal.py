"""Personal fields in the audit log, sealed under a key of their own per person (业主、住户、车辆登记人).

``seal_personal`` (called by app.core.audit.record before the row is written and chained) replaces the
value of each personal field of an owner's or resident's row (names, phones, identity-number forms,
birth date, employer …), and of every phone field of any row, with ``§p1:<subject>:<sealed>``: the
value encrypted under the subject's own random key (table ``personal_key``, the key itself sealed
under the site key). The chain hashes the sealed text, so destroying a subject's key
(``destroy_subjects``: anonymising an owner) leaves every row verifying while its personal values
can no longer be read by anyone. ``unseal_tree`` (the audit display, app.core.audit_words) shows
them, or 已随业主注销删除 when the key is gone.
"""
from __future__ import annotations

import base64
import json
import os

from app.core.crypto import active
from models.people import PersonalKey

MARK = "§p1:"
GONE = "（已随业主注销删除）"
# fields of a person's own row (owner, resident, car-card driver) that name or reach the person
PERSON_FIELDS = frozenset({
    "name", "name_pinyin", "phone", "phone2", "spouse_name", "spouse_phone", "spouse_employer", "id_masked",
    "id_tail", "id_hash", "id", "id_number", "birth_date", "employer", "work_address", "native_place",
    "driver_name", "family_structure", "notes", "opinion", "suggestions", "special_requests",
})
PERSON_ENTITIES = frozenset({"owner", "resident", "vehicle"})
# subject → key, for one vault and one database (held, so that neither's id is reused while cached);
# only keys read outside a transaction are kept: a key created or read in one may be rolled back with it
_KEYS: dict[str, bytes] = {}
_KEYS_OF: list = []


def subject_of(entity: str, entity_id) -> str:
    return f"{entity}:{entity_id}"


def _personal(person: bool, field: str) -> bool:
    return "phone" in field or (person and field in PERSON_FIELDS)


PERSON_REFS = (("owner", "owner"), ("owner_id", "owner"), ("resident", "resident"), ("resident_id", "resident"))


def _person_in(value: dict) -> str:
    """The subject a dict names by its owner or resident id (a link row of a home: {"owner": 7, "name": …})."""
    for key, kind in PERSON_REFS:
        ref = value.get(key)
        if isinstance(ref, int) and not isinstance(ref, bool):
            return subject_of(kind, ref)
    return ""


def _cache(vault) -> dict[str, bytes]:
    db = PersonalKey._meta.database
    real = getattr(db, "obj", db)
    if not _KEYS_OF or _KEYS_OF[0] is not vault or _KEYS_OF[1] is not real:
        _KEYS.clear()
        _KEYS_OF[:] = [vault, real]
    return _KEYS


def _key(subject: str, create: bool) -> bytes | None:
    vault = active()
    keys = _cache(vault)
    key = keys.get(subject)
    if key is not None:
        return key
    row = PersonalKey.get_or_none(PersonalKey.subject == subject)
    if row is not None:
        raw = vault.unseal(row.key_enc)
        key = base64.b64decode(raw) if raw else None
        if key is not None and not _KEYS_OF[1].in_transaction():
            keys[subject] = key
    elif create:
        key = os.urandom(32)
        PersonalKey.create(subject=subject, key_enc=vault.seal(base64.b64encode(key).decode("ascii")))
    return key


def _seal_value(subject: str, value):
    if value is None or value == "" or (isinstance(value, str) and value.startswith(MARK)):
        return value
    key = _key(subject, create=True)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return f"{MARK}{subject}:{active().seal(text, key=key)}"


def _seal_tree(subject: str, person: bool, value):
    """Seal the personal fields of *value*; a dict that names an owner or resident by id seals its fields
    under that person's key."""
    if isinstance(value, list):
        return [_seal_tree(subject, person, v) for v in value]
    if not isinstance(value, dict):
        return value
    named = _person_in(value)
    if named:
        subject, person = named, True
    return {k: (_seal_value(subject, v) if not isinstance(v, (dict, list)) and _personal(person, str(k))
                else _seal_tree(subject, person, v)) for k, v in value.items()}


def seal_personal(ctx, entity: str, entity_id, before, after):
    """*before* and *after* with each personal field sealed under the subject's key (call inside the
    write's transaction: a new subject's key row is written with it)."""
    if not entity or (not isinstance(before, (dict, list)) and not isinstance(after, (dict, list))):
        return before, after
    subject, person = subject_of(entity, entity_id), entity in PERSON_ENTITIES
    return _seal_tree(subject, person, before), _seal_tree(subject, person, after)


def unseal_value(value):
    if not isinstance(value, str) or not value.startswith(MARK):
        return value
    subject, _, token = value[len(MARK):].rpartition(":~")
    key = _key(subject, create=False) if subject else None
    text = active().unseal("~" + token, key=key) if key is not None else ""
    if not text:
        return GONE
    try:
        return json.loads(text)
    except ValueError:
        return text


def unseal_tree(value):
    """A stored before/after value with its sealed fields opened (GONE where the key was destroyed)."""
    if isinstance(value, dict):
        return {k: unseal_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unseal_tree(v) for v in value]
    return unseal_value(value)


def destroy_subjects(subjects) -> int:
    """Destroy the keys of these subjects (anonymising): their sealed audit values are gone for good.
    Joins the caller's transaction; returns how many keys were destroyed."""
    subjects = list(subjects)
    for s in subjects:
        _KEYS.pop(s, None)
    if not subjects:
        return 0
    return PersonalKey.delete().where(PersonalKey.subject.in_(subjects)).execute()


def forget_cache() -> None:
    """Drop the keys kept in memory (another site was opened)."""
    _KEYS.clear()
    _KEYS_OF.clear()
