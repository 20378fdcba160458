"""The documentation page of every rule (design note rules.md), in Japanese and English:
what it checks, why, an example violation and its fix. Data only, keyed by rule ID: the
registry (rules/__init__.py) attaches each page to its rule, whose record holds the
severity, clauses and titles, so those are written once.

The zone and meta pages (and ACL-005) are written here; the filtering and device-hardening
pages come from rules/docs_device.py, written with those rules.
"""

from __future__ import annotations

from dataclasses import replace

from .base import ANY, INTERNET, LGWAN, MYNUMBER, RulePage
from .docs_device import DEVICE_RULE_DOCS

_MYNUMBER_PAIRS = ((MYNUMBER, ANY), (ANY, MYNUMBER))
_LGWAN_INTERNET_PAIRS = ((LGWAN, INTERNET), (INTERNET, LGWAN))

_WRITTEN_HERE: dict[str, RulePage] = {
    "ZONE-001": RulePage(
        "Proves, over every possible packet, that no packet from the mynumber zone reaches another zone "
        "(or the internet) and none reaches the mynumber zone from outside, in either direction. Flows of a "
        "declared external link (e.g. to the 中間サーバー・プラットフォーム) are the only exception; ZONE-002 "
        "checks those. A zone that nothing in the network stands for (no device interface address in its "
        "prefixes, no upstream) makes the rule inconclusive, never a pass: with no segment, no flow starts "
        "there and the proof would be empty. The other zone rules treat such a zone the same way. An ACL "
        "bound to an interface filters only once it has an entry: one with no entries (only remarks), like "
        "an undefined one on IOS, lets every packet through. Cisco does not document an ASA access-group "
        "naming an ACL with only remarks; it is taken to let every packet through too, the reading that can "
        "only show more flows. A router that relays UDP broadcasts (IOS `ip helper-address`) sends each relayed "
        "request to its server as its own packet, which outbound ACLs do not filter, and the server's reply to "
        "the clients: a relay to a server in another zone is a flow into that zone. Multicast routing (IOS "
        "`ip multicast-routing` with `ip pim` or `ip dvmrp` on interfaces) is over-approximated: a group packet "
        "admitted on one multicast interface may leave by every other, past its filters, and reaches the hosts "
        "beyond.",
        "考えられるすべてのパケットについて、マイナンバー利用事務系から他の領域（インターネットを含む）へ、"
        "また他の領域からマイナンバー利用事務系へ、どちらの向きにも到達するパケットがないことを証明します。"
        "例外は宣言された外部接続（中間サーバー・プラットフォーム等）の通信だけで、それは ZONE-002 が確認します。"
        "ネットワーク上に対応するものがない領域（接頭辞に含まれる機器のインターフェースアドレスも上流の宣言も"
        "ない領域）があると、本ルールは合格ではなく「判定不能」になります。セグメントがなければそこから始まる"
        "通信がなく、証明が空になるためです。他の領域ルールも同様に扱います。"
        "インターフェースに適用した ACL はエントリが 1 行以上あって初めてフィルタします。エントリのない"
        "（remark だけの）ACL は、IOS の未定義 ACL と同じくすべてのパケットを通します。ASA で remark だけの"
        " ACL を access-group に指定した場合の動作は Cisco の文書に記載がないため、より多くの通信を示す側"
        "（すべて通す）として扱います。UDP ブロードキャストを中継するルーター（IOS の `ip helper-address`）は、"
        "中継した要求を自身のパケットとしてサーバーへ送り（出力方向の ACL はこれをフィルタしません）、サーバーの"
        "応答をクライアントへ送ります。別の領域にあるサーバーへの中継は、その領域への通信です。マルチキャスト"
        "ルーティング（IOS の `ip multicast-routing` とインターフェースの `ip pim` または `ip dvmrp`）は"
        "近似で扱い、あるマルチキャストインターフェースで受け付けたグループ宛てパケットは、フィルタが許せば他のすべてのマルチキャスト"
        "インターフェースから出て、その先のホストに届くものとします。",
        "The policy requires the mynumber zone to be cut off from other zones so that personal-number data "
        "cannot leak and malware cannot get in. One over-broad ACL line on a shared router is enough to break "
        "that, and such mistakes are invisible in a manual review of one device at a time.",
        "ポリシーは、個人番号を扱う情報の流出と不正プログラムの侵入を防ぐため、マイナンバー利用事務系を"
        "他の領域から分離することを求めています。共用ルーターの ACL 1 行の書き過ぎでこの分離は崩れ、"
        "機器を 1 台ずつ目視する点検では気付けません。",
        "ip access-list extended MN-BB-OUT\n"
        " permit tcp host 10.1.20.30 any eq www   ! lets a mynumber host browse the web\n"
        " deny   ip any any",
        "Remove the permitting line (the report names its file and line), or narrow it to the declared "
        "external link's addresses and ports. Re-run the verifier: the finding disappears only when no "
        "packet at all crosses.",
        "許可している行（レポートがファイルと行番号を示します）を削除するか、宣言済みの外部接続の"
        "アドレスとポートだけに絞ってください。再実行して、越境するパケットが一つもなくなったときにだけ"
        "検出事項が消えます。",
        scope="zone-pair",
        zone_pairs=_MYNUMBER_PAIRS,
    ),
    "ZONE-002": RulePage(
        "For each external peer of the mynumber zone (topology `external_peers`), every flow that crosses "
        "the link lies inside its `allow` list, and each allow entry names host addresses and explicit "
        "ports — nothing broader.",
        "マイナンバー利用事務系の各外部接続先（トポロジーの `external_peers`）について、接続を通る通信が"
        "すべて `allow` の範囲内にあり、各 allow がホスト単位のアドレスと明示的なポートだけを指定している"
        "ことを確認します。",
        "The policy allows the mynumber zone to talk to outside systems (e.g. the 中間サーバー) only over "
        "specified, narrowly defined connections. A link that carries more than that is a path out of the zone.",
        "ポリシーがマイナンバー利用事務系に認める外部との通信は、中間サーバー等との特定された必要最小限の"
        "接続だけです。それ以上を通す接続は、領域からの抜け道になります。",
        "external_peers:\n  chukan:\n    allow:\n      - {src: [10.1.0.0/16], dst: [192.0.2.0/24], proto: ip}",
        "Narrow the allow entry to the hosts and ports actually used (e.g. src 10.1.20.5/32, dst "
        "192.0.2.10/32, tcp 443) and make the ACL on the link match it.",
        "allow を実際に使うホストとポート（例: src 10.1.20.5/32、dst 192.0.2.10/32、tcp 443）に絞り、"
        "接続上の ACL もそれに合わせてください。",
        scope="network",
    ),
    "ZONE-003": RulePage(
        "The MAC addresses declared for an external link (`mac:` of the peer) are pinned on its path: static "
        "port-security, a MAC ACL, or a static ARP / MAC binding.",
        "外部接続に宣言した MAC アドレス（接続先の `mac:`）が、経路上でポートセキュリティ（静的）、"
        "MAC ACL、または静的 ARP / MAC 登録によって固定されていることを確認します。",
        "Pinning the MAC addresses stops another device from being plugged in on the link and impersonating "
        "the permitted server or line terminal.",
        "MAC アドレスを固定すると、接続に別の機器を差し込んで許可されたサーバーや回線終端装置になりすます"
        "ことを防げます。",
        "interface GigabitEthernet0/2\n description to 中間サーバー\n ip address 192.168.250.1 255.255.255.252\n"
        " ! no static ARP entry for the peer",
        "Add `arp 192.168.250.2 0000.5e00.5302 ARPA` (router) or `switchport port-security mac-address "
        "0000.5e00.5305` with `switchport port-security` (switch port) for each declared MAC.",
        "宣言した MAC ごとに `arp 192.168.250.2 0000.5e00.5302 ARPA`（ルーター）、または "
        "`switchport port-security` と `switchport port-security mac-address 0000.5e00.5305`（スイッチポート）"
        "を設定してください。",
        scope="network",
    ),
    "ZONE-004": RulePage(
        "Each external peer is declared `internet_connected: false`, and no flow exists between the peer and "
        "the internet zone.",
        "各外部接続先が `internet_connected: false` と宣言され、かつ接続先とインターネット接続系の間に"
        "通信がないことを確認します。",
        "A peer that can reach the internet would be an indirect bridge between the mynumber zone and the "
        "internet; the policy's note to 6(1)① forbids it.",
        "インターネットに到達できる接続先は、マイナンバー利用事務系とインターネットの間の間接的な橋渡しに"
        "なります。対策基準 6(1)① のなお書きがこれを禁じています。",
        "external_peers:\n  vendor:\n    internet_connected: true",
        "Connect the mynumber zone only to closed networks, and make sure no route or ACL lets the peer's "
        "addresses reach the internet zone.",
        "マイナンバー利用事務系は閉域網にだけ接続し、接続先のアドレスがインターネット接続系に届く経路や"
        "ACL がないようにしてください。",
        scope="network",
    ),
    "ZONE-005": RulePage(
        "Proves that every flow between the LGWAN zone and the internet zone, in either direction, lies inside "
        "a declared 無害化 channel (topology `channels`), or is a TCP reply of one.",
        "LGWAN接続系とインターネット接続系の間の通信が、どちらの向きも、宣言された無害化通信の経路"
        "（トポロジーの `channels`）またはその TCP 応答の範囲内にあることを証明します。",
        "The policy splits the communication path (通信経路の分割) between the two zones and allows only "
        "sanitised traffic: mail as text, sanitised files, screen transfer. Any other flow can carry malware "
        "into the LGWAN zone.",
        "ポリシーは両領域の通信経路を分割し、安全が確保された通信（メール本文のテキスト化、ファイルの"
        "無害化、画面転送）だけを許可するよう求めています。それ以外の通信は不正プログラムを LGWAN接続系に"
        "持ち込み得ます。",
        "ip access-list extended LG-BB-OUT\n permit tcp 10.2.10.0 0.0.0.255 any eq 443   ! LGWAN PCs browse "
        "the web directly",
        "Remove the line, or route the need through a declared channel (e.g. screen transfer to the virtual "
        "desktops) and declare that channel in the topology.",
        "その行を削除するか、必要な業務は宣言済みの無害化経路（例: 仮想デスクトップへの画面転送）を通し、"
        "その経路をトポロジーに宣言してください。",
        scope="zone-pair",
        zone_pairs=_LGWAN_INTERNET_PAIRS,
    ),
    "ZONE-006": RulePage(
        "A mail-text or file-sanitize channel carries traffic only from the internet zone to the LGWAN zone; "
        "a screen-transfer channel is only started from the side the policy profile names: the LGWAN zone "
        "under the α models (nankoku-2019, mic-alpha, mic-alpha-prime: LGWAN terminals view an internet "
        "browser), the internet zone under the β models (mic-beta, mic-beta-prime: terminals on the internet "
        "side view LGWAN systems).",
        "メール本文テキスト化・ファイル無害化の経路はインターネット接続系から LGWAN接続系への向きだけ、"
        "画面転送の経路はポリシープロファイルが定める側から開始する向きだけであることを確認します。α モデル"
        "（nankoku-2019、mic-alpha、mic-alpha-prime）では LGWAN接続系の端末からインターネットの画面を見るため"
        " LGWAN接続系から、β モデル（mic-beta、mic-beta-prime）ではインターネット接続系の端末から LGWAN接続系の"
        "システムを使うためインターネット接続系から開始します。",
        "A sanitising channel that also opens in the other direction is an unsanitised path.",
        "逆向きにも開いている無害化経路は、無害化されない経路になります。",
        "channels:\n  - {id: mail-text, kind: mail-text, src: [10.2.20.25/32], dst: [10.3.20.25/32], "
        "proto: tcp, dport: [25]}",
        "Declare the channel in its sanitising direction and drop the reverse direction at the boundary.",
        "経路を無害化の向きで宣言し、逆向きの通信は境界で遮断してください。",
        scope="zone-pair",
        zone_pairs=_LGWAN_INTERNET_PAIRS,
    ),
    "ZONE-007": RulePage(
        "The public internet is reached only through the declared `upstream` interfaces (the 自治体情報"
        "セキュリティクラウド): no other exit, no other default route.",
        "公衆インターネットへは宣言された `upstream` インターフェース（自治体情報セキュリティクラウド）"
        "経由でのみ到達し、それ以外の出口や既定経路がないことを確認します。",
        "All internet traffic must pass the prefecture's security cloud, where it is monitored. A second exit "
        "(a backup line, a test router) bypasses that monitoring.",
        "インターネット通信はすべて、監視される自治体情報セキュリティクラウドを経由しなければなりません。"
        "2 つ目の出口（予備回線や検証用ルーター）はその監視を迂回します。",
        "interface GigabitEthernet0/3\n description backup ISP\n ip address 198.51.100.2 255.255.255.252\n"
        "ip route 0.0.0.0 0.0.0.0 198.51.100.1 250",
        "Remove the extra exit and its default route, or declare it as an upstream if it is part of the "
        "security cloud.",
        "余分な出口とその既定経路を削除するか、セキュリティクラウドの一部であれば upstream として宣言してください。",
        scope="network",
    ),
    "ZONE-008": RulePage(
        "Every physical path between isolated zones crosses a filter that drops the traffic. When isolation "
        "rests only on the absence of a route, the rule warns: one added static route would open the path. "
        "Zones kept apart only by VRFs on a shared device are warned about too: VRFs are separate routing tables, "
        "and one leaking static route (`ip route vrf INET ... Vlan120`, `... global`) joins them.",
        "分離すべき領域の間の物理的な経路のすべてに、その通信を遮断するフィルタがあることを確認します。"
        "分離が経路の不在だけに頼っている場合は警告します（静的経路 1 本の追加で経路が開くため）。"
        "共用機器の VRF だけで分けている領域も警告の対象です。VRF は別々の経路表であり、VRF 間をつなぐ静的経路"
        "（`ip route vrf INET ... Vlan120`、`... global`）1 本で領域がつながるためです。",
        "Routing changes often (a new static route, a redistribution); filters are the deliberate control. "
        "Isolation that survives any routing is robust against routine changes.",
        "経路設定は頻繁に変わります（静的経路の追加、再配布）。フィルタは意図して置く統制です。経路に"
        "かかわらず保たれる分離は、日常の変更に強い分離です。",
        "! bb-rtr: no ACL between the mynumber and LGWAN links; isolation holds only because\n"
        "! mn-gw has no route to 10.2.0.0/16",
        "Add an ACL on the boundary interface that denies traffic between the zones (the report lists the "
        "unfiltered path).",
        "境界インターフェースに領域間の通信を拒否する ACL を設定してください（レポートがフィルタのない"
        "経路を示します）。",
        scope="zone-pair",
        zone_pairs=(*_MYNUMBER_PAIRS, *_LGWAN_INTERNET_PAIRS),
    ),
    "ZONE-009": RulePage(
        "Every host reachable from the public internet sits behind a device whose topology role is firewall. "
        "A host address is a usable address of a segment's subnet that no device owns: network and broadcast "
        "addresses (unless `ip directed-broadcast`, which is taken to deliver both, an over-approximation), "
        "loopbacks and links whose usable addresses all belong to routers hold no host.",
        "公衆インターネットから到達できるホストがすべて、トポロジーで role が firewall の機器の内側にある"
        "ことを確認します。ホストのアドレスは、セグメントのサブネットのうち機器が持たない使用可能なアドレス"
        "です。ネットワーク・ブロードキャストアドレス（`ip directed-broadcast` があれば両方ともホストに届くものと"
        "して過大近似）、ループバック、使用可能なアドレスがすべてルーターのものであるリンクにはホストはいません。",
        "The policy requires a firewall at the boundary when a server is published to the internet; a router "
        "ACL alone does not inspect sessions.",
        "ポリシーは、サーバーをインターネットに公開する場合、境界にファイアウォールを設置するよう求めて"
        "います。ルーターの ACL だけではセッションを検査できません。",
        "ip access-list extended FROM-INTERNET\n permit tcp any host 10.3.10.80 eq www",
        "Place the public server behind the firewall (role: firewall) and publish it there.",
        "公開サーバーをファイアウォール（role: firewall）の内側に置き、そこで公開してください。",
        scope="network",
    ),
    "ZONE-010": RulePage(
        "For cities with more than the three standard zones (a 内部情報系 or コア系 zone, the 全国LGWAN side), "
        "proves that every flow between two zones listed in the topology's `zone_policy` is allowed there: "
        "`none` (no flow at all), `channels` (only inside declared sanitised channels) or `any`.",
        "標準の 3 領域以外の領域（内部情報系、コア系、全国LGWAN 側など）を持つ場合に、トポロジーの "
        "`zone_policy` に挙げた領域間の通信がすべてそこで許された範囲（`none` = 通信なし、`channels` = "
        "宣言した無害化経路のみ、`any` = 制限なし）に収まることを証明します。",
        "Chapter 6 of the standards asks for the communication between environments to be separated and "
        "limited to what is needed; the city's own zone_policy says what is needed between its extra zones.",
        "対策基準 6 は環境間の通信を分離し必要な通信だけに限ることを求めています。追加の領域間で何が"
        "必要かは、市の zone_policy が定めます。",
        "zone_policy:\n  - {from: naibu, to: internet, allow: none}\n! but lg-gw: permit ip 10.4.0.0 0.0.255.255 any",
        "Remove the permitting line, or change the zone_policy entry if the flow is approved.",
        "許可している行を削除するか、承認された通信であれば zone_policy を改めてください。",
        scope="network",
    ),
    "ACL-005": RulePage(
        "Where two paths connect the same zones (a redundant pair), no flow passes one path and not its twin.",
        "同じ領域間を結ぶ 2 つの経路（冗長構成）で、一方だけを通過する通信がないことを確認します。",
        "Filters on redundant devices drift apart over time; after a failover, traffic suddenly takes the weaker path.",
        "冗長機器のフィルタは時間とともに食い違います。切替えが起きた途端、通信は弱い方の経路を通ります。",
        "! gw-a: deny tcp any any eq 445\n! gw-b: (line missing)",
        "Keep the ACLs of redundant devices identical (generate them from one source).",
        "冗長機器の ACL を同一に保ってください（一つの元から生成するのが確実です）。",
    ),
    "META-001": RulePage(
        "Lists every configuration line that could change forwarding or filtering and that the verifier did "
        "not understand (IPv6 routing, NAT inside a VRF, `route-target` import/export between VRFs, unknown ACL "
        "keywords, …), and every "
        "line the device rejects: command words separated by anything but an ASCII space or tab (a "
        "full-width space U+3000 typed by a Japanese input method, a no-break space, …) make the device "
        "refuse the line, so it is modelled as absent. Text after `description`, `remark` or `banner` may "
        "hold any character. Every property the device could affect becomes inconclusive. `trace` names "
        "such a line at each hop it may affect (a line in the block of an interface the hop uses, in an ACL "
        "the hop evaluates, or outside any interface, ACL and object block) and says the trace may differ "
        "from the device.",
        "転送やフィルタを変え得るのに検証ツールが解釈できなかった設定行（IPv6 ルーティング、VRF 内の NAT、"
        "VRF 間の `route-target` による経路の取り込み、未知の ACL キーワード等）と、機器が受け付けない行を"
        "すべて示します。"
        "コマンドの語の区切りが半角スペース・タブ以外（日本語入力の全角スペース U+3000、ノーブレークスペース"
        "等）の行は機器に拒否されるため、存在しないものとして扱います。`description`・`remark`・`banner` の"
        "後の文字列にはどの文字を使っても構いません。その機器が影響し得る性質はすべて「判定不能」になります。"
        "`trace` は、そのような行が影響し得るホップ（ホップが使うインターフェースのブロック内、ホップで評価する"
        " ACL 内、またはインターフェース・ACL・オブジェクトのどのブロックにも属さない行）ごとにその行を示し、"
        "トレース結果が実機と異なる可能性があると表示します。",
        "A proof is only a proof if nothing was skipped. The verifier never treats an unknown line as "
        "harmless; it says so instead.",
        "何も読み飛ばしていないときにだけ証明は証明になります。本ツールは未知の行を無害とはみなさず、"
        "そのことを報告します。",
        "interface GigabitEthernet0/1\n ip policy route-map TO-INTERNET",
        "Check the line by hand. If the construct is needed, report it so support can be added; if it is a "
        "leftover, remove it.",
        "その行を手作業で確認してください。必要な設定なら対応追加を依頼し、残骸なら削除してください。",
    ),
    "META-002": RulePage(
        "Every approved exception (topology `exceptions`, 例外措置 under 対策基準 10.4) is within its expiry "
        "date and still matches a flow.",
        "承認済みの例外措置（トポロジーの `exceptions`、対策基準 10.4）が有効期限内で、かつ実際に通信に"
        "一致していることを確認します。",
        "An expired exception must be re-approved or removed; one that matches nothing is a stale approval "
        "that could silently cover a future mistake.",
        "期限切れの例外は再承認か削除が必要です。何にも一致しない例外は古い承認で、将来の誤設定を黙って"
        "覆い隠し得ます。",
        "exceptions:\n  - {rule: ZONE-005, flow: …, approved_by: CISO, ref: R5-012, expires: 2024-03-31}",
        "Renew the approval and update `expires`, or delete the exception.",
        "承認を更新して `expires` を改めるか、例外を削除してください。",
        scope="network",
    ),
    "META-003": RulePage(
        "Lists every reachability search (one per source zone or peer, with routing followed or ignored) that "
        "stopped because it ran out of its work budget (`--budget`, counted in packet sets entering a device), "
        'with how far it got. Every rule that used such a search is inconclusive, never "pass": the search '
        "did not see every packet.",
        "作業量の上限（`--budget`、機器に入るパケット集合の数で数えます）に達して途中で止まった到達性の探索"
        "（送信元の領域・接続先ごと、経路どおり／経路を無視）を、どこまで進んだかとともにすべて示します。"
        "その探索を使った規則はすべて「判定不能」になり、「合格」にはなりません。探索がすべてのパケットを"
        "調べ終えていないためです。",
        "Every search ends by construction (NAT rewrites are combined per field, so a packet circling a loop "
        "through a NAT device comes back to a state already seen); the budget is a safety net that turns an "
        'unexpectedly long search into an honest "not proven" instead of a run that never finishes.',
        "探索は構成上必ず終わります（NAT の書き換えはフィールドごとに合成されるため、NAT 機器を通るループを"
        "回るパケットも既に調べた状態に戻ります）。上限は安全網で、想定外に長い探索を終わらない実行ではなく"
        "正直な「証明できない」に変えます。",
        "nankoku-netcheck verify city.yaml --budget 100\n"
        "  [..] META-003 error INCONCLUSIVE\n"
        "      The search from LGWAN接続系 (lgwan) (routing followed) ran out of budget after 100 of 100 work "
        "units; …",
        "Run again with a larger --budget (the default leaves 25 times what a 1,000-device city needs). If the search "
        "still runs out, look for routing loops through NAT devices or split the topology.",
        "より大きな --budget で再実行してください（既定値は 1,000 台規模の自治体が必要とする量の 25 倍です）。それでも"
        "上限に達する場合は、NAT 機器を通るルーティングループを見直すか、トポロジーを分割してください。",
        scope="network",
    ),
}


