"""Site structure: clusters → buildings → entrances → homes; parking spaces."""
from peewee import BooleanField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, TimestampedModel
from .users import User

HOUSE_TYPES = ["洋房", "叠加", "联排", "高层", "商铺"]
HOME_STATES = ["未交付", "空置", "装修中", "已入住", "出租"]


class Cluster(BaseModel):
    """组团, e.g. A组团 罗马假日."""
    code = CharField(unique=True)           # "A"
    name = CharField()                      # "罗马假日"
    sort_order = IntegerField(default=0)


class Building(BaseModel):
    """楼栋."""
    cluster = ForeignKeyField(Cluster, backref="buildings", on_delete="RESTRICT")
    code = CharField(unique=True)           # "5" (displayed 5号楼)
    name = CharField()
    floors = IntegerField(default=0)
    area_manager = ForeignKeyField(User, null=True, backref="buildings", on_delete="SET NULL")
    sort_order = IntegerField(default=0)


class Entrance(BaseModel):
    """单元."""
    building = ForeignKeyField(Building, backref="entrances", on_delete="RESTRICT")
    code = CharField()                      # "1" (displayed 1单元)

    class Meta:
        indexes = ((("building", "code"), True),)


class Home(TimestampedModel):
    """房屋. room_code is the code the office uses, e.g. 5-203 or 5-1-203."""
    entrance = ForeignKeyField(Entrance, backref="homes", on_delete="RESTRICT")
    building = ForeignKeyField(Building, backref="homes", on_delete="RESTRICT")
    cluster = ForeignKeyField(Cluster, backref="homes", on_delete="RESTRICT")
    room_code = CharField(unique=True)
    floor = IntegerField(default=0)
    area_x100 = IntegerField()              # floor area in 1/100 m² (12345 = 123.45 m²)
    house_type = CharField()                # HOUSE_TYPES
    state = CharField(default="未交付", index=True)   # HOME_STATES
    handover_date = DateField(null=True)    # 交房日期
    move_in_date = DateField(null=True, index=True)  # 入住日期 (customer category derives from it)
    occupancy = CharField(default="自住")    # 自住 / 出租 / 空置
    developer_done = BooleanField(default=False)  # developer's formalities complete (零星交付)
    notes = TextField(default="")

    class Meta:
        # the archive table's order (walked, not sorted, for 50,000 homes)
        indexes = ((("building", "entrance", "room_code"), False),)


class ParkingSpace(BaseModel):
    """车位: above (地上) or under (地下) ground."""
    code = CharField(unique=True)
    level = CharField()                     # "地上" / "地下"
    home = ForeignKeyField(Home, null=True, backref="parking_spaces", on_delete="SET NULL")
    owner_name = CharField(default="")
    state = CharField(default="空闲")        # 空闲 / 已售 / 已租
    notes = TextField(default="")


MODELS = [Cluster, Building, Entrance, Home, ParkingSpace]
