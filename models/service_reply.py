"""Written replies to complaints (投诉处理回复函 / 复函): one letter per complaint.

Drafted (investigation, outcome, apology and measures, the office's contact) and printed, then
its sending is recorded (date, how, by whom); the sending counts as the complaint's reply for the
"written complaints: reply within 2 working days" deadline (app/complaints.py).
"""
from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from .base import BaseModel
from .service import ServiceRequest
from .users import User

SEND_METHODS = ["邮寄", "当面递交", "快递", "投入信报箱"]


class ComplaintReply(BaseModel):
    request = ForeignKeyField(ServiceRequest, backref="reply_letters", on_delete="CASCADE", unique=True)
    number = CharField(unique=True)                     # FH2026-000001
    investigation = TextField(default="")               # 调查情况
    outcome = TextField(default="")                     # 处理结果
    measures = TextField(default="")                    # 致歉及整改措施
    contact_name = CharField(default="")
    contact_phone = CharField(default="")               # the office's number (printed in full)
    drafted_at = DateTimeField()
    drafted_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    sent_on = DateField(null=True, index=True)          # the date on the letter / the day it went out
    sent_at = DateTimeField(null=True)                  # when the sending was recorded
    sent_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    send_method = CharField(default="")                 # SEND_METHODS


MODELS = [ComplaintReply]
