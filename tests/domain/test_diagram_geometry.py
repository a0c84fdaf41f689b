"""The back diagram's SVG: every zone has a shape in the right place, bad files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.diagram import (
    BODY_CLASSES,
    Diagram,
    DiagramElement,
    DiagramError,
    DrawCommand,
    load_diagram,
    parse_diagram,
    parse_path_data,
)

ZONE_IDS = (
    "spine",
    "kidney-left",
    "kidney-right",
    "floating-ribs-left",
    "floating-ribs-right",
    "armpit-left",
    "armpit-right",
    "neck",
    "shoulder-blade-left",
    "shoulder-blade-right",
    "shoulder-girdle-left",
    "shoulder-girdle-right",
    "between-shoulder-blades",
    "upper-back",
    "paraspinal-left",
    "paraspinal-right",
    "lower-back",
    "hips",
    "side-left",
    "side-right",
)

PAIRED_BOTH_SIDES = ("neck", "between-shoulder-blades", "upper-back", "lower-back", "hips")


@pytest.fixture(scope="module")
def diagram() -> Diagram:
    return load_diagram()


def midline(diagram: Diagram) -> float:
    return diagram.view_box.x + diagram.view_box.width / 2


def centre_y(element: DiagramElement) -> float:
    _, top, _, bottom = element.bounds()
    return (top + bottom) / 2


def svg(body: str = "", zones: str = "", view_box: str = 'viewBox="0 0 100 100"') -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" {view_box}>'
        f'<g id="body">{body}</g><g id="zones">{zones}</g></svg>'
    )


SQUARE = '<path id="a" d="M 10 10 L 20 10 L 20 20 Z"/>'


# -- the shipped diagram ---------------------------------------------------------------


def test_the_shipped_diagram_parses_with_body_and_zones(diagram: Diagram) -> None:
    assert diagram.source == "back.svg"
    assert diagram.view_box.width > 0
    assert diagram.view_box.height > diagram.view_box.width  # a portrait figure
    classes = {element.css_class for element in diagram.body}
    assert {"outline", "anatomy", "bone"} <= classes <= set(BODY_CLASSES)
    assert "silhouette" in {element.id for element in diagram.body}


def test_every_zone_has_exactly_one_shape(diagram: Diagram) -> None:
    assert diagram.missing_shapes(ZONE_IDS) == []
    assert sorted(diagram.zones) == sorted(ZONE_IDS)


def test_every_library_zone_has_a_shape(diagram: Diagram, library: ContentLibrary) -> None:
    assert diagram.missing_shapes(zone.shape_id for zone in library.zones.values()) == []


def test_missing_shapes_names_the_ids_without_a_shape(diagram: Diagram) -> None:
    assert diagram.missing_shapes(["spine", "elbow", "hips", "knee"]) == ["elbow", "knee"]


def test_zones_carry_their_names(diagram: Diagram) -> None:
    assert diagram.zones["kidney-left"].label == "Left kidney area"
    assert all(element.label != element.id for element in diagram.zones.values())


def test_spine_is_a_narrow_strip_on_the_midline_from_skull_to_tailbone(diagram: Diagram) -> None:
    left, top, right, bottom = diagram.zones["spine"].bounds()
    assert (left + right) / 2 == pytest.approx(midline(diagram), abs=0.5)
    assert right - left < diagram.view_box.width * 0.05
    # From above the neck zone down past the top of the hips.
    assert top <= diagram.zones["neck"].bounds()[1] + 4
    assert bottom > diagram.zones["hips"].bounds()[1] + 40


@pytest.mark.parametrize("zone_id", [z for z in ZONE_IDS if z.endswith("-left")])
def test_left_zones_lie_left_of_the_midline(diagram: Diagram, zone_id: str) -> None:
    # The receiver lies face down and we look at their back: their left is our left.
    _, _, right, _ = diagram.zones[zone_id].bounds()
    assert right < midline(diagram)


@pytest.mark.parametrize("zone_id", [z for z in ZONE_IDS if z.endswith("-right")])
def test_right_zones_lie_right_of_the_midline(diagram: Diagram, zone_id: str) -> None:
    left, _, _, _ = diagram.zones[zone_id].bounds()
    assert left > midline(diagram)


@pytest.mark.parametrize("zone_id", PAIRED_BOTH_SIDES)
def test_two_sided_zones_have_a_half_each_side_clear_of_the_spine(
    diagram: Diagram, zone_id: str
) -> None:
    element = diagram.zones[zone_id]
    assert len(element.subpaths) == 2
    _, _, spine_right, _ = diagram.zones["spine"].bounds()
    spine_left = diagram.zones["spine"].bounds()[0]
    sides = []
    for subpath in element.subpaths:
        xs = [x for cmd in subpath for x, _ in cmd.points]
        assert max(xs) <= spine_left + 0.5 or min(xs) >= spine_right - 0.5
        sides.append(min(xs) > midline(diagram))
    assert sorted(sides) == [False, True]


@pytest.mark.parametrize("side", ["left", "right"])
def test_zones_sit_in_anatomical_order_down_the_back(diagram: Diagram, side: str) -> None:
    zone = diagram.zones
    order = [
        zone["neck"],
        zone[f"shoulder-girdle-{side}"],
        zone[f"shoulder-blade-{side}"],
        zone["upper-back"],
        zone[f"floating-ribs-{side}"],
        zone[f"kidney-{side}"],
        zone["lower-back"],
        zone["hips"],
    ]
    heights = [centre_y(element) for element in order]
    assert heights == sorted(heights)
    # The kidney area is just below the floating ribs, and beside the strip along the spine.
    assert zone[f"kidney-{side}"].bounds()[3] > zone[f"floating-ribs-{side}"].bounds()[3]


@pytest.mark.parametrize("side", ["left", "right"])
def test_strip_beside_the_spine_runs_from_neck_base_to_sacrum(diagram: Diagram, side: str) -> None:
    left, top, right, bottom = diagram.zones[f"paraspinal-{side}"].bounds()
    spine_left, _, spine_right, _ = diagram.zones["spine"].bounds()
    centre = midline(diagram)
    # Next to the spine (a finger or two away), narrow, and as long as the back.
    assert min(abs(left - centre), abs(right - centre)) < (spine_right - spine_left)
    assert right - left < diagram.view_box.width * 0.1
    assert top < diagram.zones[f"shoulder-blade-{side}"].bounds()[1]
    assert bottom > diagram.zones["lower-back"].bounds()[3]


@pytest.mark.parametrize("side", ["left", "right"])
def test_armpits_and_flanks_are_at_the_outside(diagram: Diagram, side: str) -> None:
    centre = midline(diagram)

    def distance(zone_id: str) -> float:
        left, _, right, _ = diagram.zones[zone_id].bounds()
        return abs((left + right) / 2 - centre)

    assert distance(f"armpit-{side}") > distance(f"shoulder-blade-{side}")
    assert distance(f"side-{side}") > distance(f"kidney-{side}")
    assert centre_y(diagram.zones[f"armpit-{side}"]) < centre_y(diagram.zones[f"side-{side}"])


def test_every_zone_lies_inside_the_view_box(diagram: Diagram) -> None:
    box = diagram.view_box
    for element in diagram.zones.values():
        left, top, right, bottom = element.bounds()
        assert box.x <= left, element.id
        assert right <= box.x + box.width, element.id
        assert box.y <= top, element.id
        assert bottom <= box.y + box.height, element.id


def test_zone_paths_use_only_plain_commands(diagram: Diagram) -> None:
    ops = {cmd.op for element in diagram.zones.values() for sub in element.subpaths for cmd in sub}
    assert ops <= {"M", "L", "C", "Q", "Z"}
    for element in diagram.zones.values():
        assert all(sub[0].op == "M" and sub[-1].op == "Z" for sub in element.subpaths)


# -- path data -------------------------------------------------------------------------


def test_relative_and_shorthand_commands_become_absolute() -> None:
    (sub,) = parse_path_data("m 10 10 h 5 v 5 l -5 0 s 1 1 2 2 t 3 3 z")
    assert sub[0] == DrawCommand("M", ((10, 10),))
    assert sub[1] == DrawCommand("L", ((15, 10),))
    assert sub[2] == DrawCommand("L", ((15, 15),))
    assert sub[3] == DrawCommand("L", ((10, 15),))
    # S after a line reflects nothing: its first control point is the current point.
    assert sub[4] == DrawCommand("C", ((10, 15), (11, 16), (12, 17)))
    assert sub[5] == DrawCommand("Q", ((12, 17), (15, 20)))
    assert sub[6].op == "Z"


def test_implicit_lines_after_a_move_and_a_new_subpath_after_close() -> None:
    first, second = parse_path_data("M0,0 10,0 10,10Z L 5 5")
    assert [cmd.op for cmd in first] == ["M", "L", "L", "Z"]
    assert second[0] == DrawCommand("M", ((0, 0),))
    assert second[1] == DrawCommand("L", ((5, 5),))


def test_arcs_become_cubic_curves_ending_at_the_arc_end() -> None:
    (sub,) = parse_path_data("M 0 0 A 10 10 0 0 1 20 0 a5,5 0 1 0 -10 0")
    cubics = [cmd for cmd in sub if cmd.op == "C"]
    assert len(cubics) >= 3
    assert cubics[1].points[-1] == pytest.approx((20, 0))
    assert cubics[-1].points[-1] == pytest.approx((10, 0))
    # The first half circle bulges upwards (sweep flag 1, y grows downwards).
    assert min(y for cmd in sub for _, y in cmd.points) == pytest.approx(-10, abs=0.5)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("L 10 10", "must start with a move"),
        ("M 10", "expected a number"),
        ("M 10 10 X 5 5", "unexpected 'X"),
        ("M 1e999 0", "out of range"),
        ("M 0 0 A 5 5 0 2 0 10 10", "arc flag"),
    ],
)
def test_bad_path_data_says_what_and_where(data: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_path_data(data)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="MmLlHhVvCcSsQqTtAaZz0123456789.,-+e \n", max_size=60))
def test_any_path_data_parses_or_is_refused_cleanly(data: str) -> None:
    try:
        subpaths = parse_path_data(data)
    except ValueError:
        return
    for subpath in subpaths:
        assert subpath[0].op == "M"


# -- whole files -----------------------------------------------------------------------


def test_transforms_on_groups_and_paths_are_applied() -> None:
    text = svg(
        zones='<g transform="translate(5,0)"><path id="a" transform="scale(2)" '
        'd="M 1 1 L 2 1 L 2 2 Z"/></g>'
    )
    diagram = parse_diagram(text, "t.svg")
    assert diagram.zones["a"].bounds() == pytest.approx((7, 2, 9, 4))


def test_labels_come_from_inkscape_label_or_title() -> None:
    text = svg(
        zones='<path id="a" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'inkscape:label="Zone A" d="M0 0 L1 0 L1 1Z"/>'
        '<path id="b" d="M0 0 L1 0 L1 1Z"><title>Zone B</title></path>'
    )
    diagram = parse_diagram(text, "t.svg")
    assert diagram.zones["a"].label == "Zone A"
    assert diagram.zones["b"].label == "Zone B"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (svg(zones='<path id="a" d="M 0 0 L 1 x"/>'), "element 'a': bad path data"),
        (svg(zones=SQUARE, view_box=""), "has no viewBox"),
        (svg(zones=SQUARE, view_box='viewBox="0 0 100"'), "not four numbers"),
        (svg(zones=SQUARE, view_box='viewBox="0 0 0 100"'), "has no area"),
        ('<!DOCTYPE svg [<!ENTITY x "y">]>' + svg(zones=SQUARE), "DOCTYPE"),
        ("<svg><g id='zones'>&lol;</g></svg>", "not well-formed"),
        (svg(zones=SQUARE).replace('id="zones"', 'id="zone"'), "no group with id 'zones'"),
        (svg(zones=""), "holds no zone path"),
        (svg(zones='<path d="M0 0 L1 1Z"/>'), "has no id"),
        (svg(zones=SQUARE + SQUARE), "used twice"),
        (svg(zones='<circle id="c" r="3"/>'), "element 'c' in layer 'zones' is a <circle>"),
        (svg(zones='<path id="a" d=""/>'), "element 'a' has no path data"),
        (svg(zones='<path id="a" d="M 5 5"/>'), "element 'a' draws nothing"),
        (svg(zones='<path id="a" transform="wobble(2)" d="M0 0L1 1Z"/>'), "bad transform"),
        (svg(body='<path id="b" d="M0 0L1 1"/>', zones=SQUARE), "'b' needs a class"),
        ("<html/>", "not <svg>"),
        ("<svg", "not well-formed"),
    ],
)
def test_bad_files_give_an_error_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(DiagramError, match=message) as caught:
        parse_diagram(text, "broken.svg")
    assert str(caught.value).startswith("broken.svg: ")


def test_doctype_is_refused_in_any_case_and_with_an_entity_bomb() -> None:
    bomb = '<?xml version="1.0"?><!doctype svg [<!entity a "aaaa"><!entity b "&a;&a;&a;">]>' + svg(
        zones='<path id="x" d="M0 0L1 1Z"><title>&b;</title></path>'
    )
    with pytest.raises(DiagramError, match="broken.svg: DOCTYPE"):
        parse_diagram(bomb.encode(), "broken.svg")


def test_files_that_are_not_utf8_or_too_large_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DiagramError, match="not UTF-8"):
        parse_diagram(b"<svg>\xff\xfe</svg>", "latin.svg")
    big = tmp_path / "big.svg"
    big.write_bytes(b" " * 2_000_001)
    with pytest.raises(DiagramError, match="big.svg: the diagram file is 2000001 bytes"):
        load_diagram(big)


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(DiagramError, match="gone.svg: cannot read"):
        load_diagram(tmp_path / "gone.svg")


def test_a_file_saved_with_an_xml_declaration_and_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.svg"
    path.write_bytes(
        b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n' + svg(zones=SQUARE).encode()
    )
    assert list(load_diagram(path).zones) == ["a"]
