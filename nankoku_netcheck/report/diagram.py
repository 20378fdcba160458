"""The zone diagram: inline SVG with a deterministic layout computed from `Result.network`.

Zones are columns in the order the topology declares them; a device stands in the column of
the zone most of its segments belong to (ties: the earlier zone), devices on transit segments
only stand in a band under the columns. Within a column, the devices that connect to other
columns sit at the bottom and the others above them by hop distance, so a zone reads from its
interior (top) to its boundary (bottom). Segments are coloured by zone: a segment shared by
devices is a line between them, a segment of one device a label beside it. The upstream
(internet) and external peers are dashed boxes. Each violating path is a red line through the
devices it crosses, with an arrow at its destination, drawn in right angles: between columns it
runs along a lane of the channel under them, so it never crosses a zone it does not enter.

Nothing is random and nothing depends on dict or set iteration order: same Result, same SVG.
"""

from __future__ import annotations

import html
import itertools
from collections import defaultdict, deque
from dataclasses import dataclass, field

from ..result import Finding, Result, SegmentSummary

MARGIN = 20
COLUMN_WIDTH = 310
EMPTY_COLUMN_WIDTH = 200
COLUMN_GAP = 36
HEADER_HEIGHT = 62
DEVICE_WIDTH = 140
DEVICE_HEIGHT = 42
DEVICE_INSET = 16
ROW_GAP = 34
PILL_WIDTH = 124
PILL_HEIGHT = 17
PILL_GAP = 4
BAND_GAP = 56
EXTERNAL_WIDTH = 150
EXTERNAL_HEIGHT = 34
LEGEND_ROW_HEIGHT = 22
PATH_SPACING = 5
CHANNEL_PAD = 14  # from the bottom of the zone columns to the first lane of the channel under them

TRANSIT = ""
_SVG_NAMESPACE = ' xmlns="http://www.w3.org/2000/svg"'

# (fill, stroke, pill) per zone kind; transit is grey. Red is kept for violating paths.
ZONE_COLOURS: dict[str, tuple[str, str, str]] = {
    "mynumber": ("#fff8eb", "#c2410c", "#fed7aa"),
    "lgwan": ("#effaf4", "#047857", "#a7f3d0"),
    "internet": ("#eff6ff", "#1d4ed8", "#bfdbfe"),
}
OTHER_ZONE_COLOURS = ("#f5f3ff", "#6d28d9", "#ddd6fe")
TRANSIT_COLOURS = ("#f8fafc", "#64748b", "#e2e8f0")
VIOLATION = "#dc2626"

_WORDS = {
    "en": {
        "transit": "Transit (no zone)",
        "upstream": "Internet (upstream)",
        "violating": "violating path",
        "violating_warning": "violating path (warning)",
        "number": "n = finding number",
        "external": "upstream / external peer",
        "title": "Zone diagram",
    },
    "ja": {
        "transit": "中継（どの領域にも属さない）",
        "upstream": "インターネット（上流）",
        "violating": "違反経路",
        "violating_warning": "違反経路（警告）",
        "number": "n = 検出事項の番号",
        "external": "上流・外部接続先",
        "title": "領域構成図",
    },
}


@dataclass
class _Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


@dataclass
class _Layout:
    columns: list[tuple[str, str, str, _Box]] = field(default_factory=list)  # (zone id, kind, label, box)
    devices: dict[str, _Box] = field(default_factory=dict)
    home: dict[str, str] = field(default_factory=dict)  # device -> zone id or TRANSIT
    stubs: dict[str, list[SegmentSummary]] = field(default_factory=dict)  # device -> its own segments
    externals: list[tuple[str, str, str, _Box]] = field(default_factory=list)  # (kind, name, device, box)
    band: _Box | None = None
    width: float = 0
    height: float = 0


