"""Create a Dynamics base connection: an IMS token, then ``POST /connections``."""

from __future__ import annotations

from dataclasses import dataclass

import requests

ADOBE_BASE_URL = "https://platform.adobe.io/data/foundation/flowservice"
IMS_URL = "https://ims-na1.adobelogin.com/ims/token/v3"
DYNAMICS_SPEC_ID = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
SCOPES = "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session"


@dataclass(frozen=True)
class AdobeCredentials:
    """An OAuth Server-to-Server project of the Adobe Developer Console."""

    client_id: str
    client_secret: str
    org_id: str
    sandbox: str = "prod"


def fetch_token(
    credentials: AdobeCredentials, *, ims_url: str = IMS_URL, session: requests.Session
) -> str:
    """An access token from Adobe IMS (client credentials grant)."""
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "scope": SCOPES,
    }
    response = session.post(ims_url, data=form, timeout=30)
    response.raise_for_status()
    return str(response.json()["access_token"])


def connect_dynamics(
    credentials: AdobeCredentials,
    *,
    service_uri: str,
    username: str,
    password: str,
    name: str = "Dynamics connection",
    base_url: str = ADOBE_BASE_URL,
    ims_url: str = IMS_URL,
) -> str:
    """Create the base connection and return its id."""
    with requests.Session() as session:
        token = fetch_token(credentials, ims_url=ims_url, session=session)
        headers = {
            "Authorization": f"Bearer {token}",
            "x-api-key": credentials.client_id,
            "x-gw-ims-org-id": credentials.org_id,
            "x-sandbox-name": credentials.sandbox,
        }
        body = {
            "name": name,
            "description": "Dynamics connection using basic auth",
            "auth": {
                "specName": "Basic Authentication for Dynamics-Online",
                "params": {"serviceUri": service_uri, "username": username, "password": password},
            },
            "connectionSpec": {"id": DYNAMICS_SPEC_ID, "version": "1.0"},
        }
        response = session.post(f"{base_url}/connections", json=body, headers=headers, timeout=30)
        response.raise_for_status()
        return str(response.json()["id"])
