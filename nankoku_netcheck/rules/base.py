"""What a rule is: one record per rule ID holding everything the tool says about it.

A `Rule` carries its stable ID, severity, the clause of the sample city's 対策基準 it
enforces, the section of the 総務省 guideline (地方公共団体における情報セキュリティポリシーに
関するガイドライン) it follows, bilingual titles, its documentation page and its check. The
registry (rules/__init__.py) attaches the pages (rules/pages.py, rules/docs_device.py) by ID,
so titles, severity and clauses are written once, in the rule modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..result import Finding
from .flows import FlowContext

Check = Callable[[FlowContext], list[Finding]]

# Zone kinds a zone-pair rule's JUnit test cases cover ("*" = any other zone).
MYNUMBER, LGWAN, INTERNET, ANY = "mynumber", "lgwan", "internet", "*"
SCOPES = ("zone-pair", "device", "network")


@dataclass(frozen=True)
class RulePage:
    """A rule's documentation: what it checks, why, an example that violates it (and,
    where written, one that passes), and the fix. `scope` and `zone_pairs` say what one
    JUnit test case covers: a pair of zones (by zone kind), a device, or the network."""

    what_en: str
    what_ja: str
    why_en: str
    why_ja: str
    example: str  # config or topology excerpt that violates the rule (language-neutral)
    fix_en: str
    fix_ja: str
    scope: str = "device"  # zone-pair | device | network
    zone_pairs: tuple[tuple[str, str], ...] = ()
    example_pass: str = ""  # the same excerpt, corrected; "" = not written yet


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    clause: str  # the sample city's (南国市) 対策基準 numbering; "—" = none
    title_en: str
    title_ja: str
    check: Check
    guideline: str = ""  # the 総務省 guideline section; "—" = none
    page: RulePage | None = None

    @property
    def family(self) -> str:
        """The ID's prefix (ZONE, ACL, MGMT, ...): what profiles select rules by."""
        return family_of(self.id)

    def title(self, lang: str) -> str:
        return self.title_ja if lang == "ja" else self.title_en

    # The page's parts, empty when the rule has no page (a test proves every rule has one).

    def what(self, lang: str) -> str:
        return "" if self.page is None else self.page.what_ja if lang == "ja" else self.page.what_en

    def why(self, lang: str) -> str:
        return "" if self.page is None else self.page.why_ja if lang == "ja" else self.page.why_en

    def fix(self, lang: str) -> str:
        return "" if self.page is None else self.page.fix_ja if lang == "ja" else self.page.fix_en

    # The page's texts by field name, as report code written against the old page records reads them.

    @property
    def what_en(self) -> str:
        return self.what("en")

    @property
    def what_ja(self) -> str:
        return self.what("ja")

    @property
    def why_en(self) -> str:
        return self.why("en")

    @property
    def why_ja(self) -> str:
        return self.why("ja")

    @property
    def fix_en(self) -> str:
        return self.fix("en")

    @property
    def fix_ja(self) -> str:
        return self.fix("ja")

    @property
    def example(self) -> str:
        return "" if self.page is None else self.page.example

    @property
    def example_pass(self) -> str:
        return "" if self.page is None else self.page.example_pass

    @property
    def scope(self) -> str:
        return "network" if self.page is None else self.page.scope

    @property
    def zone_pairs(self) -> tuple[tuple[str, str], ...]:
        return () if self.page is None else self.page.zone_pairs


def family_of(rule_id: str) -> str:
    return rule_id.rsplit("-", 1)[0]


def not_yet_checked(_ctx: FlowContext) -> list[Finding]:
    """The check of a rule that is documented but not implemented. Never run: the registry
    keeps such rules out of REGISTRY (a check that finds nothing would read as a pass)."""
    raise NotImplementedError("documented rule without a check")


# Sections of the 総務省 guideline's 対策基準 (令和6年10月版, 第3編第2章). Item numbers inside a
# section moved between editions, so an item is named by its title: "6.1（ログの取得等）".
GL_MYNUMBER = "3.(1) マイナンバー利用事務系"
GL_LGWAN = "3.(2) LGWAN接続系"
GL_INTERNET = "3.(3) インターネット接続系"
GL_RESILIENCE = "3. 情報システム全体の強靭性の向上"
GL_SERVERS = "4.1"  # サーバ等の管理
GL_LINES = "4.3"  # 通信回線及び通信回線装置の管理
GL_NETWORK = "6.1"  # コンピュータ及びネットワークの管理
GL_ACCESS = "6.2"  # アクセス制御
GL_INTRUSION = "6.5 不正アクセス対策"
GL_MONITORING = "7.1"  # 情報システムの監視
GL_EXCEPTIONS = "7.4 例外措置"
GL_NONE = "—"
