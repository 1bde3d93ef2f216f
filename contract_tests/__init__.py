"""Contract tests of Flow Service: public API only, through ``flowservice_client``.

Valid against the in-process mock, a mock server and the real service alike; see README.md.
"""
