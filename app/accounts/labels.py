"""How account things are shown: the names of devices a login came from."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.devices import SEPARATOR

# The names accounts.devices stores, as residents know them; brand names that read the same in Chinese
# and English (Chrome, Android, iPhone ...) are shown as stored.
DEVICE_LABELS = {
    "WeCom": _l("WeCom"),
    "WeChat": _l("WeChat"),
    "DingTalk": _l("DingTalk"),
    "Alipay": _l("Alipay"),
    "QQ Browser": _l("QQ Browser"),
    "UC Browser": _l("UC Browser"),
    "Quark": _l("Quark"),
    "Huawei Browser": _l("Huawei Browser"),
    "OPPO Browser": _l("OPPO Browser"),
    "vivo Browser": _l("vivo Browser"),
    "Xiaomi Browser": _l("Xiaomi Browser"),
    "Baidu": _l("Baidu"),
    "Samsung Internet": _l("Samsung Internet"),
    "HarmonyOS": _l("HarmonyOS"),
}


def device_name(device: str | None) -> str:
    """The stored device ("WeChat · Android") in the reader's language; "Unknown device" for ""."""
    if not device:
        return str(_l("Unknown device"))
    return SEPARATOR.join(str(DEVICE_LABELS.get(part, part)) for part in device.split(SEPARATOR))
