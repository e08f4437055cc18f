from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.neighbours import make_group


@dataclass
class Groups:
    a: object  # 1栋's group: resident and owner are members; leader_a and group_leader lead it
    b: object  # 2栋's group: owners_committee is a member; leader_b and resident_rep lead it


@pytest.fixture
def groups(world) -> Groups:
    return Groups(
        a=make_group(world, world.building_a, "1栋睦邻互助会", "resident", "owner"),
        b=make_group(world, world.building_b, "2栋睦邻互助会", "owners_committee"),
    )
