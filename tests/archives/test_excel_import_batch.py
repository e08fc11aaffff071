"""write_rows' set-based path (excel_import.Batch): rows of this import that a later row updates
(the same new home, the same new owner) are in the database before the update reads them, and a
refused row leaves nothing behind — on SQLite and PostgreSQL."""
from app.archives import excel_import
from app.archives.excel_rows import ParsedRow
from app.core.validation import id_check_char
from models.people import HomeOwner, Owner
from models.property import Building, Entrance, Home
from models.users import AuditLog

ID1 = "61011319800512123" + id_check_char("61011319800512123")


def _row(n, room, home, owner):
    return ParsedRow(excel_row=n, room=room, home=home, owner=owner, signature=())


def test_later_rows_update_homes_and_owners_of_the_same_import(ctx):
    before_homes = Home.select().count()
    rows = [
        _row(2, "901-1-101", {"area_x100": 8950, "house_type": "高层"}, {"name": "张三", "id_number": ID1}),
        _row(3, "901-1-101", {"area_x100": 9020}, {"name": "李四"}),                       # co-owner; area corrected
        _row(4, "901-2-102", {"area_x100": 7000, "house_type": "高层"},
             {"name": "张三", "id_number": ID1, "phone": "13812345678"}),                 # same owner, new phone
        _row(5, "901-2-103", {"house_type": "高层"}, {"name": "王五"}),                     # refused: no area
        _row(6, "901-2-104", {"area_x100": 6000, "house_type": "高层"}, {"name": "李四", "id_number": ID1}),
    ]
    result = excel_import.ImportResult()
    with ctx.db.atomic():
        excel_import.write_rows(ctx, rows, result)
    assert [r for r, _msg in result.rejected] == [5, 6]
    assert "建筑面积" in result.rejected[0][1] and "张三" in result.rejected[1][1]
    assert Home.select().count() == before_homes + 2
    h101 = Home.get(Home.room_code == "901-1-101")
    assert h101.area_x100 == 9020 and h101.building.code == "901"
    assert Entrance.select().join(Building).where(Building.code == "901").count() == 2
    zhang = Owner.get(Owner.name == "张三")
    assert zhang.phone == "13812345678" and zhang.birth_date.isoformat() == "1980-05-12"
    assert result.written[2][1] == result.written[4][1] == zhang.id
    links = {(ho.home.room_code, ho.owner.name, ho.is_primary) for ho in
             HomeOwner.select().join(Home).where(Home.room_code.startswith("901-"))}
    assert links == {("901-1-101", "张三", True), ("901-1-101", "李四", False), ("901-2-102", "张三", True)}
    assert not Home.select().where(Home.room_code == "901-2-103").exists()
    assert AuditLog.select().where(AuditLog.action == "home.update", AuditLog.entity_id == str(h101.id)).exists()
    assert AuditLog.select().where(AuditLog.action == "owner.update", AuditLog.entity_id == str(zhang.id)).exists()
    # ids come from where the database would take them: the next plain insert follows on
    nxt = Home.create(entrance=h101.entrance, building=h101.building, cluster=h101.cluster, room_code="901-1-199",
                      floor=1, area_x100=100, house_type="高层")
    assert nxt.id > max(result.home_ids)
