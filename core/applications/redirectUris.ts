/**
 * What a registered `redirect_uri` may be (RFC 9700 §2.1, RFC 8252 §7.3): an absolute `https:` URL, or `http:` for
 * a loopback host (a native app's local listener); never a fragment (RFC 6749 §3.1.2), never credentials, and no
 * other scheme (`javascript:`, `data:`, `file:` ... would turn the redirect into script or a local read).
 * Returns what is wrong, or undefined.
 */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    return 'must use https: (http: only for a loopback host: localhost, 127.0.0.0/8, [::1])';
  }
  if (uri.includes('#')) return 'must not have a fragment (#)';
  if (url.username || url.password) return 'must not carry a user name or password';
  return undefined;
}

/** Every problem of a list of redirect URIs, each prefixed with its JSON path under `path`. */
export function redirectUriProblems(uris: readonly string[], path: string): string[] {
  return uris.flatMap((uri, index) => {
    const problem = redirectUriProblem(uri);
    return problem ? [`${path}/${index} ${problem}`] : [];
  });
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
