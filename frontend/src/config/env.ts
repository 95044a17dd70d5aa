// Build-time settings, checked once at start so a bad build fails loudly
// instead of sending requests to the wrong place.
function apiUrl(raw: string | undefined): string {
  if (!raw) return globalThis.location?.origin ?? ''; // same origin: the local runner or CloudFront serves both
  try {
    return new URL(raw).toString().replace(/\/$/, '');
  } catch {
    throw new Error(`VITE_API_URL is not a URL: ${raw}`);
  }
}

export const env = {
  apiUrl: apiUrl(import.meta.env.VITE_API_URL),
} as const;
