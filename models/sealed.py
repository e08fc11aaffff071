"""Sealed columns: the value is encrypted under the open site's key (app.core.crypto) on its way into
the database and decrypted on its way out, so code that reads ``owner.phone`` sees the number while
the file, its WAL and every backup hold only ``~…`` ciphertext.

A sealed column cannot be compared in SQL (each write has a fresh nonce): search phones through
app.archives.search (keyed digit-window tokens); ``== ""`` still works (an empty value stays '')."""
from peewee import CharField

from app.core.crypto import SEALED_PREFIX, active


class SealedPhoneField(CharField):
    """A phone number, sealed at rest (models/migrations step 6 sealed the rows written before)."""

    def db_value(self, value):
        if value is None or value == "":
            return value
        value = str(value)
        if value.startswith(SEALED_PREFIX):   # already sealed (a raw copy between rows)
            return value
        return active().seal(value)

    def python_value(self, value):
        if not value:
            return value
        return active().unseal(value)


# (table, column) of every sealed phone column: the schema step that seals existing rows walks these
SEALED_PHONE_COLUMNS = (
    ("owner", "phone"), ("owner", "phone2"), ("owner", "spouse_phone"), ("resident", "phone"),
    ("vehicle", "phone"), ("key_loan", "phone"), ("loan", "phone"), ("moving_booking", "phone"),
    ("renovation", "applicant_phone"), ("renovation", "contractor_phone"), ("renovation_worker", "phone"),
    ("service_request", "phone"), ("visitor", "phone"), ("goods_pass", "consent_phone"),
    ("letting_seeker", "phone"), ("user", "phone"),
)