def render_diagram(result: Result, lang: str = "en", standalone: bool = False) -> str:
    """The diagram as an <svg> element, ready to inline in HTML; `standalone` adds the SVG
    namespace a separate .svg file needs (HTML does not, and the report then names no URL)."""
    words = _WORDS["ja" if lang == "ja" else "en"]
    violating = [(index, f) for index, f in enumerate(result.findings, 1) if f.status == "violated" and f.path]
    layout = _layout(result, len(violating))
    zone_kind = {zone_id: kind for zone_id, kind, _ in result.zones}
    on_path = {step.device for _, finding in violating for step in finding.path}
    legend = _legend(result, layout, words)  # may wrap onto more rows, making the drawing taller
    parts = [
        f'<svg{_SVG_NAMESPACE if standalone else ""} class="zone-diagram" viewBox="0 0 {_n(layout.width)} '
        f'{_n(layout.height)}" width="{_n(layout.width)}" height="{_n(layout.height)}" role="img" '
        f"aria-label=\"{_e(words['title'])}\" font-family=\"'Noto Sans CJK JP', 'Noto Sans JP', "
        f"'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif\">",
        "<defs>"
        f'<marker id="nk-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="11" markerHeight="11" '
        f'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{VIOLATION}"/></marker>'
        "</defs>",
    ]
    parts += _columns(layout)
    parts += _band(layout, words)
    links, link_labels = _links(result, layout, zone_kind)
    parts += links
    parts += _external_links(layout)
    parts += _violating_paths(layout, violating)
    parts += link_labels
    parts += _devices(result, layout, on_path, zone_kind)
    parts += _path_numbers(layout, violating)
    parts += _externals(layout, words)
    parts += legend
    parts.append("</svg>")
    return "\n".join(parts)


# --- layout ---------------------------------------------------------------------------------


def _layout(result: Result, lanes: int = 0) -> _Layout:
    """`lanes`: violating paths, each with its own lane in the channel under the columns."""
    layout = _Layout()
    channel_height = 2 * CHANNEL_PAD + max(lanes - 1, 0) * PATH_SPACING
    zone_order = [zone_id for zone_id, _, _ in result.zones]
    devices = sorted(d.name for d in result.network.devices)
    segments_of: dict[str, list[SegmentSummary]] = defaultdict(list)
    for segment in result.network.segments:
        for device in sorted({member.split(":", 1)[0] for member in segment.members}):
            segments_of[device].append(segment)
    for device in devices:
        layout.home[device] = _home_zone(segments_of[device], zone_order)
    neighbours = _neighbours(result)
    attached = {where.split(":", 1)[0] for where in result.network.upstreams} | {
        where.split(":", 1)[0] for _, where in result.network.external_attach
    }
    external_interfaces = set(result.network.upstreams) | {where for _, where in result.network.external_attach}
    for device in devices:
        layout.stubs[device] = [
            s for s in segments_of[device] if len(s.members) == 1 and s.members[0] not in external_interfaces
        ]
    top_externals, bottom_externals = _split_externals(result, layout, devices, zone_order, neighbours)
    top = MARGIN + (EXTERNAL_HEIGHT + ROW_GAP if top_externals else 0)
    column_height: float = HEADER_HEIGHT + 12
    rows_by_zone: dict[str, list[str]] = {}
    for zone_id in zone_order:
        members = [d for d in devices if layout.home[d] == zone_id]
        rows_by_zone[zone_id] = _column_order(members, layout.home, neighbours, attached)
        column_height = max(
            column_height, HEADER_HEIGHT + sum(_row_height(layout, d) + ROW_GAP for d in rows_by_zone[zone_id]) + 4
        )
    x = float(MARGIN)
    for zone_id, kind, label in result.zones:
        # A zone without devices (a remote network such as 全国LGWAN) needs room for its name only.
        column_width = COLUMN_WIDTH if rows_by_zone[zone_id] else EMPTY_COLUMN_WIDTH
        box = _Box(x, top, column_width, column_height)
        layout.columns.append((zone_id, kind, label, box))
        y: float = top + HEADER_HEIGHT
        for device in rows_by_zone[zone_id]:
            layout.devices[device] = _Box(box.x + DEVICE_INSET, y, DEVICE_WIDTH, DEVICE_HEIGHT)
            y += _row_height(layout, device) + ROW_GAP
        x += column_width + COLUMN_GAP
    width = max(x - COLUMN_GAP + MARGIN, 2 * MARGIN + COLUMN_WIDTH)
    bottom = top + column_height
    transit = [d for d in devices if layout.home[d] == TRANSIT]
    if transit or bottom_externals:
        band_top = bottom + max(BAND_GAP, channel_height)
        width = _place_band(layout, transit, bottom_externals, neighbours, band_top + 30, width)
        band_height = 30 + max([_row_height(layout, d) for d in transit] + [EXTERNAL_HEIGHT]) + 16
        layout.band = _Box(MARGIN, band_top, width - 2 * MARGIN, band_height)
        bottom = band_top + band_height
    elif lanes:
        bottom += channel_height
    _place_top_externals(layout, top_externals)
    layout.width = width
    layout.height = bottom + 16
    return layout


