"""The load benches' client addresses (bench/_wsclient.py): a few clients on each, never the
server's own 127.0.0.1, which is exempt from the join limits and would hide them from a bench."""

from __future__ import annotations

import ipaddress

import pytest

from bench._wsclient import PER_ADDRESS, loopback_sources


def test_a_hall_gets_loopback_addresses_of_its_own_few_clients_each() -> None:
    addresses = loopback_sources(10_000)
    assert len(addresses) == len(set(addresses)) == 10_000 // PER_ADDRESS
    assert all(ipaddress.ip_address(a).is_loopback and not a.startswith("127.0.0.") for a in addresses)
    assert loopback_sources(9) == ["127.0.1.1", "127.0.1.2"]
    with pytest.raises(ValueError):
        loopback_sources(PER_ADDRESS * 250 * 254 + 1)
