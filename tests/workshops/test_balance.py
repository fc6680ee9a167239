"""The balance arithmetic of a delegation, on hand-counted examples."""

from workshops.delegation import Member, balance

CYPRUS = ["Greek Cypriot", "Turkish Cypriot"]


def people(*specs: tuple) -> list[Member]:
    return [Member(*spec) for spec in specs]


def shares(result, group: str) -> dict[str, tuple[int, float]]:
    return {s.label: (s.count, s.percent) for s in getattr(result, f"by_{group}")}


def test_counts_and_shares_by_each_dimension():
    members = people(
        ("Greek Cypriot", "Academic", "woman", "5. Research"),
        ("Greek Cypriot", "Media", "man", "9. Media"),
        ("Turkish Cypriot", "Academic", "woman", None),
        ("Turkish Cypriot", "Religious", "", "7. Religion"),
    )
    result = balance(
        members, communities=CYPRUS, target_sectors=["Academic"], tolerance=10, capacity=20
    )
    assert result.total == 4 and result.places_left == 16
    assert shares(result, "community") == {
        "Greek Cypriot": (2, 50.0),
        "Turkish Cypriot": (2, 50.0),
    }
    assert shares(result, "sector") == {
        "Academic": (2, 50.0),
        "Media": (1, 25.0),
        "Religious": (1, 25.0),
    }
    assert shares(result, "gender") == {
        "Woman": (2, 50.0),
        "Man": (1, 25.0),
        "Not recorded": (1, 25.0),
    }
    assert shares(result, "track")["Not recorded"] == (1, 25.0)
    assert result.community_gap == 0 and result.warnings == []


def test_communities_further_apart_than_the_tolerance_warn():
    # 7 Greek Cypriots, 3 Turkish Cypriots: 70 % vs 30 %, 40 points apart.
    members = people(*[("Greek Cypriot", "Academic", "", None)] * 7) + people(
        *[("Turkish Cypriot", "Academic", "", None)] * 3
    )
    result = balance(members, communities=CYPRUS, target_sectors=[], tolerance=10, capacity=20)
    assert result.community_gap == 40.0
    assert len(result.warnings) == 1
    assert "Greek Cypriot 70 %, Turkish Cypriot 30 %" in result.warnings[0]
    assert "40 points apart" in result.warnings[0]
    relaxed = balance(members, communities=CYPRUS, target_sectors=[], tolerance=40, capacity=20)
    assert relaxed.warnings == []  # exactly at the tolerance is still fine


def test_third_parties_do_not_tip_the_balance_but_a_missing_community_does():
    members = people(
        ("Greek Cypriot", "Academic", "", None),
        ("Turkish Cypriot", "Academic", "", None),
        (None, "Academic", "", None),
        (None, "Academic", "", None),
    )
    result = balance(members, communities=CYPRUS, target_sectors=[], tolerance=10, capacity=20)
    assert result.community_gap == 0
    assert shares(result, "community")["Third party"] == (2, 50.0)
    only_one_side = people(("Greek Cypriot", "Academic", "", None))
    result = balance(
        only_one_side, communities=CYPRUS, target_sectors=[], tolerance=10, capacity=20
    )
    assert result.community_gap == 100.0
    assert shares(result, "community")["Turkish Cypriot"] == (0, 0.0)


def test_missing_target_sectors_and_capacity_warn():
    members = people(
        *[("Greek Cypriot", "Academic", "", None), ("Turkish Cypriot", "Academic", "", None)]
    )
    result = balance(
        members,
        communities=CYPRUS,
        target_sectors=["Academic", "Religious", "Media"],
        tolerance=10,
        capacity=2,
        waitlisted=3,
    )
    assert "No one yet from these target sectors: Religious, Media." in result.warnings
    assert result.notes == ["Full: further invitees go to the waitlist."]
    assert shares(result, "sector")["Religious"] == (0, 0.0)  # shown, at zero
    assert result.waitlisted == 3 and result.places_left == 0
    over = balance(members, communities=CYPRUS, target_sectors=[], tolerance=10, capacity=1)
    assert "Over capacity by 1: the venue holds 1." in over.warnings


def test_an_empty_delegation_has_no_warnings():
    result = balance([], communities=CYPRUS, target_sectors=["Media"], tolerance=10, capacity=5)
    assert result.total == 0 and result.warnings == [] and result.community_gap == 0
