// The version this build reports (/healthz, the OpenAPI document).
export const VERSION = '0.1.0';