def _home_zone(segments: list[SegmentSummary], zone_order: list[str]) -> str:
    counts = {zone_id: sum(1 for s in segments if s.zone == zone_id) for zone_id in zone_order}
    best = max(zone_order, key=lambda zone_id: (counts[zone_id], -zone_order.index(zone_id)), default=TRANSIT)
    return best if counts.get(best, 0) else TRANSIT


def _neighbours(result: Result) -> dict[str, list[tuple[str, SegmentSummary]]]:
    """Device -> (other device, shared segment), in a fixed order."""
    out: dict[str, list[tuple[str, SegmentSummary]]] = defaultdict(list)
    for segment in result.network.segments:
        members = sorted({member.split(":", 1)[0] for member in segment.members})
        for device in members:
            out[device] += [(other, segment) for other in members if other != device]
    return out


def _column_order(
    members: list[str],
    home: dict[str, str],
    neighbours: dict[str, list[tuple[str, SegmentSummary]]],
    attached: set[str],
) -> list[str]:
    """Boundary devices (linked outside the column) at the bottom, the rest above by hop distance."""
    zone = home[members[0]] if members else TRANSIT
    boundary = sorted(d for d in members if any(home.get(other) != zone for other, _ in neighbours[d]))
    depth = {d: 0 for d in boundary}
    queue = deque(boundary)
    while queue:
        device = queue.popleft()
        for other, _ in neighbours[device]:
            if home.get(other) == zone and other not in depth:
                depth[other] = depth[device] + 1
                queue.append(other)
    unreached = max(depth.values(), default=0) + 1
    return sorted(members, key=lambda d: (-depth.get(d, unreached), d not in attached, d))


def _row_height(layout: _Layout, device: str) -> float:
    pills = len(layout.stubs.get(device, []))
    return max(DEVICE_HEIGHT, pills * (PILL_HEIGHT + PILL_GAP) - PILL_GAP)


