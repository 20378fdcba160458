"""Documentation of the device hardening and filter-consistency rules (rules/device.py,
rules/acl.py), in Japanese and English: what each checks, why, how to fix it, and an
example that violates it. Data only; rule pages are rendered elsewhere.

Each entry: what_en, what_ja, why_en, why_ja, fix_en, fix_ja, example.
"""

from __future__ import annotations

DEVICE_RULE_DOCS: dict[str, dict[str, str]] = {
    "MGMT-001": {
        "what_en": "Remote administration uses only encrypted protocols: vty lines accept SSH only, the web "
        "interface runs over HTTPS only. A vty line without `transport input` counts as accepting "
        "telnet, because that is the IOS default on most releases in service. A vty line nobody can "
        "log in to (no `aaa new-model`, and no line password or local account for its login mode) "
        "is not counted.",
        "what_ja": "遠隔からの管理は暗号化された通信だけで行うこと。vty は SSH のみ、Web 管理画面は HTTPS のみ。"
        "transport input の指定がない vty は、多くの IOS "
        "で既定値が telnet を含むため telnet 可とみなします。誰もログインできない vty（aaa new-model が"
        "なく、ログイン方式に必要な line パスワードやローカルアカウントもないもの）は対象外です。",
        "why_en": "Telnet, rlogin and HTTP send the administrator's password in clear; anyone on the path can "
        "take over the device (対策基準 9.2(2)④, 9.1(13)②).",
        "why_ja": "telnet・rlogin・HTTP は管理者のパスワードを平文で送るため、経路上で盗聴されると機器を乗っ取られます"
        "（対策基準 9.2(2)④、9.1(13)②）。",
        "fix_en": "Generate an RSA key, enable SSH version 2, set `transport input ssh` on every vty line, and "
        "replace `ip http server` by `no ip http server` (keep `ip http secure-server` only if the web "
        "interface is needed, with `ip http access-class`)."
        " FortiOS: keep only `https` and `ssh` in `set allowaccess` of each interface and set `admin-telnet disable`"
        " under `config system global`.",
        "fix_ja": "RSA 鍵を生成して SSH バージョン 2 を有効にし、すべての vty に `transport input ssh` を設定します。"
        "`ip http server` は `no ip http server` にします（Web 管理が必要なら `ip http secure-server` と "
        "`ip http access-class` のみ）。"
        "FortiOS では各インターフェースの `set allowaccess` を `https` と `ssh` のみにし、`config system global`"
        " で `admin-telnet disable` を設定します。",
        "example": "line vty 0 4\n transport input telnet ssh\nip http server",
    },
    "MGMT-002": {
        "what_en": "A device that accepts remote logins limits failed attempts: `login block-for` or "
        "`aaa local authentication attempts max-fail` (ASA: the same aaa command).",
        "what_ja": "遠隔ログインを受け付ける機器は、ログイン失敗回数を制限すること（`login block-for` または "
        "`aaa local authentication attempts max-fail`）。",
        "why_en": "Without a limit, passwords can be guessed at line speed (対策基準 9.2(4) ログイン試行回数の制限).",
        "why_ja": "制限がないと、パスワードを総当たりで試され続けます（対策基準 9.2(4) ログイン試行回数の制限）。",
        "fix_en": "Add `login block-for 120 attempts 3 within 60` (and `login on-failure log`)."
        " FortiOS limits failed logins by default (`admin-lockout-threshold 3`); keep `set admin-lockout-threshold`"
        " at 3 or less under `config system global`.",
        "fix_ja": "`login block-for 120 attempts 3 within 60`（と `login on-failure log`）を追加します。"
        "FortiOS は既定で失敗回数を制限します（`admin-lockout-threshold 3`）。"
        "`config system global` の `set admin-lockout-threshold` は 3 以下にします。",
        "example": "line vty 0 4\n transport input ssh\n! no login block-for anywhere",
    },
    "MGMT-003": {
        "what_en": "Every console and vty line that accepts sessions logs idle sessions out within 10 minutes; "
        "`exec-timeout 0 0` (never) and longer timeouts violate. Not writing exec-timeout keeps the "
        "IOS default of 10 minutes, which passes.",
        "what_ja": "セッションを受け付けるコンソール・vty は、無操作のセッションを 10 分以内に切断すること。"
        "`exec-timeout 0 0`（無期限）や 10 分を超える値は違反です。"
        "未設定なら IOS の既定 10 分で適合します。",
        "why_en": "An unattended logged-in session is an open door (対策基準 9.2(4) アクセスタイムアウトの設定).",
        "why_ja": "ログインしたまま放置された端末は誰でも操作できます（対策基準 9.2(4) アクセスタイムアウトの設定）。",
        "fix_en": "Set `exec-timeout 10 0` (or less) on `line con 0` and every `line vty`."
        " FortiOS: `set admintimeout 10` (minutes) or less under `config system global`.",
        "fix_ja": "`line con 0` とすべての `line vty` に `exec-timeout 10 0`（以下）を設定します。"
        "FortiOS では `config system global` で `set admintimeout 10`（分）以下にします。",
        "example": "line vty 0 4\n exec-timeout 0 0",
    },
    "MGMT-004": {
        "what_en": "A banner is shown before login (`banner motd` or `banner login`).",
        "what_ja": "ログイン前にメッセージ（`banner motd` または `banner login`）を表示すること。",
        "why_en": "The policy asks for a login message so that users see the system is restricted and monitored "
        "(対策基準 9.2(4) ログイン時におけるメッセージ).",
        "why_ja": "許可された者だけが使えること・記録されていることを示すため、ログイン時のメッセージが求められています"
        "（対策基準 9.2(4)）。",
        "fix_en": "Add a `banner motd` (or `banner login`) stating that access is restricted and logged."
        " FortiOS: `set pre-login-banner enable` under `config system global` (the post-login banner is shown only"
        " after login and does not count).",
        "fix_ja": "アクセスが制限・記録されていることを示す `banner motd`（または `banner login`）を追加します。"
        "FortiOS では `config system global` で `set pre-login-banner enable` を設定します（ログイン後に表示さ"
        "れる post-login-banner は対象外）。",
        "example": "hostname rtr1\n! no banner",
    },
    "MGMT-005": {
        "what_en": "No privilege-15 account keeps a default or well-known name (admin, administrator, cisco, "
        "root, manager, ...).",
        "what_ja": "特権レベル 15 のアカウントに初期設定・推測されやすい名前（admin、administrator、cisco、root、"
        "manager など）を使わないこと。",
        "why_en": "Attackers try these names first; the policy requires changing privileged IDs from their "
        "defaults (対策基準 9.2(1)③(カ)).",
        "why_ja": "攻撃者はまずこれらの名前を試します。特権 ID は初期設定以外のものに変更することが求められています"
        "（対策基準 9.2(1)③(カ)）。",
        "fix_en": "Create a personal or role account with a non-obvious name, move the privilege to it, and "
        "remove the default one (`no username admin`)."
        " FortiOS: create an administrator with a personal name and `accprofile super_admin` under `config system"
        " admin`, then delete `admin`.",
        "fix_ja": "推測されにくい名前の個人別・役割別アカウントを作成して特権を移し、既定名のアカウントを削除します"
        "（`no username admin`）。"
        "FortiOS では `config system admin` で個人別の名前の管理者（`accprofile super_admin`）を作成し、`admin`"
        " を削除します。",
        "example": "username admin privilege 15 secret 9 $9$...",
    },
    "MGMT-006": {
        "what_en": "Passwords and secrets in the config are strong hashes: `enable secret` and `username ... "
        "secret` of type 9 (scrypt) or 8 (PBKDF2). Plaintext (type 0 or no type), reversible type 7, "
        "`enable password`, line passwords, weak hashes (type 5 MD5, type 4) and accounts with "
        "`nopassword` violate.",
        "what_ja": "設定内のパスワードは強いハッシュで保存すること（`enable secret`・`username ... secret` の type 9 "
        "または 8）。平文（type 0・type なし）、可逆の type 7、`enable password`、line のパスワード、"
        "弱いハッシュ（type 5 の MD5、type 4）、`nopassword` のアカウントは違反です。",
        "why_en": "Config files are copied to backups, tickets and laptops; type 7 is decoded by free tools "
        "and MD5 hashes are cracked quickly (対策基準 9.2(5)①, 8.7(3)⑧).",
        "why_ja": "設定ファイルはバックアップや作業記録に複製されます。type 7 は無料のツールで復元でき、MD5 も短時間で"
        "解読されます（対策基準 9.2(5)①、8.7(3)⑧）。",
        "fix_en": "Use `enable algorithm-type scrypt secret ...` and `username NAME privilege 15 algorithm-type "
        "scrypt secret ...`; remove `enable password` and line `password` lines (use `login local` "
        "or AAA instead)."
        " FortiOS: `set private-data-encryption enable` under `config system global`, so that secrets stored with"
        " `ENC` are encrypted with a key of your own.",
        "fix_ja": "`enable algorithm-type scrypt secret ...` と `username 名前 privilege 15 algorithm-type scrypt "
        "secret ...` を使い、`enable password` と line の `password` を削除します（`login local` か "
        "AAA で認証）。"
        "FortiOS では `config system global` で `set private-data-encryption enable` を設定し、`ENC` で保存され"
        "る秘密情報を独自の鍵で暗号化します。",
        "example": "enable password 7 0822455D0A16\nusername ope password 0 ope123",
    },
    "MGMT-007": {
        "what_en": "Every remote administration path is restricted by source address: an `access-class ... in` "
        "on each vty line that accepts sessions, `ip http access-class` for the web server (ASA: the "
        "`ssh`/`http`/`telnet` source networks). An access-class that names an undefined ACL, or an "
        "ACL that permits every source address or at least half of them, does not restrict.",
        "what_ja": "遠隔管理の経路は接続元アドレスで制限すること。セッションを受け付けるすべての vty に "
        "`access-class ... in`、Web 管理には `ip http access-class`（ASA では ssh/http/telnet の接続元"
        "ネットワーク）。未定義の ACL や、すべて（または半数以上）の接続元アドレスを許可する ACL では"
        "制限になりません。",
        "why_en": "Only the administrators' segment should reach the management plane (対策基準 9.2(1)① アクセス制御).",
        "why_ja": "管理用のセグメントからだけ管理機能に接続できるようにします（対策基準 9.2(1)① アクセス制御）。",
        "fix_en": "Define a standard ACL of the management segment and apply `access-class NAME in` to every "
        "vty line (and `ip http access-class NAME`)."
        " FortiOS restricts each administrator on its own: set `trusthost1` (to `trusthost10`) of every entry of"
        " `config system admin` to the management segment; an administrator without one may log in from any address.",
        "fix_ja": "運用管理セグメントだけを許可する標準 ACL を定義し、すべての vty に `access-class 名前 in` を"
        "適用します（Web 管理には `ip http access-class 名前`）。"
        "FortiOS は管理者ごとに制限します。`config system admin` のすべての管理者の `trusthost1`（〜`trusthost10`"
        "）に運用管理セグメントを設定します（未設定の管理者はすべての接続元からログインできます）。",
        "example": "line vty 0 4\n transport input ssh\n! no access-class",
    },
    "MGMT-008": {
        "what_en": "The device synchronises its clock with at least two NTP servers.",
        "what_ja": "機器の時刻を 2 台以上の NTP サーバーと同期すること。",
        "why_en": "Logs from different devices must line up in time to investigate an incident; one server is "
        "a single point of failure (対策基準 10.1(2) 時刻同期).",
        "why_ja": "インシデント調査では複数機器のログの時刻がそろっている必要があり、1 台では障害時に同期が止まります"
        "（対策基準 10.1(2) 時刻同期）。",
        "fix_en": "Configure two or more `ntp server` lines pointing at the city's NTP servers."
        " FortiOS: `config system ntp` with `set ntpsync enable`, `set type custom` and two or more entries under"
        " `config ntpserver`.",
        "fix_ja": "庁内の NTP サーバーを指す `ntp server` を 2 行以上設定します。"
        "FortiOS では `config system ntp` で `set ntpsync enable`、`set type custom` とし、`config ntpserver` "
        "に 2 台以上を設定します。",
        "example": "ntp server 10.2.99.11",
    },
    "MGMT-009": {
        "what_en": "Logs are sent to a remote log server (`logging host`) and stamped with the date and time "
        "(`service timestamps log datetime`).",
        "what_ja": "ログを外部のログサーバーへ送り（`logging host`）、日時を付けること（`service timestamps log "
        "datetime`）。",
        "why_en": "Logs kept only in the device's buffer are lost on reboot and can be erased by an intruder; "
        "uptime stamps cannot be matched to real time (対策基準 9.1(6)① ログの取得).",
        "why_ja": "機器内のバッファだけのログは再起動で消え、侵入者に消去もされます。起動からの経過時間では実際の時刻と"
        "突き合わせられません（対策基準 9.1(6)① ログの取得）。",
        "fix_en": "Add `logging host ADDRESS` for the log server and `service timestamps log datetime msec "
        "localtime show-timezone`."
        " FortiOS: `config log syslogd setting` (or `config log fortianalyzer setting`) with `set status enable`"
        " and `set server`; FortiOS logs always carry the date and time.",
        "fix_ja": "ログサーバーへの `logging host アドレス` と `service timestamps log datetime msec localtime "
        "show-timezone` を追加します。"
        "FortiOS では `config log syslogd setting`（または `config log fortianalyzer setting`）で `set status enable`"
        " と `set server` を設定します（FortiOS のログには常に日時が付きます）。",
        "example": "service timestamps log uptime\n! no logging host",
    },
    "MGMT-010": {
        "what_en": "No SNMP community has a default or well-known name (public, private, cisco, ...), and no "
        "SNMPv1/v2c community or group has write access.",
        "what_ja": "SNMP コミュニティ名に既定・推測されやすい名前（public、private、cisco など）を使わず、SNMPv1/v2c の"
        "コミュニティ・グループに書込み権限を与えないこと。",
        "why_en": "v1/v2c communities travel in clear and default names are tried first; write access lets "
        "anyone who knows the community change the configuration (対策基準 9.2(5)①).",
        "why_ja": "v1/v2c のコミュニティ名は平文で流れ、既定名は真っ先に試されます。書込み権限があるとコミュニティ名を"
        "知る者が設定を変更できます（対策基準 9.2(5)①）。",
        "fix_en": "Remove the community (`no snmp-server community ...`) and use SNMPv3 with `priv` for "
        "read-only monitoring, restricted by an ACL."
        " FortiOS: delete the community under `config system snmp community` and use `config system snmp user` "
        "with `set security-level auth-priv`.",
        "fix_ja": "コミュニティを削除し（`no snmp-server community ...`）、監視には ACL で制限した SNMPv3（priv）の"
        "読み取り専用を使います。"
        "FortiOS では `config system snmp community` のコミュニティを削除し、`config system snmp user` で `set "
        "security-level auth-priv` を使います。",
        "example": "snmp-server community public RO\nsnmp-server community n0c-wr1te RW",
    },
    "MGMT-011": {
        "what_en": "On a device whose configuration has a password policy for administrators (FortiOS "
        "`config system password-policy`), the policy is turned on and asks for at least 8 characters. "
        "FortiOS leaves it off by default, so a configuration without the section violates. Devices "
        "whose syntax has no such setting (Cisco IOS, ASA as read today) are not checked.",
        "what_ja": "管理者パスワードのパスワードポリシーを持つ機器（FortiOS の `config system password-policy`）では、"
        "ポリシーを有効にし 8 文字以上を求めること。FortiOS の既定では無効なので、この設定がない場合は違反です。"
        "この設定を持たない機器（現在読み取る Cisco IOS・ASA）は対象外です。",
        "why_en": "Passwords must be long enough and hard to guess, and privileged IDs need stronger "
        "protection than ordinary ones (対策基準 8.7(3)③, 9.2(1)③(オ)).",
        "why_ja": "パスワードは十分な長さとし推測されにくいものにする必要があり、特権 ID は通常の ID より強い保護が"
        "求められています（対策基準 8.7(3)③、9.2(1)③(オ)）。",
        "fix_en": "Under `config system password-policy` set `status enable`, `apply-to admin-password` and "
        "`minimum-length 8` (or more), with character-class requirements (`min-upper-case-letter` ...).",
        "fix_ja": "`config system password-policy` で `status enable`、`apply-to admin-password`、"
        "`minimum-length 8`（以上）と文字種の条件（`min-upper-case-letter` など）を設定します。",
        "example": "config system password-policy\n    set status enable\n    set minimum-length 6\nend",
    },
    "SVC-001": {
        "what_en": "Services nobody needs are off: the HTTP server, TCP/UDP small servers, finger, the BOOTP "
        "server and IP source routing (the last two are on by default on IOS and must be turned off "
        "explicitly), and CDP on interfaces that face transit segments, external zones, the upstream "
        "or an external link.",
        "what_ja": "不要なサービスを停止すること: HTTP サーバー、TCP/UDP small servers、finger、BOOTP サーバー、IP "
        "ソースルーティング（後の 2 つは IOS の既定で有効なので明示的に無効化が必要）、および中継区間・外部"
        "領域・上流・外部接続に面したインターフェースの CDP。",
        "why_en": "Each running service is attack surface; CDP tells neighbours outside the city the device "
        "model, software version and addresses (対策基準 9.5(1)② 不要なサービスの停止).",
        "why_ja": "動作しているサービスはそれぞれ攻撃の入口になります。CDP は庁外の隣接機器に機種・ソフトウェア"
        "バージョン・アドレスを知らせます（対策基準 9.5(1)②）。",
        "fix_en": "Add `no ip http server`, `no service tcp-small-servers`, `no service udp-small-servers`, "
        "`no ip finger`, `no ip bootp server`, `no ip source-route`, and `no cdp enable` on the "
        "boundary interfaces (or `no cdp run`).",
        "fix_ja": "`no ip http server`、`no service tcp-small-servers`、`no service udp-small-servers`、"
        "`no ip finger`、`no ip bootp server`、`no ip source-route` を設定し、境界のインターフェースに "
        "`no cdp enable`（または `no cdp run`）を設定します。",
        "example": "ip http server\nservice tcp-small-servers\n! no 'no ip source-route'",
    },
    "PORT-001": {
        "what_en": "An Ethernet port that is not shut down is in use: it is linked in the topology, has an "
        "address on a segment, is a switchport, a port-channel member or the parent of "
        "sub-interfaces. A port with no such use, or described as unused (未使用, unused, spare), is "
        "shut down.",
        "what_ja": "shutdown されていない Ethernet ポートは使用中であること（トポロジーのリンク、"
        "セグメント上のアドレス、"
        "スイッチポート設定、ポートチャネルの構成、サブインターフェースの親のいずれか）。用途がない、または"
        "説明が「未使用」などのポートは shutdown すること。",
        "why_en": "An enabled spare port lets anyone with physical access plug in (対策基準 9.5(1)① 使用されていない"
        "ポートの閉鎖, 7.1(4)③).",
        "why_ja": "有効なままの空きポートには、物理的に近づける者が誰でも機器を接続できます（対策基準 "
        "9.5(1)①、7.1(4)③）。",
        "fix_en": "Add `shutdown` to the unused interface (and move switch ports to an unused VLAN).",
        "fix_ja": "未使用のインターフェースに `shutdown` を設定します（スイッチポートは未使用 VLAN に収容）。",
        "example": "interface GigabitEthernet1/0/12\n description 未使用\n switchport access vlan 999\n "
        "switchport mode access",
    },
    "PORT-002": {
        "what_en": "Every access port in use (not shut down, not a topology link to another modelled device) "
        "identifies the device on it: 802.1X (`authentication|dot1x|access-session port-control "
        "auto`), MAB, or port security.",
        "what_ja": "使用中のアクセスポート（shutdown されておらず、他の機器へのトポロジー上のリンクでもないもの）は、"
        "接続する機器を識別すること（802.1X、MAB、ポートセキュリティのいずれか）。",
        "why_en": "The policy requires that the network decide automatically, from device-specific data, whether "
        "a terminal may connect (対策基準 9.2(3) 自動識別の設定, 7.1(4)③).",
        "why_ja": "機器固有情報によって端末の接続可否を自動的に識別することが求められています（対策基準 9.2(3)、"
        "7.1(4)③）。",
        "fix_en": "Enable 802.1X with MAB fallback, or at least `switchport port-security` with the terminal's "
        "MAC address.",
        "fix_ja": "802.1X（MAB 併用）を有効にするか、少なくとも端末の MAC アドレスを指定した "
        "`switchport port-security` を設定します。",
        "example": "interface GigabitEthernet1/0/5\n switchport access vlan 10\n switchport mode access",
    },
    "WLAN-001": {
        "what_en": "Every wireless network uses WPA2 or WPA3. WLANs that serve the LGWAN or mynumber zones use "
        "WPA2/WPA3-Enterprise (802.1X) with EAP-TLS; a pre-shared key (personal mode) there is a "
        "violation. Which zone a WLAN serves comes from the interface of its VLAN, else from the "
        "zones of the device. When the EAP method is not in the config (it is chosen by the RADIUS "
        "server), confirm EAP-TLS there.",
        "what_ja": "無線 LAN は WPA2 または WPA3 を使うこと。LGWAN接続系・マイナンバー利用事務系の無線 LAN は "
        "WPA2/WPA3-Enterprise（802.1X）と EAP-TLS を使い、事前共有鍵（パーソナルモード）は違反です。"
        "どの系の無線 LAN かは VLAN のインターフェース（なければ機器の所属する系）から判断します。EAP 方式が"
        "設定にない場合（RADIUS サーバーで決まる場合）は、RADIUS サーバー側で EAP-TLS を確認してください。",
        "why_en": "Open, WEP and WPA(1) traffic can be read; a shared key leaks with every departed user. The "
        "March 2025 revision of the guidelines makes certificate-based Enterprise mode mandatory on "
        "LGWAN and mynumber WLANs (対策基準 9.1(13)①).",
        "why_ja": "オープン・WEP・WPA（1）は盗聴され、共有鍵は利用者の異動のたびに漏えいの恐れがあります。"
        "2025 年 3 月の"
        "ガイドライン改定で、LGWAN接続系・マイナンバー利用事務系の無線 LAN には証明書による Enterprise 方式が"
        "必須になりました（対策基準 9.1(13)①）。",
        "fix_en": "Use `authentication key-management wpa version 2` (or 3) with `encryption mode ciphers "
        "aes-ccm`; on LGWAN/mynumber WLANs replace `wpa-psk` by `authentication open eap ...` / "
        "`authentication network-eap ...` against a RADIUS server that allows only EAP-TLS.",
        "fix_ja": "`authentication key-management wpa version 2`（または 3）と `encryption mode ciphers aes-ccm` を"
        "使い、LGWAN接続系・マイナンバー利用事務系では `wpa-psk` をやめて、EAP-TLS のみを許可する RADIUS "
        "サーバーに対する `authentication open eap ...` / `authentication network-eap ...` にします。",
        "example": "dot11 ssid LG-STAFF\n vlan 20\n authentication open\n authentication key-management wpa "
        "version 2\n wpa-psk ascii 0 ********",
    },
    "AVAIL-001": {
        "what_en": "In a zone marked `availability: 2` in the topology, every segment has two node-disjoint "
        "paths to the zone's gateways (the interfaces where the zone's traffic leaves it: toward a "
        "transit segment, another zone, or the upstream), so that no single device or segment "
        "failure cuts it off. Zones without a gateway are not checked.",
        "what_ja": "トポロジーで `availability: 2` とした領域では、各セグメントから領域のゲートウェイ（中継区間・他の"
        "領域・上流に出るインターフェース）まで、ノードを共有しない "
        "2 本の経路があること。1 台の機器や 1 つの"
        "セグメントの障害で切り離されないようにします。ゲートウェイのない領域は対象外です。",
        "why_en": "Lines of systems handling availability-2 information must allow continuous operation and be "
        "made redundant where needed (対策基準 7.3(6), 7.1(2)).",
        "why_ja": "可用性 2 の情報を扱うシステムの回線は継続的な運用が可能なものとし、必要に応じて冗長構成にすることが"
        "求められています（対策基準 7.3(6)、7.1(2)）。",
        "fix_en": "Add a second gateway device (with HSRP/VRRP) or a second uplink through a different device, "
        "so the segment reaches the zone's exits over two independent paths.",
        "fix_ja": "2 台目のゲートウェイ機器（HSRP/VRRP）や別機器経由の 2 本目の上位回線を追加し、独立した 2 経路で"
        "領域の出口に到達できるようにします。",
        "example": "zones:\n  mynumber:\n    kind: mynumber\n    prefixes: [10.1.0.0/16]\n    availability: 2",
    },
    "ACL-001": {
        "what_en": "Every ACL, object-group, route-map and class-map that a line uses is defined. An interface "
        "or vty line that names an undefined ACL permits everything on IOS.",
        "what_ja": "参照している ACL・object-group・route-map・class-map はすべて定義されていること。IOS では、"
        "インターフェースや vty が未定義の ACL を指定するとすべて許可されます。",
        "why_en": "A typo in an ACL name silently removes the filter; filtering and routing settings must be "
        "consistent (対策基準 9.1(8)①).",
        "why_ja": "ACL 名の 1 文字の誤りでフィルタが黙って無効になります。フィルタリングとルーティングの設定は不整合が"
        "ないようにする必要があります（対策基準 9.1(8)①）。",
        "fix_en": "Define the missing object, or correct the name where it is used.",
        "fix_ja": "不足している定義を追加するか、参照側の名前を修正します。",
        "example": "interface GigabitEthernet0/1\n ip access-group MN-BB-IN in\nip access-list extended MN-BB-lN\n "
        "deny ip any any",
    },
    "ACL-002": {
        "what_en": "No ACL line is unreachable: computed on exact packet sets, a line is reported when every "
        "packet it matches is already matched by earlier lines, with those earlier lines as evidence "
        "(and whether one of them has the opposite action). Lines that match no packet at all (an "
        "empty object-group) are reported too. On an ordered policy between interfaces (FortiGate "
        "firewall policies, zone-based firewalls) a line is unreachable when, on every pair of "
        "interfaces its rule applies to, the earlier rules for that pair and the rule's own earlier "
        "lines match all its packets; a rule that applies to no pair of forwarding interfaces is "
        "reported too.",
        "what_ja": "到達しない ACL の行がないこと。パケット集合を正確に計算し、一致するパケットがすべて先行する行で"
        "判定済みの行を、その先行行（逆の動作の行が含まれるか）とともに報告します。どのパケットにも一致しない行"
        "（空の object-group など）も報告します。インターフェース間の順序付きポリシー（FortiGate のファイアウォール"
        "ポリシーなど）では、ルールが適用されるどのインターフェースの組でも、その組に適用される先行ルールと同じルールの"
        "先行行ですべて判定済みの行、および転送するインターフェースの組に一つも適用されないルールを報告します。",
        "why_en": "A shadowed line usually means the ACL does not do what its author intended, e.g. a deny "
        "placed after a broader permit (対策基準 9.1(8)①).",
        "why_ja": "隠された行は、多くの場合 ACL が作成者の意図どおりに動いていないことを示します（広い permit の後の "
        "deny など）（対策基準 9.1(8)①）。",
        "fix_en": "Move the line above the lines that cover it if it expresses the intent, otherwise delete it.",
        "fix_ja": "意図を表す行であれば、それを覆う行より前に移動し、不要なら削除します。",
        "example": "ip access-list extended IN\n permit ip 10.2.0.0 0.0.255.255 any\n deny tcp 10.2.10.0 "
        "0.0.0.255 any eq 445",
    },
    "ACL-003": {
        "what_en": "Every ACL, object-group, route-map and class-map that is defined is used somewhere.",
        "what_ja": "定義した ACL・object-group・route-map・class-map はどこかで使われていること。",
        "why_en": "Leftover definitions confuse reviews and can be bound by mistake later; they are a sign of "
        "drift between intent and configuration (対策基準 9.1(8)①).",
        "why_ja": "使われていない定義はレビューを誤らせ、後で誤って適用される恐れがあります（対策基準 9.1(8)①）。",
        "fix_en": "Delete the unused definition, or bind it where it was meant to be used.",
        "fix_ja": "使われていない定義を削除するか、本来適用すべき場所に適用します。",
        "example": "ip access-list extended OLD-TEMP\n permit ip any any",
    },
    "ACL-004": {
        "what_en": "No ACL bound to an interface at a zone boundary permits every packet, by a reachable "
        "`permit ip any any` (or equivalent) line or as a whole. Zone-boundary interfaces: the "
        "upstream and external-link interfaces, every interface of a device with interfaces in two "
        "or more zones, the transit-facing interfaces of a device in one zone, and interfaces of "
        "transit devices next to a zone's device. On an ordered policy between interfaces, a rule "
        "whose interfaces lie in different zones (or on a transit segment, the upstream or an "
        "external link) must not have a reachable line that permits every packet (a FortiGate "
        "policy with srcaddr all, dstaddr all, service ALL).",
        "what_ja": "領域の境界のインターフェースに適用した ACL が、到達可能な `permit ip any any`（同等の行）や ACL "
        "全体としてすべてのパケットを許可していないこと。インターフェース間の順序付きポリシーでは、異なる領域（中継区間・"
        "上流・外部接続を含む）の間に適用されるルールに、すべてのパケットを許可する到達可能な行（srcaddr all・"
        "dstaddr all・service ALL の FortiGate ポリシーなど）がないこと。",
        "why_en": "A catch-all permit at a zone boundary makes the filter meaningless for everything its earlier "
        "lines do not deny (対策基準 9.1(8)①②).",
        "why_ja": "境界での全許可は、それより前の行で拒否していないすべての通信を通してしまいます（対策基準 "
        "9.1(8)①②）。",
        "fix_en": "Replace the catch-all permit by the flows that are needed and end the ACL with "
        "`deny ip any any log`.",
        "fix_ja": "全許可の行を必要な通信だけの許可に置き換え、最後を `deny ip any any log` にします。",
        "example": "ip access-list extended BB-IN\n deny ip 10.3.0.0 0.0.255.255 any\n permit ip any any",
    },
    "ACL-006": {
        "what_en": "No policy rule between zones permits any source, any destination or any service. A rule of an "
        "ordered policy between interfaces (a FortiGate firewall policy, a zone-based firewall rule) is "
        "between zones when one of the interface pairs it applies to leads to two different zones, to a "
        "zone and the upstream or an external link (an interface on a transit segment leads to the zones "
        "reachable through it without passing back through the device). A reachable permit line whose "
        "sources are every address, whose destinations are every address, or whose services are every "
        "protocol and port (FortiGate `srcaddr all`, `dstaddr all`, `service ALL`) violates; a line that "
        "permits everything is ACL-004's. Any source from the internet zone, an external zone or beyond the "
        "modelled network (upstream, external link) is what that side is, and so is any destination "
        "there: those are not reported. Lines the parser could not read exactly, rules that state "
        "the device's built-in behaviour (ASA security levels) and rules that apply an interface's named "
        "ACL (ASA access-groups: the ACL rules judge those) are not judged.",
        "what_ja": "領域間のポリシーのルールで、送信元・宛先・サービスのいずれかを「すべて」にしないこと。"
        "インターフェース間の順序付きポリシー（FortiGate のファイアウォールポリシー、ゾーンベースファイアウォール）の"
        "ルールは、適用されるインターフェースの組の先が異なる領域どうし、または領域と上流・外部接続であるとき"
        "領域間とみなします（中継区間にあるインターフェースの先は、その機器を通らずにたどり着ける領域です）。送信元"
        "がすべてのアドレス、宛先がすべてのアドレス、またはサービスがすべてのプロトコル・ポート（FortiGate の "
        "`srcaddr all`・`dstaddr all`・`service ALL`）の到達可能な許可行は違反です（すべてを許可する行は ACL-004 で"
        "報告します）。インターネット接続系・外部の領域・モデル外（上流・外部接続）からの送信元「すべて」と、そこへの"
        "宛先「すべて」はその側の性質なので報告しません。正確に読み取れなかった行、機器の組込みの動作を表すルール"
        "（ASA のセキュリティレベル）、インターフェースの名前付き ACL を適用するルール（ASA の access-group。"
        "ACL の規則で判定します）は判定しません。",
        "why_en": "A boundary between zones must let through only the communication that is needed "
        "(対策基準 6, 9.1(8)①); `all` on any side opens the boundary to flows nobody reviewed.",
        "why_ja": "領域の境界では必要な通信だけを通す必要があります（対策基準 6、9.1(8)①）。いずれかを all にすると、"
        "誰も確認していない通信まで境界を通ります。",
        "fix_en": "Replace `all` by address objects of the hosts or subnets that need the flow and by the services "
        'they use (e.g. `set srcaddr "LG-STAFF"`, `set dstaddr "PROXY"`, `set service "HTTPS"`).',
        "fix_ja": "all を、通信が必要なホスト・サブネットのアドレスオブジェクトと使うサービスに置き換えます（例: "
        '`set srcaddr "LG-STAFF"`、`set dstaddr "PROXY"`、`set service "HTTPS"`）。',
        "example": 'config firewall policy\n    edit 12\n        set srcintf "lgwan"\n        set dstintf '
        '"internet"\n        set srcaddr "all"\n        set dstaddr "PROXY"\n        set action accept\n'
        '        set service "HTTPS"\n    next\nend',
    },
    "ACL-007": {
        "what_en": "A policy rule between zones that permits traffic logs the sessions it permits. Between zones as "
        "for ACL-006; a rule with logging turned off (FortiGate `set logtraffic disable`) that has a "
        "permit line violates. Rules that only deny are not judged.",
        "what_ja": "通信を許可する領域間のポリシーのルールは、許可した通信のログを記録すること。"
        "領域間の判定は ACL-006 と同じです。ログを無効にした（FortiGate の `set logtraffic disable`）"
        "許可行のあるルールは違反です。拒否だけのルールは判定しません。",
        "why_en": "Logs of what crossed a zone boundary are what an incident investigation starts from "
        "(対策基準 9.1(6)① ログの取得).",
        "why_ja": "領域の境界を越えた通信のログは、インシデント調査の出発点です（対策基準 9.1(6)① ログの取得）。",
        "fix_en": "Set `set logtraffic all` (or at least `utm`) on the policy and send the logs to the log server "
        "(MGMT-009).",
        "fix_ja": "ポリシーに `set logtraffic all`（少なくとも `utm`）を設定し、ログをログサーバーへ送ります"
        "（MGMT-009）。",
        "example": 'config firewall policy\n    edit 20\n        set srcintf "lgwan"\n        set dstintf '
        '"internet"\n        set srcaddr "LG-STAFF"\n        set dstaddr "PROXY"\n        set action '
        'accept\n        set service "HTTPS"\n        set logtraffic disable\n    next\nend',
    },
    "RT-001": {
        "what_en": "Every static route can be installed: its next hop lies on a connected subnet of an interface "
        "that is up, or resolves recursively through another static route; its exit interface exists "
        "and is not shut down. Devices running dynamic routing or with addresses learned at run time "
        "(DHCP, PPP) are not reported for next hops, since those may resolve there.",
        "what_ja": "スタティックルートが登録可能であること。ネクストホ"
        "ップが有効なインターフェースの直接接続サブネット上"
        "にあるか他のスタティックルートで解決でき、出力インターフェースが存在し shutdown されていないこと。"
        "動的ルーティングや DHCP・PPP でアドレスを得る機器では、ネクストホップの未解決は報告しません。",
        "why_en": "A route whose next hop cannot be reached is never used: traffic silently follows another "
        "route, which is the kind of filtering/routing inconsistency the policy forbids "
        "(対策基準 9.1(8)①).",
        "why_ja": "ネクストホップに到達できない経路は使われず、通信は黙って別の経路をたどります（対策基準 9.1(8)①）。",
        "fix_en": "Correct the next-hop address or exit interface, or remove the route.",
        "fix_ja": "ネクストホップのアドレスや出力インターフェースを修正するか、経路を削除します。",
        "example": "interface GigabitEthernet0/1\n ip address 192.168.255.2 255.255.255.252\nip route 0.0.0.0 "
        "0.0.0.0 192.168.254.1",
    },
}
