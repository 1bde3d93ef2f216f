"""Flask blueprints, one per resource. Views parse, call one store method, serialise."""
