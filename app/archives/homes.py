"""Find the home a user means: by the room code typed (full-width digits, spaces and dashes
accepted as app.core.validation does) or by id, or refuse with a Chinese error naming the field."""
from __future__ import annotations

from app.core.errors import NotFound, ValidationError
from app.core.lookup import row_id
from app.core.validation import check_room_code, normalize_room_code
from models.property import Home


def home_by_room(room_code, field: str = "房号", *, message: str | None = None) -> Home:
    """The home of a room code a user typed.

    By default the code is checked (ValidationError(field, …) when empty or malformed) and an
    unknown one is refused with ValidationError(field, "房号“5-203”不存在，请核对").
    With ``message`` any code that names no home (malformed ones too) raises NotFound(message):
    the wording of the areas (move-in, renovation, owner-information print) that look up codes
    from their own lists or the command line."""
    code = check_room_code(room_code, field) if message is None else normalize_room_code(room_code)
    home = Home.get_or_none(Home.room_code == code) if code else None
    if home is None:
        if message is None:
            raise ValidationError(field, f"房号“{code}”不存在，请核对")
        raise NotFound(message)
    return home


def home_by_id(home_id, message: str | None = None, *, field: str | None = None) -> Home:
    """The home with this id (a Home passes through as its id).

    Unknown: NotFound(message or "房屋不存在（编号 7）"); with ``field`` (a home picked in a
    form) ValidationError(field, message or "房屋不存在")."""
    hid = row_id(home_id)
    home = Home.get_or_none(Home.id == hid) if hid is not None else None
    if home is None:
        if field is not None:
            raise ValidationError(field, message or "房屋不存在")
        raise NotFound(message or f"房屋不存在（编号 {home_id}）")
    return home


def home_of(room_or_id, field: str = "房号", *, message: str | None = None) -> Home:
    """A Home as it is, an int as an id, anything else as a room code typed (see above).
    Without ``message`` an unknown id is ValidationError(field, "房屋不存在")."""
    if isinstance(room_or_id, Home):
        return room_or_id
    if isinstance(room_or_id, int) and not isinstance(room_or_id, bool):
        return home_by_id(room_or_id, message, field=None if message else field)
    return home_by_room(room_or_id, field, message=message)
