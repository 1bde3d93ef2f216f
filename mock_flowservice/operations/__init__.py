"""The operations of the API, named after its operationIds, one module per resource.

Views call these; these apply each resource's own rules and use the engine for the rest.
"""
