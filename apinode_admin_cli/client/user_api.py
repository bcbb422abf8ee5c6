"""APINodeClient: the user-facing API of one service (predictions, lookups, SQL, functions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

from apinode_admin_cli.client import errormap
from apinode_admin_cli.client.options import TransportOptions, build_transport
from apinode_admin_cli.client.result import expect
from apinode_admin_cli.client.urls import ClientCert, segment
from apinode_admin_cli.errors import InvalidResponseError, UsageError

if TYPE_CHECKING:
    from typing_extensions import Unpack


class APINodeClient:
    """Query the endpoints of one service, like ``dataikuapi.APINodeClient``."""

    def __init__(
        self,
        uri: str,
        service_id: str,
        api_key: Optional[str] = None,
        bearer_token: Optional[str] = None,
        no_check_certificate: bool = False,
        client_certificate: ClientCert = None,
        **options: Unpack[TransportOptions],
    ) -> None:
        """Positional arguments as in dataikuapi; keyword options: see ``TransportOptions``."""
        self._transport = build_transport(
            uri,
            api_key,
            no_check_certificate,
            client_certificate,
            options,
            bearer_token=bearer_token,
            auth_hint=errormap.SERVICE_AUTH_HINT,
        )
        self.service_id = service_id
        self.base_uri = f"{self._transport.root}/public/api/v1/{service_id}"

    def __repr__(self) -> str:
        return f"APINodeClient({self._transport.root!r}, {self.service_id!r})"

    def __enter__(self) -> APINodeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the HTTP connections."""
        self._transport.close()

    def _post(self, endpoint_id: str, verb: str, body: dict[str, Any]) -> Any:
        path: Sequence[str] = (
            "public",
            "api",
            "v1",
            segment(self.service_id, "service id"),
            segment(endpoint_id, "endpoint id"),
            verb,
        )
        # Queries change nothing on the node: a lost answer needs no "may have been applied".
        return self._transport.request("POST", path, body=body, changes=False).json(required=True)

    @staticmethod
    def _dispatch(obj: dict[str, Any], forced_generation: Any, dispatch_key: Any) -> None:
        if forced_generation is not None:
            obj["dispatch"] = {"forcedGeneration": forced_generation}
        elif dispatch_key is not None:
            obj["dispatch"] = {"dispatchKey": dispatch_key}

    @staticmethod
    def _explanations(
        enabled: Optional[bool], method: Optional[str], n: Optional[int], steps: Optional[int]
    ) -> dict[str, Any]:
        return {"enabled": enabled, "method": method, "nExplanations": n, "nMonteCarloSteps": steps}

    @staticmethod
    def _check_records(records: Sequence[Any], field: str = "features") -> None:
        for record in records:
            if not isinstance(record, dict) or field not in record:
                raise UsageError(f"each record must be an object with a '{field}' object")

    def predict_record(
        self,
        endpoint_id: str,
        features: dict[str, Any],
        forced_generation: Optional[str] = None,
        dispatch_key: Optional[str] = None,
        context: Optional[dict[str, Any]] = None,
        with_explanations: Optional[bool] = None,
        explanation_method: Optional[str] = None,
        n_explanations: Optional[int] = None,
        n_explanations_mc_steps: Optional[int] = None,
    ) -> Any:
        """Predict one record; the answer has a ``result`` object."""
        obj: dict[str, Any] = {
            "features": features,
            "explanations": self._explanations(
                with_explanations, explanation_method, n_explanations, n_explanations_mc_steps
            ),
        }
        self._dispatch(obj, forced_generation, dispatch_key)
        if context is not None:
            obj["context"] = context
        return self._post(endpoint_id, "predict", obj)

    def predict_records(
        self,
        endpoint_id: str,
        records: Sequence[dict[str, Any]],
        forced_generation: Optional[str] = None,
        dispatch_key: Optional[str] = None,
        with_explanations: Optional[bool] = None,
        explanation_method: Optional[str] = None,
        n_explanations: Optional[int] = None,
        n_explanations_mc_steps: Optional[int] = None,
    ) -> Any:
        """Predict a batch of ``{"features": ...}`` records; the answer has ``results``."""
        self._check_records(records)
        obj: dict[str, Any] = {
            "items": records,
            "explanations": self._explanations(
                with_explanations, explanation_method, n_explanations, n_explanations_mc_steps
            ),
        }
        self._dispatch(obj, forced_generation, dispatch_key)
        return self._post(endpoint_id, "predict-multi", obj)

    def forecast(
        self,
        endpoint_id: str,
        records: Sequence[dict[str, Any]],
        forced_generation: Optional[str] = None,
        dispatch_key: Optional[str] = None,
    ) -> Any:
        """Forecast with a time series endpoint."""
        obj: dict[str, Any] = {"items": records}
        self._dispatch(obj, forced_generation, dispatch_key)
        return self._post(endpoint_id, "forecast", obj)

    def predict_effect(
        self,
        endpoint_id: str,
        features: dict[str, Any],
        forced_generation: Optional[str] = None,
        dispatch_key: Optional[str] = None,
    ) -> Any:
        """Predict the treatment effect of one record (causal endpoints)."""
        obj: dict[str, Any] = {"features": features}
        self._dispatch(obj, forced_generation, dispatch_key)
        return self._post(endpoint_id, "predict-effect", obj)

    def predict_effects(
        self,
        endpoint_id: str,
        records: Sequence[dict[str, Any]],
        forced_generation: Optional[str] = None,
        dispatch_key: Optional[str] = None,
    ) -> Any:
        """Predict treatment effects for a batch of records (causal endpoints)."""
        self._check_records(records)
        obj: dict[str, Any] = {"items": records}
        self._dispatch(obj, forced_generation, dispatch_key)
        return self._post(endpoint_id, "predict-effect-multi", obj)

    def sql_query(self, endpoint_id: str, parameters: dict[str, Any]) -> Any:
        """Query a SQL query endpoint; the answer has ``columns`` and ``rows``."""
        return self._post(endpoint_id, "query", parameters)

    def lookup_record(
        self, endpoint_id: str, record: dict[str, Any], context: Optional[dict[str, Any]] = None
    ) -> Any:
        """Look up one record on a dataset lookup endpoint; returns its result (``data``)."""
        obj: dict[str, Any] = {"data": record}
        if context is not None:
            obj["context"] = context
        answer = expect(self._post(endpoint_id, "lookup", obj), dict, "lookup answer")
        results = expect(answer.get("results"), list, "'results' field")
        if not results:
            raise InvalidResponseError("the node's lookup answer has no result")
        return results[0]

    def lookup_records(self, endpoint_id: str, records: Sequence[dict[str, Any]]) -> Any:
        """Look up a batch of ``{"data": ...}`` records; the answer has ``results``."""
        self._check_records(records, "data")
        return self._post(endpoint_id, "lookup-multi", {"items": records})

    def get_swagger(self) -> Any:
        """The service's OpenAPI document (``GET .../swagger``); not in dataikuapi."""
        path = ("public", "api", "v1", segment(self.service_id, "service id"), "swagger")
        return self._transport.request("GET", path, changes=False).json(required=True)

    def run_function(self, endpoint_id: str, **kwargs: Any) -> Any:
        """Call a function endpoint with ``kwargs`` as its arguments; returns its result."""
        return self._post(endpoint_id, "run", kwargs)
