"""barh_chart: one bar per unit for many units (a province's wards), names in natural order down the left."""

from __future__ import annotations

import pytest

from reportkit.narrative import setup
from reportkit.narrative.charts import BARH_MAX, barh_chart


def test_bars_in_natural_order_with_every_value_in_the_alt_text():
    setup()
    values = {"Phường 10": 1200, "Phường 2": 80, "Phường Đông Hải": 455, "Phường An Sơn": 7}
    chart = barh_chart(values, caption="Lượt người dân dự tuyên truyền theo phường", xlabel="Lượt người dân")
    assert chart.title == "Biểu đồ 1. Lượt người dân dự tuyên truyền theo phường"
    assert chart.alt_text == (
        "Biểu đồ thanh ngang, lượt người dân theo phường: Phường 2: 80; Phường 10: 1.200; Phường An Sơn: 7; "
        "Phường Đông Hải: 455"
    )
    assert chart.png.startswith(b"\x89PNG")
    again = barh_chart(values, caption="Lượt người dân dự tuyên truyền theo phường", xlabel="Lượt người dân")
    assert again.number == 2 and again.png == chart.png  # the same data, the same bytes


def test_the_chart_grows_with_the_number_of_bars_up_to_a_page():
    setup()
    few = barh_chart({f"Phường {n}": n for n in range(1, 6)}, caption="Ít", xlabel="Số")
    many = barh_chart({f"Phường {n}": n for n in range(1, BARH_MAX + 1)}, caption="Nhiều", xlabel="Số")
    assert many.height > 2.5 * few.height
    assert many.height * 2.54 / 96 < 25  # cm: within the A4 text height
    with pytest.raises(ValueError, match="do not fit one page"):
        barh_chart({f"Phường {n}": n for n in range(BARH_MAX + 1)}, caption="Quá nhiều", xlabel="Số")
    with pytest.raises(ValueError, match="has no value"):
        barh_chart({"Phường 1": None}, caption="Thiếu", xlabel="Số")
    with pytest.raises(ValueError, match="no values"):
        barh_chart({}, caption="Trống", xlabel="Số")
