"""A short name for the phone or computer a login came from, read from its User-Agent: "Chrome · Android".

Enough to recognise one's own phones in the settings list, not a full parser: the browser first (the apps
residents open the site in, WeChat above all, before the engines they are built on), then the system.
What it does not recognise it leaves out; nothing recognised at all is "" (shown as "Unknown device").
The names are stored in English and translated when shown (accounts.labels.device_name).
"""

from __future__ import annotations

# (marker in the User-Agent, name): the first match wins, so apps and vendor browsers come before the
# engines whose names their User-Agents also carry (WeChat's says Chrome and Safari too).
BROWSERS = (
    ("wxwork/", "WeCom"),
    ("MicroMessenger/", "WeChat"),
    ("DingTalk/", "DingTalk"),
    ("AlipayClient/", "Alipay"),
    ("MQQBrowser/", "QQ Browser"),
    ("QQBrowser/", "QQ Browser"),
    (" QQ/", "QQ"),
    ("UCBrowser/", "UC Browser"),
    ("UCWEB", "UC Browser"),
    ("Quark/", "Quark"),
    ("HuaweiBrowser/", "Huawei Browser"),
    ("HeyTapBrowser/", "OPPO Browser"),
    ("VivoBrowser/", "vivo Browser"),
    ("MiuiBrowser/", "Xiaomi Browser"),
    ("baiduboxapp/", "Baidu"),
    ("BIDUBrowser", "Baidu"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),  # Safari says "Version/17.0 ... Safari/605.1.15"; others above say their name
)

SYSTEMS = (
    ("HarmonyOS", "HarmonyOS"),
    ("OpenHarmony", "HarmonyOS"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)

SEPARATOR = " · "
MAX_LENGTH = 80  # UserSession.device


def _first(user_agent: str, table) -> str | None:
    return next((name for marker, name in table if marker in user_agent), None)


def describe(user_agent: str | None) -> str:
    """ "WeChat · Android", "Safari · iPhone", "Chrome" ...; "" when nothing is recognised."""
    user_agent = (user_agent or "")[:1000]
    parts = [part for part in (_first(user_agent, BROWSERS), _first(user_agent, SYSTEMS)) if part]
    return SEPARATOR.join(parts)[:MAX_LENGTH]
