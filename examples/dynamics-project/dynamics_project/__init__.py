"""Onboard a Microsoft Dynamics account into Adobe Experience Platform (Flow Service API)."""

from .onboarding import AdobeCredentials, connect_dynamics, fetch_token

__all__ = ["AdobeCredentials", "connect_dynamics", "fetch_token"]
