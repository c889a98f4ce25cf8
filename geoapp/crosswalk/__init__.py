"""Across the 1 July 2025 reform: old communes → new units, area weights, projected statuses.

The crosswalk (``crosswalk/xa_truoc2025_sang_2025.csv`` of the reference data) says which old
(``pre2025``) communes each new (``2025``) unit was formed from; 471 old communes were split
between several new units. This package reads it, checks it against both editions in the store,
stores it, weighs every (old, new) pair, and projects statuses recorded on old communes onto the
new units — with the *composition* (which parts, what share, which status) always shown.

Modules (lower ones never import higher ones):

``read``     the one reader of the crosswalk file (and where a data folder becomes its path)
``check``    the pairs against both editions' unit lists: a report, nothing refused
``weights``  weight of each (old, new) pair: polygon overlay where possible, else 1/n
``rules``    which status a new unit gets from its parts' statuses; the rule in words
``project``  the projected rows and each unit's composition (pure)
``guard``    the refusal to join the editions by code, explained code by code
``service``  the use cases the CLI and the web call: import, check, weigh, project, on a store

Trip-wire: never join the editions by code — codes were reused for other places (new Phường
Đoàn Kết, Lai Châu, is 03388, which was old Phường Quyết Tiến). :func:`refuse_cross_edition`
explains that to the user.

The names below are re-exported so ``from geoapp import crosswalk; crosswalk.project_statuses``
keeps working; new code may import them from their module.
"""
from __future__ import annotations

from .check import check_crosswalk
from .guard import explain_cross_edition, refuse_cross_edition
from .project import PROJECTED_COLUMNS, formed_from
from .read import (
    FROM_EDITION,
    PAIR_COLUMNS,
    TO_EDITION,
    CrosswalkFile,
    crosswalk_path,
    read_crosswalk_file,
)
from .rules import DEFAULT_RULES, FALLBACK_RULE, combine, load_rules, rule_text
from .service import (
    import_crosswalk,
    project_old_records,
    project_statuses,
    stored_check,
    stored_pairs,
    update_area_weights,
)
from .weights import FLOOR_SHARE, MIN_COVERAGE, area_weights, crosswalk_weights

__all__ = [
    "DEFAULT_RULES", "FALLBACK_RULE", "FLOOR_SHARE", "FROM_EDITION", "MIN_COVERAGE", "PAIR_COLUMNS",
    "PROJECTED_COLUMNS", "TO_EDITION", "CrosswalkFile", "area_weights", "check_crosswalk", "combine",
    "crosswalk_path", "crosswalk_weights", "explain_cross_edition", "formed_from", "import_crosswalk",
    "load_rules", "project_old_records", "project_statuses", "read_crosswalk_file", "refuse_cross_edition",
    "rule_text", "stored_check", "stored_pairs", "update_area_weights",
]
