"""The flowservice_* fixtures come installed with mock-flowservice; this file configures them."""

import pytest


@pytest.fixture(scope="session")
def flowservice_config():
    # The mock accepts only tokens its own IMS endpoint issued, to these credentials.
    return {"token_policy": "issued", "ims_clients": {"dynamics-onboarding": "not-a-real-secret"}}
