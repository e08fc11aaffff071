"""The 三联 form's item box: a long item keeps its name, not a cut-off detail."""
from app.printing.receipt import _triple_item


def test_a_share_detail_is_dropped_before_the_name_is_cut():
    assert _triple_item("公摊电费（按面积 123.45㎡/653.45㎡）") == "公摊电费"
    assert _triple_item("物业服务费") == "物业服务费"
    assert _triple_item("有偿服务：更换空气开关及线路检修（含材料）") == "有偿服务：更换空气开关及线路检修"[:14]
    assert _triple_item("电梯费（5号楼）") == "电梯费（5号楼）"                 # short enough: kept whole
