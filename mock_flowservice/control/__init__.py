"""The control plane under ``/__mock__``: views, journal, recorder, redaction, faults, seeding.

Beside the API's layers, never below them: the API (views, operations, engine, storage)
imports nothing from here; the app factory wires this package's hooks and blueprint in.
"""