def _split_externals(
    result: Result,
    layout: _Layout,
    devices: list[str],
    zone_order: list[str],
    neighbours: dict[str, list[tuple[str, SegmentSummary]]],
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(kind, name, device) of each upstream and external peer: above the columns when the
    device is in the upper half of its column, else in the band below."""
    items = [("upstream", where, where.split(":", 1)[0]) for where in result.network.upstreams]
    items += [("peer", peer, where.split(":", 1)[0]) for peer, where in result.network.external_attach]
    top: list[tuple[str, str, str]] = []
    bottom: list[tuple[str, str, str]] = []
    attached = {device for _, _, device in items}
    for kind, name, device in items:
        zone = layout.home.get(device, TRANSIT)
        if zone == TRANSIT:
            bottom.append((kind, name, device))
            continue
        column = _column_order([d for d in devices if layout.home[d] == zone], layout.home, neighbours, attached)
        (top if column.index(device) < len(column) / 2 else bottom).append((kind, name, device))
    return top, bottom


def _place_band(
    layout: _Layout,
    transit: list[str],
    externals: list[tuple[str, str, str]],
    neighbours: dict[str, list[tuple[str, SegmentSummary]]],
    y: float,
    width: float,
) -> float:
    """Transit devices under the mean of their neighbours, externals under their device;
    overlaps pushed right. Returns the (possibly widened) canvas width."""
    wanted: list[tuple[float, int, str, str, str, float]] = []  # (x, order, kind, name, device, width)
    for device in transit:
        xs = [layout.devices[o].centre[0] for o, _ in neighbours[device] if o in layout.devices]
        centre = sum(xs) / len(xs) if xs else width / 2
        wanted.append((centre - DEVICE_WIDTH / 2, 0, "device", device, device, DEVICE_WIDTH + PILL_WIDTH + 14))
    for kind, name, device in externals:
        anchor = layout.devices.get(device)
        centre = anchor.centre[0] if anchor else width / 2
        wanted.append((centre - EXTERNAL_WIDTH / 2, 1, kind, name, device, EXTERNAL_WIDTH))
    cursor: float = MARGIN + 8
    for x, _, kind, name, device, item_width in sorted(wanted):
        x = max(x, cursor)
        if kind == "device":
            layout.devices[name] = _Box(x, y, DEVICE_WIDTH, DEVICE_HEIGHT)
        else:
            layout.externals.append((kind, name, device, _Box(x, y + 4, EXTERNAL_WIDTH, EXTERNAL_HEIGHT)))
        cursor = x + item_width + 24
    return max(width, cursor - 24 + 8 + MARGIN)


def _place_top_externals(layout: _Layout, externals: list[tuple[str, str, str]]) -> None:
    cursor: float = MARGIN
    for kind, name, device in sorted(externals, key=lambda item: (layout.devices[item[2]].x, item[1])):
        anchor = layout.devices[device]
        x = max(cursor, anchor.centre[0] - EXTERNAL_WIDTH / 2)
        layout.externals.append((kind, name, device, _Box(x, MARGIN, EXTERNAL_WIDTH, EXTERNAL_HEIGHT)))
        cursor = x + EXTERNAL_WIDTH + 16


# --- drawing --------------------------------------------------------------------------------


def _colours(kind: str) -> tuple[str, str, str]:
    if kind == TRANSIT:
        return TRANSIT_COLOURS
    return ZONE_COLOURS.get(kind, OTHER_ZONE_COLOURS)


def _columns(layout: _Layout) -> list[str]:
    out = []
    for zone_id, kind, label, box in layout.columns:
        fill, stroke, _ = _colours(kind)
        out.append(
            f'<g class="zone" data-zone="{_e(zone_id)}" data-kind="{_e(kind)}">'
            f'<rect class="zone-boundary" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
            f'height="{_n(box.height)}" rx="10" fill="{fill}" stroke="{stroke}" stroke-width="2.5" '
            f'stroke-dasharray="9 5"/>'
            f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" height="30" rx="10" fill="{stroke}"/>'
            f'<rect x="{_n(box.x)}" y="{_n(box.y + 20)}" width="{_n(box.width)}" height="10" fill="{stroke}"/>'
            f'<text x="{_n(box.x + 12)}" y="{_n(box.y + 20)}" font-size="14" font-weight="700" fill="#ffffff">'
            f"{_e(label or zone_id)}</text>"
            f'<text x="{_n(box.x + 12)}" y="{_n(box.y + 46)}" font-size="10" fill="{stroke}" '
            f'font-family="monospace">{_e(zone_id if zone_id == kind else f"{zone_id} ({kind})")}</text></g>'
        )
    return out


def _band(layout: _Layout, words: dict[str, str]) -> list[str]:
    if layout.band is None:
        return []
    box = layout.band
    fill, stroke, _ = TRANSIT_COLOURS
    return [
        f'<g class="zone transit"><rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
        f'height="{_n(box.height)}" rx="10" fill="{fill}" stroke="{stroke}" stroke-width="1.5" '
        f'stroke-dasharray="4 4"/><text x="{_n(box.x + 12)}" y="{_n(box.y + 20)}" font-size="12" '
        f'font-weight="700" fill="{stroke}">{_e(words["transit"])}</text></g>'
    ]


def _links(result: Result, layout: _Layout, zone_kind: dict[str, str]) -> tuple[list[str], list[str]]:
    """(lines, labels) of the segments shared by several devices; the labels are drawn over
    the violating paths so the subnet stays readable. Two devices: a line between them with
    the subnet half-way; more: a line from each to the subnet label at their centre (a bus),
    which keeps a large access segment at n lines rather than n²."""
    lines, labels = [], []
    for segment in result.network.segments:
        members = sorted({m.split(":", 1)[0] for m in segment.members if m.split(":", 1)[0] in layout.devices})
        if len(members) < 2:
            continue
        _, stroke, pill = _colours(zone_kind.get(segment.zone, TRANSIT) if segment.zone else TRANSIT)
        centres = [layout.devices[member].centre for member in members]
        if len(members) == 2:
            spokes = [(centres[0], centres[1])]
            hub = ((centres[0][0] + centres[1][0]) / 2, (centres[0][1] + centres[1][1]) / 2)
        else:
            hub = (sum(x for x, _ in centres) / len(centres), sum(y for _, y in centres) / len(centres))
            spokes = [(centre, hub) for centre in centres]
        for (x1, y1), (x2, y2) in spokes:
            lines.append(
                f'<line class="segment-link" data-segment="{_e(segment.id)}" data-zone="{_e(segment.zone)}" '
                f'x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" stroke-width="2.5"/>'
            )
        label_width = 6.2 * len(segment.id) + 10
        labels.append(
            f'<g class="segment-label"><rect x="{_n(hub[0] - label_width / 2)}" y="{_n(hub[1] - 8)}" '
            f'width="{_n(label_width)}" height="16" rx="8" fill="{pill}" stroke="{stroke}" '
            f'stroke-width="0.8"/><text x="{_n(hub[0])}" y="{_n(hub[1] + 4)}" font-size="10" '
            f'text-anchor="middle" font-family="monospace" fill="#0f172a">{_e(segment.id)}</text></g>'
        )
    return lines, labels


def _external_links(layout: _Layout) -> list[str]:
    out = []
    for _, _, device, box in layout.externals:
        anchor = layout.devices.get(device)
        if anchor is None:
            continue
        (x1, y1), (x2, y2) = box.centre, anchor.centre
        out.append(
            f'<line class="external-link" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="#475569" stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    return out


def _violating_paths(layout: _Layout, violating: list[tuple[int, Finding]]) -> list[str]:
    out = []
    count = len(violating)
    for order, (index, finding) in enumerate(violating):
        devices = [step.device for step in finding.path if step.device in layout.devices]
        devices = [d for position, d in enumerate(devices) if position == 0 or devices[position - 1] != d]
        offset = (order - (count - 1) / 2) * PATH_SPACING
        if len(devices) == 1:  # a flow that enters and leaves one device: a loop around it
            x, y = layout.devices[devices[0]].centre
            points = [(x - 30 + offset, y - 26 + offset), (x + 30 + offset, y - 26 + offset)]
        else:
            points = _route(layout, devices, offset, _channel_y(layout) + order * PATH_SPACING)
        last = layout.devices[devices[-1]]
        if len(devices) > 1:  # end the arrow on the border of the destination device, not under it
            points[-1] = _border_point(points[-2], points[-1], last)
        commands = " ".join(f"{'M' if i == 0 else 'L'}{_n(x)},{_n(y)}" for i, (x, y) in enumerate(points))
        title = f"#{index} {finding.rule} {finding.from_zone} → {finding.to_zone}"
        # a warning (e.g. isolation resting on routing alone) is dashed, an error solid
        dashes = "" if finding.severity == "error" else ' stroke-dasharray="8 5"'
        severity = f' data-severity="{_e(finding.severity)}"'
        out.append(
            f'<path class="violating-path" data-finding="{index}" data-rule="{_e(finding.rule)}"{severity} '
            f'data-devices="{_e(" ".join(devices))}" d="{commands}" fill="none" stroke="{VIOLATION}" '
            f'stroke-width="3" stroke-opacity="0.85" stroke-linejoin="round"{dashes} marker-end="url(#nk-arrow)">'
            f"<title>{_e(title)}</title></path>"
        )
    return out


def _channel_y(layout: _Layout) -> float:
    """The top lane of the channel under the zone columns (above the transit band), where paths
    run from one column to another: it crosses no zone."""
    bottom = max((box.y + box.height for _, _, _, box in layout.columns), default=float(MARGIN))
    return bottom + CHANNEL_PAD


def _route(layout: _Layout, devices: list[str], offset: float, channel: float) -> list[tuple[float, float]]:
    """Orthogonal points through `devices`: within a column (or within the band) straight from
    one device to the next; between columns, or between a column and the band, down (or up) to
    the channel, along it, and up (or down) to the next device. A path thus only ever crosses
    the zones of the devices it passes through."""
    first = layout.devices[devices[0]].centre
    points = [(first[0] + offset, first[1])]
    for here, there in itertools.pairwise(devices):
        (x1, _), (x2, y2) = layout.devices[here].centre, layout.devices[there].centre
        same_column = layout.home.get(here) == layout.home.get(there) and layout.home.get(here) != TRANSIT
        if same_column:
            points.append((x2 + offset, y2))
        elif layout.home.get(here) == TRANSIT and layout.home.get(there) == TRANSIT:
            band_lane = y2 + offset / 2  # along the band, a lane per path
            points += [(points[-1][0], band_lane), (x2 + offset, band_lane), (x2 + offset, y2)]
        else:
            points += [(x1 + offset, channel), (x2 + offset, channel), (x2 + offset, y2)]
    return _without_repeats(points)


def _without_repeats(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept = [points[0]]
    for point in points[1:]:
        if point != kept[-1]:
            kept.append(point)
    return kept


def _path_numbers(layout: _Layout, violating: list[tuple[int, Finding]]) -> list[str]:
    """The finding number of each violating path, in a red badge on the device where it starts
    (badges of paths starting on the same device side by side)."""
    out = []
    per_device: dict[str, int] = defaultdict(int)
    for index, finding in violating:
        start = next((step.device for step in finding.path if step.device in layout.devices), None)
        if start is None:
            continue
        box = layout.devices[start]
        x = box.x + box.width - 10 - per_device[start] * 19
        per_device[start] += 1
        out.append(f'<g class="path-number" data-finding="{index}">{_number_badge(x, box.y, str(index))}</g>')
    return out


def _number_badge(x: float, y: float, text: str) -> str:
    return (
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="8.5" fill="{VIOLATION}" stroke="#ffffff" stroke-width="1.5"/>'
        f'<text x="{_n(x)}" y="{_n(y + 3.5)}" font-size="10" font-weight="700" text-anchor="middle" '
        f'fill="#ffffff">{_e(text)}</text>'
    )


def _border_point(start: tuple[float, float], end: tuple[float, float], box: _Box) -> tuple[float, float]:
    """Where the segment start→end enters `box` (whose centre is near `end`), 3 px outside it."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    scales = [(box.width / 2 + 3) / abs(dx)] if dx else []
    scales += [(box.height / 2 + 3) / abs(dy)] if dy else []
    scale = min(min(scales, default=0.0), 1.0)
    return end[0] - dx * scale, end[1] - dy * scale


def _devices(result: Result, layout: _Layout, on_path: set[str], zone_kind: dict[str, str]) -> list[str]:
    out = []
    summaries = {d.name: d for d in result.network.devices}
    for name in sorted(layout.devices):
        box = layout.devices[name]
        home = layout.home.get(name, TRANSIT)
        _, stroke, _ = _colours(zone_kind.get(home, TRANSIT) if home else TRANSIT)
        marked = name in on_path
        summary = summaries.get(name)
        detail = (summary.role or summary.vendor) if summary else ""
        classes = "device on-violating-path" if marked else "device"
        out.append(
            f'<g class="{classes}" data-device="{_e(name)}">'
            f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" height="{_n(box.height)}" rx="6" '
            f'fill="#ffffff" stroke="{VIOLATION if marked else stroke}" stroke-width="{3 if marked else 1.8}"/>'
            f'<text x="{_n(box.x + 10)}" y="{_n(box.y + 18)}" font-size="13" font-weight="700" '
            f'fill="#0f172a">{_e(name)}</text>'
            f'<text x="{_n(box.x + 10)}" y="{_n(box.y + 33)}" font-size="10" fill="#475569">{_e(detail)}</text>'
        )
        for position, segment in enumerate(layout.stubs.get(name, [])):
            kind = zone_kind.get(segment.zone, TRANSIT) if segment.zone else TRANSIT
            _, pill_stroke, pill = _colours(kind)
            x = box.x + box.width + 14
            y = box.y + position * (PILL_HEIGHT + PILL_GAP)
            out.append(
                f'<g class="segment" data-segment="{_e(segment.id)}" data-zone="{_e(segment.zone)}">'
                f'<line x1="{_n(box.x + box.width)}" y1="{_n(y + PILL_HEIGHT / 2)}" x2="{_n(x)}" '
                f'y2="{_n(y + PILL_HEIGHT / 2)}" stroke="{pill_stroke}" stroke-width="1.2"/>'
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{PILL_WIDTH}" height="{PILL_HEIGHT}" rx="8" fill="{pill}" '
                f'stroke="{pill_stroke}" stroke-width="0.8"/>'
                f'<text x="{_n(x + PILL_WIDTH / 2)}" y="{_n(y + 12.5)}" font-size="10" text-anchor="middle" '
                f'font-family="monospace" fill="#0f172a">{_e(segment.id)}</text></g>'
            )
        out.append("</g>")
    return out


def _externals(layout: _Layout, words: dict[str, str]) -> list[str]:
    out = []
    for kind, name, device, box in layout.externals:
        title = words["upstream"] if kind == "upstream" else name
        detail = name.split(":", 1)[1] if kind == "upstream" and ":" in name else device
        out.append(
            f'<g class="external" data-kind="{kind}" data-name="{_e(name)}">'
            f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" height="{_n(box.height)}" rx="17" '
            f'fill="#ffffff" stroke="#475569" stroke-width="1.5" stroke-dasharray="5 4"/>'
            f'<text x="{_n(box.centre[0])}" y="{_n(box.y + 15)}" font-size="11" font-weight="700" '
            f'text-anchor="middle" fill="#1e293b">{_e(title)}</text>'
            f'<text x="{_n(box.centre[0])}" y="{_n(box.y + 27)}" font-size="9" text-anchor="middle" '
            f'fill="#475569" font-family="monospace">{_e(detail)}</text></g>'
        )
    return out


def _legend(result: Result, layout: _Layout, words: dict[str, str]) -> list[str]:
    """The legend under the drawing, wrapped onto as many rows as the width needs; grows
    `layout.height` by its own height."""
    swatches: list[tuple[str, str]] = []  # (shape drawn at x=0, label)
    for zone_id, kind, label in result.zones:
        _, stroke, pill = _colours(kind)
        swatches.append((_swatch(pill, stroke), label or zone_id))
    swatches.append((_swatch(TRANSIT_COLOURS[2], TRANSIT_COLOURS[1]), words["transit"]))
    swatches.append(
        (
            f'<line x1="0" y1="7" x2="22" y2="7" stroke="{VIOLATION}" stroke-width="3" marker-end="url(#nk-arrow)"/>',
            words["violating"],
        )
    )
    swatches.append(
        (
            f'<line x1="0" y1="7" x2="22" y2="7" stroke="{VIOLATION}" stroke-width="3" '
            f'stroke-dasharray="8 5" marker-end="url(#nk-arrow)"/>',
            words["violating_warning"],
        )
    )
    swatches.append((_number_badge(11, 7, "n"), words["number"]))
    swatches.append(
        (
            '<line x1="0" y1="7" x2="22" y2="7" stroke="#475569" stroke-width="1.5" stroke-dasharray="5 4"/>',
            words["external"],
        )
    )
    out = ['<g class="legend">']
    x, y = float(MARGIN), layout.height + 4
    for shape, text in swatches:
        width = 44 + _text_width(text, 11)
        if x > MARGIN and x + width > layout.width - MARGIN:
            x, y = float(MARGIN), y + LEGEND_ROW_HEIGHT
        out.append(
            f'<g transform="translate({_n(x)},{_n(y)})">{shape}<text x="28" y="11" font-size="11" '
            f'fill="#334155">{_e(text)}</text></g>'
        )
        x += width
    out.append("</g>")
    layout.height = y + LEGEND_ROW_HEIGHT + 8
    return out


def _swatch(fill: str, stroke: str) -> str:
    return f'<rect x="0" y="0" width="22" height="14" rx="4" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'


def _text_width(text: str, size: float) -> float:
    """A rough width for layout: full-width (CJK) characters count double."""
    return sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _n(value: float) -> str:
    """Coordinates with at most one decimal, no trailing zeros: stable text for stable bytes."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
