"""Vehicles and car cards (车辆、车卡): a car registered with a home and the parking space it may use.

A car card (车卡) only proves that a space is rented (or owned) for the card's validity; it is
not a promise of custody of the car (domain.md §7, seed 000 车卡办理). Parking spaces themselves
are in models/property.py, their holders (产权/租用) in models/people.ParkingOwner.
"""
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, TextField

from .base import BaseModel, now
from .people import Owner
from .property import Home, ParkingSpace
from .sealed import SealedPhoneField
from .users import User

CARD_STATES = ("有效", "已注销")


class Vehicle(BaseModel):
    number = CharField(unique=True)                 # registration form number, e.g. CK2026-000001
    home = ForeignKeyField(Home, backref="vehicles", on_delete="RESTRICT")
    owner = ForeignKeyField(Owner, null=True, backref="vehicles", on_delete="SET NULL")
    space = ForeignKeyField(ParkingSpace, null=True, backref="vehicles", on_delete="SET NULL")
    plate = CharField(index=True)                   # 豫A12345 / 豫AD12345 (normalised, no dot)
    brand = CharField(default="")                   # 品牌型号
    color = CharField(default="")
    driver_name = CharField(default="")             # 车主姓名 (the owner or a family member)
    phone = SealedPhoneField(default="")                   # full; lists and prints mask it
    card_number = CharField(unique=True)            # 车卡号
    valid_from = DateField()
    valid_until = DateField(index=True)
    status = CharField(default="有效", index=True)   # CARD_STATES
    identity_checked = BooleanField(default=False)  # 客服员审核业主身份
    notes = TextField(default="")
    created_at = DateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    cancelled_at = DateTimeField(null=True)
    cancel_reason = TextField(default="")


MODELS = [Vehicle]
