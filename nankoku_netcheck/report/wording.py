"""Japanese for the fragments the analysis writes in English only: evidence roles, route texts,
packet-class notation, the notes of a path and the route absences of a certificate.

The analysis records these once, in English, inside the Result (they are values of the JSON
report too); the Japanese human-readable reports translate them here (`localized`; a certificate's lines
when they are grouped, by `role_text`), when they are shown, from
the fixed set of sentences the analysis writes. A fragment outside that set is shown as it is
(English): tests/test_report_language.py renders both samples and fails on any English word of
the English report left in the Japanese one, so a new sentence in the analysis gets its
translation here. Quoted config text, names and addresses inside a fragment are kept verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ..result import ExceptionRecord, Finding, PathStep, Result

# --- evidence roles -------------------------------------------------------------------------

_ROLES_JA: dict[str, str] = {
    "permits": "許可",
    "permits everything": "すべて許可",
    "route": "経路",
    "static route": "スタティックルート",
    "translates": "アドレス変換",
    "drops": "遮断",
    "implicit deny at the end": "末尾の暗黙の拒否",
    "declared": "宣言",
    "not understood": "未解釈",
    "pins": "固定",
    "matches first": "先に一致",
    "uses undefined": "未定義を参照",
    "unreachable": "到達不能",
    "access port": "アクセスポート",
    "default community": "既定のコミュニティ名",
    "write access": "書込み権限",
    "enables": "有効化",
    "disables": "無効化",
    "idle timeout": "無操作タイムアウト",
    "management access": "管理アクセス",
    "not shut down": "未閉鎖",
    "privileged account": "特権アカウント",
    "plaintext": "平文",
    "reversible": "可逆暗号化",
    "none": "パスワードなし",
    "source restriction": "接続元の制限",
    "log server": "ログサーバー",
    "log time stamps": "ログの日時",
    "no time stamp": "日時なし",
    "ntp server": "NTP サーバー",
    "ssid": "SSID",
    "device (setting missing)": "機器（設定なし）",
    "service timestamps log datetime": "service timestamps log datetime",
}
_BINDS = re.compile(r"binds (?P<acl>.+) \((?P<direction>in|out)\) on (?P<device>\S+) (?P<interface>\S+)")
_DIRECTIONS_JA = {"in": "入力", "out": "出力"}


def role_ja(role: str) -> str:
    """`binds ACL (in) on DEVICE IF` → `ACL を DEVICE IF の入力方向に適用`; the fixed roles from
    the table; anything else unchanged."""
    bound = _BINDS.fullmatch(role)
    if bound:
        direction = _DIRECTIONS_JA[bound["direction"]]
        return f"{bound['acl']} を {bound['device']} {bound['interface']} の{direction}方向に適用"
    return _ROLES_JA.get(role, role)


def direction_ja(direction: str) -> str:
    return _DIRECTIONS_JA.get(direction, direction)


# --- routes ---------------------------------------------------------------------------------

_FIXED_ROUTES_JA = {
    "any neighbour (routing ignored)": "任意の隣接機器（経路設定は考慮しない）",
    "local (addressed to the device)": "自機宛",
}
_ROUTE = re.compile(r"(?P<prefix>\S+)(?: via (?P<via>\S+))?(?: dev (?P<dev>\S+))?")
_DISCARD = re.compile(r"(?P<prefix>\S+) → discard")
_DYNAMIC = re.compile(r"dynamic \((?P<process>.+), over-approximated\)")


def route_ja(route: str) -> str:
    """`10.2.0.0/16 via 192.168.255.6 dev Gi0/1` → `10.2.0.0/16 → 次ホップ 192.168.255.6（Gi0/1）`."""
    if route in _FIXED_ROUTES_JA:
        return _FIXED_ROUTES_JA[route]
    if match := _DISCARD.fullmatch(route):
        return f"{match['prefix']} → 破棄"
    if match := _DYNAMIC.fullmatch(route):
        return f"動的経路（{match['process']}、過大近似）"
    match = _ROUTE.fullmatch(route)
    if match is None or not (match["via"] or match["dev"]):
        return route
    if match["via"]:
        return f"{match['prefix']} → 次ホップ {match['via']}" + (f"（{match['dev']}）" if match["dev"] else "")
    return f"{match['prefix']} → 直結 {match['dev']}"


# --- packet-class notation ------------------------------------------------------------------

_PREFIX_LIST = r"(?:[0-9.]+/\d+(?:, (?:[0-9.]+/\d+|…))*)"
_CLASS_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(rf"\bany except ({_PREFIX_LIST})"), lambda m: f"{m[1]} 以外の任意"),
    (re.compile(r" \(without network/broadcast addresses\)"), "（ネットワーク・ブロードキャストアドレスを除く）"),
    (re.compile(r" not established\b"), " ACK/RST なし"),
    (re.compile(r" established\b"), " ACK/RST 付き"),
    (re.compile(r"\bdport (\S+)"), r"宛先ポート \1"),
    (re.compile(r"\bsport (\S+)"), r"送信元ポート \1"),
    (re.compile(r"^(\d+) protocols\b"), r"\1 種のプロトコル"),
    (re.compile(r"\bany\b"), "任意"),
)


def packet_class_ja(text: str) -> str:
    """`tcp 10.1.10.0/24 → any except 10.0.0.0/8 dport 445 not established` →
    `tcp 10.1.10.0/24 → 10.0.0.0/8 以外の任意 宛先ポート 445 ACK/RST なし`."""
    for pattern, replacement in _CLASS_RULES:
        text = pattern.sub(replacement, text)
    return text


# --- notes ----------------------------------------------------------------------------------

_NOTES_JA: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"no ACL: security levels decide"), "ACL なし: セキュリティレベルで判定"),
    (re.compile(r"reply of a connection permitted from (\S+)"), r"\1 から許可された接続の戻り"),
    (re.compile(r"no connection could have been opened from (\S+)"), r"\1 から開始できた接続はありません"),
    (re.compile(r"reply: checked against the reverse connection"), "戻りの通信: 逆方向の接続と照合"),
    (re.compile(r"to another interface's address: the firewall drops it"), "別のインターフェースのアドレス宛て: 破棄"),
    (re.compile(r"state check: no such connection"), "状態検査: 該当する接続なし"),
    (
        re.compile(r"to the box: management access, no access rule applies"),
        "機器宛て: 管理アクセス（アクセスルールは適用されない）",
    ),
    (
        re.compile(r"in and out the same interface: needs same-security-traffic permit intra-interface"),
        "同じインターフェースで出入り: same-security-traffic permit intra-interface が必要",
    ),
    (re.compile(r"security level (\d+) → (\d+) is not permitted"), r"セキュリティレベル \1 → \2 は許可されない"),
    (re.compile(r"ACL (\S+) has no entries, so it permits everything"), r"ACL \1 にはエントリがないため、すべて許可"),
    (re.compile(r"NAT rewrites (\S+) to (\S+) \((.*)\)"), r"NAT が \1 を \2 に変換（\3）"),
    (re.compile(r"relayed by the device \((.*)\)"), r"機器が中継して送信（\1）"),
    (
        re.compile(r"further packet classes between these zones are not listed separately"),
        "これらの領域間のほかのパケットの種類は個別には挙げていません",
    ),
)
_DEVICE_NOTE = re.compile(r"(?P<device>[^\s:]+): (?P<rest>.*)")


def note_ja(note: str) -> str:
    """A note of a path (`DEVICE: sentence` or a sentence) with a known sentence translated."""
    prefix, rest = "", note
    device_note = _DEVICE_NOTE.fullmatch(note)
    if device_note and _translated(device_note["rest"]) != device_note["rest"]:
        prefix, rest = f"{device_note['device']}: ", device_note["rest"]
    return prefix + _translated(rest)


def _translated(sentence: str) -> str:
    for pattern, replacement in _NOTES_JA:
        if pattern.fullmatch(sentence):
            return pattern.sub(replacement, sentence)
    return sentence


# --- certificates ---------------------------------------------------------------------------

_ABSENCES_JA = {
    "no physical path between the zones": "領域間に物理的な経路がありません",
    (
        "no set of whole filters cuts every path: isolation rests on routing or on several partial filters "
        "together (see ZONE-008)"
    ): (
        "フィルタ全体の組ではすべての経路を断てません。分離は経路設定、または複数のフィルタの一部の組合せに"
        "依存しています（ZONE-008 を参照）"
    ),
}
_STATES_JA = {"active": "有効", "expired": "期限切れ", "unused": "未使用", "not-checked": "未検査"}
_NO_FILTER = "no filter on the path"


def state_ja(state: str) -> str:
    return _STATES_JA.get(state, state)


# rules/certificate.py VRF_SEPARATION, followed by "device (vrf A, vrf B); ...".
_VRF_SEPARATION = "the VRF tables, with no static route leaking between them, of: "


def absence_ja(absence: str) -> str:
    if absence.startswith(_VRF_SEPARATION):
        return "次の機器の VRF の経路表の分離（VRF 間をつなぐ静的経路がないこと）: " + absence[len(_VRF_SEPARATION) :]
    return _ABSENCES_JA.get(absence, absence)


def packet_class_text(text: str, lang: str) -> str:
    return packet_class_ja(text) if lang == "ja" else text


def role_text(role: str, lang: str) -> str:
    return role_ja(role) if lang == "ja" else role


def absence_text(absence: str, lang: str) -> str:
    return absence_ja(absence) if lang == "ja" else absence


def state_text(state: str, lang: str) -> str:
    return state_ja(state) if lang == "ja" else state


# --- trace and diff -------------------------------------------------------------------------

_DISPOSITIONS_JA = {
    "delivered": "配送",
    "denied-in": "入力で拒否",
    "denied-out": "出力で拒否",
    "no-route": "経路なし",
    "null-routed": "破棄（null ルート）",
    "loop": "ループ",
    "no-host": "該当ホストなし",
}
_ENDPOINTS_JA: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"hosts on (\S+)"), r"\1 のホスト"),
    (re.compile(r"device (\S+)"), r"機器 \1"),
    (re.compile(r"exit (\S+)"), r"\1 から外部へ"),
)
_ACL_NOTES_JA = {
    "referenced but not defined (permits everything)": "参照されているが未定義（すべて許可）",
    "no entries (permits everything)": "エントリなし（すべて許可）",
    "implicit deny at the end": "末尾の暗黙の拒否",
    "dynamic routing, over-approximated": "動的ルーティング（過大近似）",
}
_FATES_JA: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"permitted by (.+)"), r"\1 で許可"),
    (re.compile(r"passes with no filter on the path"), "経路上にフィルタなしで通過"),
    (re.compile(r"denied at (\S+) access-list (\S+) \((.+)\)"), r"\1 の access-list \2 で拒否（\3）"),
    (re.compile(r"denied at (\S+) by the implicit deny of (\S+)"), r"\1 で \2 の末尾の暗黙の拒否により拒否"),
    (re.compile(r"no route at (\S+)"), r"\1 に経路なし"),
    (re.compile(r"null-routed at (\S+)"), r"\1 で破棄（null ルート）"),
    (re.compile(r"its start point did not exist"), "始点が存在しません"),
    (re.compile(r"not delivered there"), "そこには届きません"),
)


def disposition_text(disposition: str, lang: str) -> str:
    return _DISPOSITIONS_JA.get(disposition, disposition) if lang == "ja" else disposition


def endpoint_text(endpoint: str, lang: str) -> str:
    return _substituted(endpoint, _ENDPOINTS_JA) if lang == "ja" else endpoint


def acl_note_text(note: str, lang: str) -> str:
    return _ACL_NOTES_JA.get(note, note) if lang == "ja" else note


def fate_text(fate: str, lang: str) -> str:
    """What a state of a `diff` does with a packet (`permitted by a.cfg:12`, `denied at ...`)."""
    return _substituted(fate, _FATES_JA) if lang == "ja" else fate


def _substituted(text: str, table: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    for pattern, replacement in table:
        if pattern.fullmatch(text):
            return pattern.sub(replacement, text)
    return text


# --- the whole Result -----------------------------------------------------------------------


def localized(result: Result, lang: str) -> Result:
    """`result` with the analysis' English fragments in Japanese when `lang` is ja; unchanged
    otherwise. Only tool-written fields change; quoted config text never does. Evidence roles
    stay as they are (renderers pick lines by role, e.g. `permits`): shown through `role_text`."""
    if lang != "ja":
        return result
    return replace(
        result,
        findings=tuple(_finding_ja(f) for f in result.findings),
        exceptions=tuple(_exception_ja(e) for e in result.exceptions),
    )


def localized_finding(finding: Finding, lang: str) -> Finding:
    return _finding_ja(finding) if lang == "ja" else finding


def _finding_ja(finding: Finding) -> Finding:
    message = finding.message_ja
    if finding.flow_class:
        message = message.replace(finding.flow_class, packet_class_ja(finding.flow_class))
    return replace(
        finding,
        message_ja=message.replace(_NO_FILTER, "経路上にフィルタなし"),
        flow_class=packet_class_ja(finding.flow_class),
        path=tuple(_step_ja(step) for step in finding.path),
        notes=tuple(note_ja(note) for note in finding.notes),
    )


def _step_ja(step: PathStep) -> PathStep:
    return replace(step, route=route_ja(step.route), note="; ".join(note_ja(n) for n in step.note.split("; ") if n))


def _exception_ja(record: ExceptionRecord) -> ExceptionRecord:
    return replace(record, matched=packet_class_ja(record.matched))
