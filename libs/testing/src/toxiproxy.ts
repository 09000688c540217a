/** A Toxiproxy proxy in front of a server of the local stack, for network fault tests. */
export interface Proxy {
  /** Port the proxy listens on (127.0.0.1). */
  port: number;
  /** Cuts (false) or restores (true) every connection through the proxy. */
  setEnabled(enabled: boolean): Promise<void>;
  /**
   * Adds latency (ms) to everything through the proxy: to answers (downstream, the default), or to
   * requests before they reach the server (upstream).
   */
  addLatency(ms: number, stream?: 'upstream' | 'downstream'): Promise<void>;
  /** Resets that share (0–1) of connections through the proxy at once: an error rate. */
  addResets(share: number): Promise<void>;
  /** Closes each connection once this many bytes went upstream through it: requests cut midway. */
  limitData(bytes: number): Promise<void>;
  /** Holds everything sent upstream from now on, without closing: requests hang, never arrive. */
  stall(): Promise<void>;
  /** Removes every toxic added so far: the proxy passes traffic unharmed again. */
  clearToxics(): Promise<void>;
  remove(): Promise<void>;
}

async function call(apiUrl: string, path: string, method: string, body?: object): Promise<Response> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`toxiproxy ${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** Creates a proxy on a free port in front of `upstream` ("host:port"). */
export async function createProxy(apiUrl: string, name: string, upstream: string): Promise<Proxy> {
  const created = (await (
    await call(apiUrl, '/proxies', 'POST', { name, listen: '127.0.0.1:0', upstream })
  ).json()) as { listen: string };
  return {
    port: Number(created.listen.split(':').pop()),
    setEnabled: async (enabled) => void (await call(apiUrl, `/proxies/${name}`, 'POST', { enabled })),
    addLatency: async (ms, stream = 'downstream') =>
      void (await call(apiUrl, `/proxies/${name}/toxics`, 'POST', {
        type: 'latency',
        stream,
        attributes: { latency: ms },
      })),
    addResets: async (share) =>
      void (await call(apiUrl, `/proxies/${name}/toxics`, 'POST', {
        type: 'reset_peer',
        toxicity: share,
        attributes: { timeout: 0 },
      })),
    limitData: async (bytes) =>
      void (await call(apiUrl, `/proxies/${name}/toxics`, 'POST', {
        type: 'limit_data',
        stream: 'upstream',
        attributes: { bytes },
      })),
    stall: async () =>
      void (await call(apiUrl, `/proxies/${name}/toxics`, 'POST', {
        type: 'timeout',
        stream: 'upstream',
        attributes: { timeout: 0 },
      })),
    clearToxics: async () => {
      const toxics = (await (await call(apiUrl, `/proxies/${name}/toxics`, 'GET')).json()) as {
        name: string;
      }[];
      for (const toxic of toxics) await call(apiUrl, `/proxies/${name}/toxics/${toxic.name}`, 'DELETE');
    },
    remove: async () => void (await call(apiUrl, `/proxies/${name}`, 'DELETE')),
  };
}
