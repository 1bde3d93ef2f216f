"""Serving the app: waitress for one process, gunicorn for workers, and dropped connections.

:mod:`.run` starts servers (it imports the app factory); :mod:`.dropped` is what the app
itself needs of the server code, so importing it never imports the app.
"""
