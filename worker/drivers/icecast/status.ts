// What the Icecast server says about a mount on its status page (status-json.xsl): how many
// listeners (the clusters' receivers) it serves. Evidence for a broadcast's receipt, not a
// condition for airing: the page may be switched off, and then the answer is null.
import { z } from 'zod';
import { PROBE_TIMEOUT_MS } from '../probe.ts';

const Source = z.looseObject({ listenurl: z.string().optional(), listeners: z.number().optional() });
const Status = z.looseObject({
  icestats: z.looseObject({ source: z.union([Source, z.array(Source)]).optional() }).optional(),
});

/** Fetches the status page; redirects are not followed (a device never sends Loa elsewhere). */
export async function fetchStatus(serverUrl: string, signal: AbortSignal): Promise<Response> {
  return fetch(new URL('/status-json.xsl', serverUrl), {
    redirect: 'manual',
    signal: AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]),
  });
}

/** Listeners on `mount`, or null when the server does not say. */
export async function listenersOn(
  serverUrl: string,
  mount: string,
  signal: AbortSignal,
): Promise<number | null> {
  try {
    const res = await fetchStatus(serverUrl, signal);
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    const parsed = Status.safeParse(await res.json());
    if (!parsed.success) return null;
    const sources = parsed.data.icestats?.source;
    const list = Array.isArray(sources) ? sources : sources ? [sources] : [];
    const found = list.find((s) => s.listenurl !== undefined && new URL(s.listenurl).pathname === mount);
    return found ? (found.listeners ?? 0) : null;
  } catch {
    return null;
  }
}
