"""Projection rules: which status a new unit gets from the statuses of its old parts, and the rule in words.

``strict`` — the *good* status (drug-free, safe) only if **every** part had it; otherwise the
worst non-good status of the parts by severity (so "a key area if any part was"), or none.
``area_share`` — good if the parts that had it make up ≥ ``threshold`` of the new unit's area
and no part was key; otherwise as ``strict``. ``any_key`` — key if any part was key (the worst
one), else converted if any part was, else a problem status if any, else good only if all parts
were, else none. Defaults (no setting needed): ``ma_tuy`` strict, ``antt`` any_key, any other
scheme strict (:data:`FALLBACK_RULE`). A TOML file can override them (``[projection.ma_tuy]
rule = "area_share"`` / ``threshold = 0.5``).

Trip-wire: a part without a status is *not* good — under ``strict`` one such part leaves the
new unit with no status at all, under ``area_share`` it only lowers the good share.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from ..errors import ConfigError
from ..schemes import Scheme

RULES = ("strict", "area_share", "any_key")
DEFAULT_THRESHOLD = 0.5
#: projection rule per scheme; schemes not named here use :data:`FALLBACK_RULE`
DEFAULT_RULES: dict[str, dict] = {"ma_tuy": {"rule": "strict", "threshold": DEFAULT_THRESHOLD},
                                  "antt": {"rule": "any_key"}}
FALLBACK_RULE = {"rule": "strict", "threshold": DEFAULT_THRESHOLD}


def load_rules(source=None) -> dict[str, dict]:
    """Projection rules per scheme: :data:`DEFAULT_RULES` overridden by ``source``.

    ``source`` is ``None``, a dict ``{scheme: {"rule": ..., "threshold": ...}}`` or the path of a
    TOML file with ``[projection.<scheme>]`` tables. Unknown rules and thresholds outside (0, 1]
    raise :class:`~geoapp.errors.ConfigError`.
    """
    rules = {k: dict(v) for k, v in DEFAULT_RULES.items()}
    given = source
    if isinstance(source, (str, Path)):
        try:
            given = tomllib.loads(Path(source).read_text(encoding="utf-8")).get("projection", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"projection rules {source}: {exc}") from None
    for scheme, entry in (given or {}).items():
        entry = {"rule": entry} if isinstance(entry, str) else dict(entry)
        rule = entry.get("rule", FALLBACK_RULE["rule"])
        if rule not in RULES:
            raise ConfigError(f"projection rule {rule!r} for scheme {scheme!r}: use one of {', '.join(RULES)}")
        threshold = float(entry.get("threshold", DEFAULT_THRESHOLD))
        if not 0 < threshold <= 1:
            raise ConfigError(f"projection threshold {threshold} for scheme {scheme!r} must be in (0, 1]")
        rules[scheme] = {"rule": rule, "threshold": threshold}
    return rules


def rule_name(rule: dict) -> str:
    """The rule as it is written in a projected row: ``strict``, ``any_key``, ``area_share≥0.5``."""
    if rule["rule"] == "area_share":
        return rule["rule"] + f"≥{rule.get('threshold', DEFAULT_THRESHOLD):g}"
    return rule["rule"]


def combine(statuses: list[str], shares: list[float], scheme: Scheme, rule: dict) -> tuple[str, str]:
    """The projected status of one new unit from the statuses of its parts ("" = none).

    Parameters
    ----------
    statuses : list of str
        Status code of every part ("" when the part had none).
    shares : list of float
        Share of the new unit's area each part makes up (used by ``area_share``).
    scheme : Scheme
    rule : dict
        ``{"rule": "strict" | "area_share" | "any_key", "threshold": float}``.

    Returns
    -------
    (str, str)
        The status and the reason: ``all_good``, ``good_share``, ``any_key``, ``any_converted``,
        ``any_problem``, ``worst``, ``none``.
    """
    known = {s.code: s for s in scheme.statuses}
    parts = [known[s] for s in statuses if s in known]

    def worst(kinds):
        found = [p for p in parts if p.kind in kinds]
        return max(found, key=lambda p: p.severity).code if found else ""

    all_good = bool(statuses) and len(parts) == len(statuses) and all(p.kind == "good" for p in parts)
    name = rule.get("rule", "strict")
    if name == "any_key":
        for kind, reason in (("key", "any_key"), ("converted", "any_converted"), ("problem", "any_problem")):
            if worst({kind}):
                return worst({kind}), reason
        return (worst({"good"}), "all_good") if all_good else ("", "none")
    if all_good:
        return worst({"good"}), "all_good"
    if name == "area_share" and not worst({"key"}):
        good = sum(sh for s, sh in zip(statuses, shares) if s in known and known[s].kind == "good")
        if good >= float(rule.get("threshold", DEFAULT_THRESHOLD)) - 1e-12:
            return worst({"good"}), "good_share"
    bad = worst({"key", "problem", "converted"})
    return (bad, "worst") if bad else ("", "none")


def rule_text(scheme_code: str, rule: dict, lang: str = "vi") -> str:
    """The projection rule in words, to state on every projected map."""
    name = rule.get("rule")
    threshold = int(round(100 * float(rule.get("threshold", DEFAULT_THRESHOLD))))
    texts = {
        "strict": ("Quy tắc nghiêm ngặt: xã mới chỉ được coi là \"không ma túy\" khi mọi xã cũ hợp thành đều không "
                   "ma túy; nếu không, lấy tình trạng xấu nhất.",
                   "Strict rule: a new unit counts as drug-free only if every old commune it was formed from was; "
                   "otherwise it takes the worst status."),
        "area_share": (f"Quy tắc theo diện tích: xã mới \"không ma túy\" khi các phần không ma túy chiếm từ {threshold} % "
                       "diện tích trở lên và không phần nào là trọng điểm.",
                       f"Area rule: a new unit is drug-free when drug-free parts cover at least {threshold} % of its area "
                       "and no part is a key commune."),
        "any_key": ("Quy tắc: xã mới là trọng điểm nếu bất kỳ phần nào là trọng điểm; đã chuyển hóa nếu có phần đã "
                    "chuyển hóa và không phần nào là trọng điểm; đạt chuẩn an toàn khi mọi phần đều đạt.",
                    "Rule: a new unit is a key area if any part was; converted if a part was converted and none is "
                    "key; safe only if every part was."),
    }
    vi, en = texts.get(name, (str(name), str(name)))
    prefix = ("Trạng thái chiếu từ xã cũ lên đơn vị 2025. " if lang == "vi"
              else "Statuses projected from the old communes onto the 2025 units. ")
    return prefix + (en if lang == "en" else vi)
