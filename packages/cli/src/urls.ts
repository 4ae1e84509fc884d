/**
 * Query parameters of a backend URL, read and removed without knowing the backend: a cluster URL
 * (`redis+cluster://a:1,b:2`) is not a WHATWG URL, so these split the text by hand. What each
 * parameter means is the backend package's business.
 */

/** The URL's query parameters (a cluster URL is not a WHATWG URL, so this splits by hand). */
export function queryOf(url: string): URLSearchParams {
  const question = url.indexOf("?");
  if (question === -1) return new URLSearchParams();
  const hash = url.indexOf("#", question);
  return new URLSearchParams(url.slice(question + 1, hash === -1 ? undefined : hash));
}

/** `url` without the query parameters in `names`. */
export function withoutParameters(url: string, names: readonly string[]): string {
  const question = url.indexOf("?");
  if (question === -1) return url;
  const query = queryOf(url);
  for (const name of names) query.delete(name);
  const rest = query.toString();
  return rest === "" ? url.slice(0, question) : `${url.slice(0, question)}?${rest}`;
}
