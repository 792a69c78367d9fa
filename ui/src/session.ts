/**
 * The API token of this tab. It lives in sessionStorage only: never in a URL, a cookie or
 * localStorage, so it is gone when the tab closes and never leaves with a request by itself.
 */
const KEY = "edgeflags.token";

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
