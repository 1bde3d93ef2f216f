"""Error types of the mock and the one place that renders them.

Three body shapes exist on the real API (FACTS B.2, B.3):

* the gateway's ``{"error_code": "403010", "message": "..."}`` — :class:`GatewayError`;
* the gateway's content-type refusal — :class:`ContentTypeError`;
* Flow Service's own ``{"type", "title", "status", "report", "errorMessage", "errorDetails"}``
  — :class:`FlowError`, looked up by its catalog code (``"1415-400"``).

Views and helpers raise these; :func:`register_error_handlers` turns every exception, including
werkzeug's routing 404/405 and anything unexpected, into a JSON body. No path returns HTML.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "FLOW_ERRORS",
    "GATEWAY_ERRORS",
    "ContentTypeError",
    "FlowError",
    "GatewayError",
    "MockError",
    "bad_value",
    "invalid_request",
    "missing_field",
    "not_found",
    "stale_etag",
    "unknown_auth_spec",
    "unknown_param",
]

#: Gateway error codes and their exact messages (FACTS B.2); the status is the first three
#: digits (GAPS 2). 400000/404000/405000/413000/429000/431000/501000 are the mock's own for
#: malformed HTTP, routing, body and header size, injected throttling and unknown transfer
#: codings (not documented; DECISIONS.md).
GATEWAY_ERRORS: dict[str, str] = {
    "403010": "Oauth token is missing.",
    "401013": "Oauth token is not valid",
    "403000": "Api Key is required",
    "403003": "Api Key is invalid",
    "400003": "Missing header",
    "403025": "Profile is not valid",
    "403027": "User region is missing",
    "400000": "Bad request",
    "404000": "Resource not found",
    "405000": "Method not allowed",
    "413000": "Request entity too large",
    "429000": "Too many requests",
    "431000": "Request header fields too large",
    "501000": "Not implemented",
}

#: Flow Service catalog: code -> (title, message template). Templates take keyword fields.
FLOW_ERRORS: dict[str, tuple[str, str]] = {
    "1100-400": (
        "Invalid request",
        "The request could not be processed. Error from flow provider: {message}",
    ),
    "1102-500": (
        "Internal Error",
        "An internal error has occurred. Please try again. If the problem persists, please "
        "contact customer support.",
    ),
    "1103-503": (
        "Service Unavailable",
        "The service is temporarily unavailable. Please try again. If the problem persists, "
        "please contact customer support.",
    ),
    "1104-504": (
        "Gateway Timeout",
        "A gateway timeout has occurred. Please try again. If the problem persists, please "
        "contact customer support.",
    ),
    "1304-400": (
        "Invalid request",
        "The mandatory field {field} is not provided. Please provide the {field} and try again.",
    ),
    "1307-400": (
        "Invalid request",
        "The target connection spec ID is not valid={targetConnectionSpecId}. The allowed value "
        "is: {allowed}.",
    ),
    "1325-400": (
        "Invalid request",
        "The dataSetId param cannot be null or empty in target connection: {TargetConnection}.",
    ),
    "1327-400": (
        "Invalid request",
        "The format of source data supplied={sourceFormat} in SourceConnection is not supported. "
        "The allowed values are: {values}.",
    ),
    "1317-400": ("Invalid request", "The scheduleParams cannot be null or empty."),
    "1338-400": (
        "Invalid request",
        "The {connectionType} connection ID can't be null in flowRequest.",
    ),
    "1360-400": ("Invalid request", "The start time cannot be set in the past."),
    "1361-400": ("Invalid request", "Interval is not allowed with one time ingestion."),
    "1362-400": ("Invalid request", "Interval cannot be less than {minInterval}."),
    "1364-400": (
        "Invalid request",
        "The backfill flag is not allowed when frequency is set to one.",
    ),
    "1367-400": (
        "Invalid request",
        "The delta column is required in copy transformation when creating a CRM connector. "
        "Please provide delta column and try again.",
    ),
    "1368-400": ("Invalid request", "Mode is not allowed in flow request."),
    "1369-400": (
        "Invalid request",
        "The delta column in copy transform is not allowed when frequency is set to once.",
    ),
    "1381-400": (
        "Invalid request",
        "WindowEndTime={endTime} cannot be before Window StartTime={startTime}.",
    ),
    "1386-400": (
        "Invalid request",
        "The flowId={flowId} with scheduleParams frequency={frequency} is not supported for "
        "creating flow runs.",
    ),
    "1387-400": (
        "Invalid request",
        "The flowRunId={flowRunId} is in an invalid state={state} for re-triggering.",
    ),
    "1388-400": (
        "Invalid request",
        "The flow={flow} is in state={state} and cannot be re-triggered. The flow must be in "
        "enabled state for re-triggering.",
    ),
    "1397-400": ("Invalid request", "The provided frequency : {frequency} is invalid."),
    "1330-400": (
        "Invalid request",
        "No columns were found for table {tableName}. Please provide a valid table name and try "
        "again.",
    ),
    "1335-400": ("Invalid request", "The filter could not be applied: {reason}."),
    "1389-400": (
        "Invalid request",
        "An error occurred while parsing the provided base64-encoded string.",
    ),
    "1336-400": (
        "Invalid request",
        "Explore connection is not supported for connection spec ID: {id}.",
    ),
    "1337-400": (
        "Invalid request",
        "The {param} cannot be empty for objectType={objectType}.",
    ),
    "1358-400": ("Invalid request", "The provided param 'objectType' is invalid."),
    "1401-400": (
        "Invalid request",
        "The limit and count parameters cannot be given together in the same request. "
        "Please provide either only the limit or the count parameter and try again.",
    ),
    "1403-400": (
        "Header is missing",
        "The header 'If-Match' is missing in the request. Please provide the header and try again.",
    ),
    "1404-412": (
        "Version not matching",
        "The supplied version '{sent}' does not match the current version on entity "
        "'{current}'. Please ensure that the supplied version matches the current version on "
        "entity and try again.",
    ),
    "1405-400": (
        "Invalid request",
        "The request body cannot be null or empty. Please provide a request body and try again.",
    ),
    "1409-400": (
        "Invalid request",
        "The operation '{op}' cannot be applied on the current state {state}. Please update "
        "the operation and try again.",
    ),
    "1410-400": ("Invalid request", "`State` is not allowed in the create flow request."),
    "1412-400": (
        "Invalid request",
        "Invalid Mapping Version in request. Please provide correct mapping version.",
    ),
    "1413-400": (
        "Invalid request",
        "The spec ID provided is  invalid. Please provide a valid spec ID and try again.",
    ),
    "1414-400": ("Invalid request", "The connection spec of a connection cannot be updated."),
    "1415-400": (
        "Invalid request",
        "The auth spec '{spec}' could not be found for the connection spec ID {id}.",
    ),
    "1416-400": (
        "Invalid request",
        "Delete or Update can only be applied on connection with enabled, disabled or "
        "initializing state.",
    ),
    "1418-400": (
        "Invalid request",
        "The base connection with the ID {id} cannot be deleted because the base connection is "
        "being used in one or more flows. Please ensure that corresponding flows are deleted "
        "before deleting a base connection.",
    ),
    "1422-400": (
        "Invalid request",
        "The action {op} cannot be applied on the current state {state}.",
    ),
    "1423-400": (
        "Invalid request",
        "An unhandled field {field} was provided in ConnectionSpecFiltering. Please update the "
        "field {field} and try again.",
    ),
    "1430-400": ("Invalid request", "Flow not found with id {id}."),
    "1432-400": (
        "Invalid request",
        "Sort order specified is not correct, prepend + for ascending order and - for "
        "descending order in the fieldName.",
    ),
    "1433-400": (
        "Invalid request",
        "Incorrect field= {field} passed in orderBy, example are +name, -name, name.",
    ),
    "1434-400": (
        "Invalid request",
        "Unsupported operation '{op}' received. Please use one of the supported operation "
        "types and try again.",
    ),
    "1439-404": (
        "Resource not found",
        "The requested {type} resource {id} is not found. Verify the resource ID before "
        "trying again.",
    ),
    "1440-400": ("Invalid request", "Operator '{op}' not implemented."),
    "1443-400": ("Invalid request", "Operator '{op}' is not allowed for multiple values."),
    "1446-400": (
        "Invalid request",
        "The flow ID cannot be null or empty. Please update the flow ID and try again.",
    ),
    "1447-400": ("Invalid request", "Found active flows containing id {id}."),
    "1448-400": ("Invalid request", "Operator {op} not supported for field {field}."),
    "1449-400": ("Invalid request", "Invalid field {field} in filter params."),
    "1450-400": ("Invalid request", "Invalid operator {op} in filter params."),
    "1451-400": ("Invalid request", "Invalid params {param} provided in query params."),
    "1452-400": ("Invalid request", "Invalid value {value} for field {field}."),
    "1453-400": ("Invalid request", "Invalid query value {query} provided in query param."),
    "1455-400": (
        "Invalid request",
        "An error has occurred while validating patch instructions: {message}",
    ),
    "2100-404": (
        "Sandbox not found",
        "The sandbox with the name '{sandbox}' could not be found. Please ensure that the "
        "sandbox name is correct and try again.",
    ),
    "2105-400": (
        "Header is missing",
        "The header x-sandbox-name is missing in the request. Please add the header in the "
        "request and try again.",
    ),
}

FLOW_TYPE_PREFIX = "https://ns.adobe.com/aep/errors/FLOW-"


class MockError(Exception):
    """Base of every error the mock answers with. Subclasses know their status and body."""

    status: int = 500

    def body(self, request_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        return {}


class GatewayError(MockError):
    """An error the Adobe I/O gateway answers before Flow Service sees the request."""

    def __init__(self, error_code: str, headers: dict[str, str] | None = None) -> None:
        self.error_code = error_code
        self.message = GATEWAY_ERRORS[error_code]
        self.status = int(error_code[:3])
        self._headers = headers or {}
        super().__init__(f"{error_code}: {self.message}")

    def body(self, request_id: str) -> dict[str, Any]:
        return {"error_code": self.error_code, "message": self.message}

    def headers(self) -> dict[str, str]:
        return dict(self._headers)


class ContentTypeError(MockError):
    """POST/PUT/PATCH without ``Content-Type: application/json`` (FACTS B.2)."""

    status = 400

    def body(self, request_id: str) -> dict[str, Any]:
        return {
            "type": "/placeholder/type/uri",
            "status": 400,
            "title": "BadRequestError",
            "detail": "A valid content-type must be specified",
        }


class FlowError(MockError):
    """A Flow Service error from the catalog, e.g. ``FlowError("1415-400", spec=..., id=...)``.

    ``report`` adds fields to the body's ``report`` object (``id`` and ``type`` for 1439);
    ``status`` overrides the code's own (an injected fault answering 502 with ``1102``). An
    error is never changed once built: :meth:`with_report` makes a new one.
    """

    def __init__(
        self,
        code: str,
        *,
        report: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        status: int | None = None,
        **fields: Any,
    ) -> None:
        self.code = code
        self.title, template = FLOW_ERRORS[code]
        self.fields = dict(fields)
        self.message = template.format(**fields)
        self.status = status if status is not None else int(code.rsplit("-", 1)[1])
        self.report = dict(report or {})
        self._headers = dict(headers or {})
        super().__init__(f"FLOW-{code}: {self.message}")

    def with_report(self, **extra: Any) -> FlowError:
        """The same error with more ``report`` fields (``index`` of a bad seed object)."""
        return FlowError(
            self.code,
            report={**self.report, **extra},
            headers=self._headers,
            status=self.status,
            **self.fields,
        )

    def body(self, request_id: str) -> dict[str, Any]:
        return {
            "type": FLOW_TYPE_PREFIX + self.code,
            "title": self.title,
            "status": self.status,
            "report": {
                "detailed-message": self.message,
                **self.report,
                "request-id": request_id,
            },
            "errorMessage": self.message,
            "errorDetails": self.message,
        }

    def headers(self) -> dict[str, str]:
        return dict(self._headers)


def invalid_request(message: str) -> FlowError:
    """The generic ``1100-400`` refusal with a provider message (DECISIONS.md: validation)."""
    return FlowError("1100-400", message=message)


def not_found(resource_id: str, resource_type: str = "connections") -> FlowError:
    """``FLOW-1439-404`` for an unknown id (GAPS 7)."""
    return FlowError(
        "1439-404",
        id=resource_id,
        type=resource_type,
        report={"id": resource_id, "type": resource_type},
    )


def stale_etag(sent: str, current: str) -> FlowError:
    """``FLOW-1404-412``: the ``If-Match`` sent is not the entity's current etag."""
    return FlowError("1404-412", sent=sent, current=current)


def unknown_param(param: str) -> FlowError:
    """``FLOW-1451-400``: a query parameter (or ``op=`` value) the route does not know."""
    return FlowError("1451-400", param=param)


def bad_value(value: str, field: str) -> FlowError:
    """``FLOW-1452-400``: a parameter or body field with a value of the wrong form."""
    return FlowError("1452-400", value=value, field=field)


def missing_field(field: str) -> FlowError:
    """``FLOW-1304-400``: a mandatory field is absent (its dotted path is named)."""
    return FlowError("1304-400", field=field)


def unknown_auth_spec(spec_name: str, spec_id: str) -> FlowError:
    """``FLOW-1415-400``: the connection spec has no auth spec of that name."""
    return FlowError("1415-400", spec=spec_name, id=spec_id)
