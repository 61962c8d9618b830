// @opentelemetry/api, an optional peer dependency: loaded on first use, from wherever the
// application has it (the API keeps its registered SDK in a global, so any copy of it sees it).
type OtelApi = typeof import('@opentelemetry/api');

let loaded: OtelApi | null | undefined;

/** @opentelemetry/api, or undefined when the application does not have it. */
export function optionalOtelApi(): OtelApi | undefined {
  if (loaded === undefined) {
    try {
      loaded = require('@opentelemetry/api') as OtelApi;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** @opentelemetry/api; a clear error when the application does not have it. */
export function requireOtelApi(feature: string): OtelApi {
  const api = optionalOtelApi();
  if (api === undefined) {
    throw new Error(
      `${feature} needs @opentelemetry/api: install it (npm install @opentelemetry/api) along with an OpenTelemetry SDK`,
    );
  }
  return api;
}
