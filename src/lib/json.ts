// Stored JSON text (skills, later honours, snapshots) read back without letting a damaged value throw.

/** `JSON.parse(text)`, or the fallback when the text is empty or not JSON. */
export function parseJsonOr<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
