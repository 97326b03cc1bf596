// Stand-in for Astro's `virtual:astro:actions/options` module, which only its build provides, so that
// tests can import the real `astro:actions` server entrypoint — and with it src/actions (the one
// `server` object every Action lives in). The value matches astro.config.mjs (trailingSlash unset).
export const shouldAppendTrailingSlash = false;