def _device_page(page: dict[str, str]) -> RulePage:
    return RulePage(
        page["what_en"],
        page["what_ja"],
        page["why_en"],
        page["why_ja"],
        page["example"],
        page["fix_en"],
        page["fix_ja"],
        scope="device",
        example_pass=page.get("example_pass", ""),
    )


_ALL_PAGES: dict[str, RulePage] = {
    **_WRITTEN_HERE,
    **{rule_id: _device_page(page) for rule_id, page in DEVICE_RULE_DOCS.items()},
}

# The failing example of each page, corrected (rendered as "Passing example"). Kept apart
# from rules/docs_device.py so that file stays the device-rule engineers' own.
PASSING_EXAMPLES: dict[str, str] = {
    "ZONE-001": "ip access-list extended MN-BB-OUT\n deny   ip any any",
    "ZONE-002": "external_peers:\n  chukan:\n    allow:\n"
    "      - {src: [10.1.20.5/32], dst: [192.0.2.10/32], proto: tcp, dport: [443]}",
    "ZONE-003": "interface GigabitEthernet0/2\n description to 中間サーバー\n"
    " ip address 192.168.250.1 255.255.255.252\n"
    "arp 192.168.250.2 0000.5e00.53a0 ARPA",
    "ZONE-004": "external_peers:\n  vendor:\n    internet_connected: false",
    "ZONE-005": "ip access-list extended LG-BB-OUT\n"
    " permit tcp host 10.2.20.25 host 10.3.20.25 eq smtp   ! the declared mail-text channel\n deny   ip any any",
    "ZONE-006": "channels:\n"
    "  - {id: mail-text, kind: mail-text, src: [10.3.20.25/32], dst: [10.2.20.25/32], proto: tcp, dport: [25]}",
    "ZONE-007": "ip route 0.0.0.0 0.0.0.0 192.168.0.9   ! only towards the security cloud (the zone's upstream)",
    "ZONE-008": "! bb-rtr: an ACL on the mynumber link drops everything to and from 10.2.0.0/16\n"
    "ip access-list extended MN-LINK-IN\n deny ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255",
    "ZONE-009": "! inet-fw (role: firewall) publishes 10.3.10.80; the router in front permits only to the firewall\n"
    "ip access-list extended FROM-INTERNET\n permit tcp any host 203.0.113.80 eq www",
    "ZONE-010": "zone_policy:\n  - {from: naibu, to: internet, allow: none}\n! lg-gw: deny ip 10.4.0.0 0.0.255.255 any",
    "ACL-001": "interface GigabitEthernet0/1\n ip access-group MN-BB-IN in\n"
    "ip access-list extended MN-BB-IN\n deny ip any any",
    "ACL-002": "ip access-list extended IN\n deny tcp 10.2.10.0 0.0.0.255 any eq 445\n"
    " permit ip 10.2.0.0 0.0.255.255 any",
    "ACL-003": "! OLD-TEMP removed (or bound where it is meant to filter)",
    "ACL-006": 'config firewall policy\n    edit 20\n        set srcintf "lgwan"\n        set dstintf "dmz"\n'
    '        set srcaddr "LG-STAFF"\n        set dstaddr "PROXY"\n        set service "HTTPS"\n'
    "        set action accept\n    next\nend",
    "ACL-007": "config firewall policy\n    edit 20\n        set action accept\n"
    "        set logtraffic all\n    next\nend",
    "ACL-004": "ip access-list extended BB-IN\n deny ip 10.3.0.0 0.0.255.255 any\n"
    " permit tcp 10.2.0.0 0.0.255.255 host 10.9.0.10 eq 443",
    "ACL-005": "! gw-a: deny tcp any any eq 445\n! gw-b: deny tcp any any eq 445",
    "RT-001": "interface GigabitEthernet0/1\n ip address 192.168.255.2 255.255.255.252\n"
    "ip route 0.0.0.0 0.0.0.0 192.168.255.1",
    "MGMT-001": "line vty 0 4\n transport input ssh\nno ip http server",
    "MGMT-002": "login block-for 120 attempts 3 within 60\nline vty 0 4\n transport input ssh",
    "MGMT-003": "line vty 0 4\n exec-timeout 10 0",
    "MGMT-004": "hostname rtr1\nbanner login ^C 権限のない利用を禁止します / Authorised use only ^C",
    "MGMT-005": "username netadm-01 privilege 15 secret 9 $9$...",
    "MGMT-006": "enable secret 9 $9$...\nusername ope secret 9 $9$...",
    "MGMT-007": "line vty 0 4\n transport input ssh\n access-class MGMT-ONLY in",
    "MGMT-008": "ntp server 10.2.99.11\nntp server 10.2.99.12",
    "MGMT-009": "service timestamps log datetime msec localtime\nlogging host 10.2.99.20",
    "MGMT-010": "snmp-server community n0c-r3ad RO 10",
    "MGMT-011": "config system password-policy\n    set status enable\n    set minimum-length 12\nend",
    "SVC-001": "no ip http server\nno service tcp-small-servers\nno ip source-route",
    "PORT-001": "interface GigabitEthernet1/0/12\n description 未使用\n switchport access vlan 999\n shutdown",
    "PORT-002": "interface GigabitEthernet1/0/5\n switchport access vlan 10\n switchport mode access\n"
    " authentication port-control auto\n dot1x pae authenticator",
    "WLAN-001": "dot11 ssid LG-STAFF\n vlan 20\n authentication open eap EAP-TLS\n"
    " authentication key-management wpa version 2",
    "AVAIL-001": "! mn-core reaches its gateways over two links through different switches\n"
    "interface Port-channel1\n description to mn-gw-a\ninterface Port-channel2\n description to mn-gw-b",
    "META-001": "! every line understood: no policy routing, or a construct the verifier models",
    "META-002": "exceptions:\n  - {rule: ZONE-005, flow: …, approved_by: CISO, ref: R7-003, expires: 2027-03-31}",
    "META-003": "nankoku-netcheck verify city.yaml\n  [..] META-003 pass",
}

PAGES: dict[str, RulePage] = {
    rule_id: replace(page, example_pass=PASSING_EXAMPLES.get(rule_id, page.example_pass))
    for rule_id, page in _ALL_PAGES.items()
}
