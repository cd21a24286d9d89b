/**
 * A minimal Kubernetes REST client for the e2e tests (bearer token, pinned CA), plus API discovery
 * that maps apiVersion/kind to the REST path, so that any kind (CRDs included) can be read back.
 */
import * as https from 'https';

export interface KubeResponse {
  readonly status: number;
  readonly body: string;
  /** `Warning` response headers (PodSecurity warn mode, deprecations, ...). */
  readonly warnings: string[];
  json<T = unknown>(): T;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    [k: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ApiResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export class KubeClient {
  private readonly agent: https.Agent;
  private readonly discovery = new Map<string, ApiResource[]>();

  constructor(
    readonly server: string,
    private readonly token: string,
    ca: Buffer,
  ) {
    this.agent = new https.Agent({ ca, keepAlive: true, maxSockets: 8 });
  }

  request(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const url = new URL(urlPath, this.server);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            ...(payload === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) }),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const w = res.headers.warning;
            const warnings = w === undefined ? [] : (Array.isArray(w) ? w : [w]).map((x) => x.replace(/^299 - "?|"$/g, ''));
            resolve({
              status: res.statusCode ?? 0,
              body: text,
              warnings,
              json<T>(): T {
                return JSON.parse(text) as T;
              },
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }

  /** Resources of one group/version from discovery (cached; call forget() after installing CRDs). */
  async resources(apiVersion: string): Promise<ApiResource[]> {
    const cached = this.discovery.get(apiVersion);
    if (cached) return cached;
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    const res = await this.request('GET', group === '' ? `/api/${version}` : `/apis/${group}/${version}`);
    if (res.status === 404) throw new Error(`the API server does not serve ${apiVersion} (not enabled, or its CRD is not installed)`);
    if (res.status !== 200) throw new Error(`discovery of ${apiVersion}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    const list = res.json<{ resources: { name: string; kind: string; namespaced: boolean }[] }>();
    const out = list.resources
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({ group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced }));
    this.discovery.set(apiVersion, out);
    return out;
  }

  forget(): void {
    this.discovery.clear();
  }

  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    const r = (await this.resources(apiVersion)).find((x) => x.kind === kind);
    if (!r) throw new Error(`the API server does not serve kind ${kind} in ${apiVersion}`);
    return r;
  }

  /** REST path of a collection (`name` omitted) or of one object. */
  static path(r: ApiResource, namespace: string | undefined, name?: string): string {
    const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
    const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
    return `${base}${ns}/${r.resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  async objectPath(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<string> {
    const r = await this.resourceFor(obj.apiVersion, obj.kind);
    return KubeClient.path(r, obj.metadata.namespace, obj.metadata.name);
  }

  /** GET one object; undefined when it does not exist. */
  async get(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<KubeObject | undefined> {
    const res = await this.request('GET', await this.objectPath(obj));
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`GET ${ref(obj)}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    return res.json<KubeObject>();
  }
}

/** "Kind namespace/name" or "Kind name". */
export function ref(obj: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
}

/** The message of a Status error body, or the raw body. */
export function statusMessage(res: KubeResponse): string {
  try {
    const s = res.json<{ message?: string }>();
    if (typeof s.message === 'string') return s.message;
  } catch {
    /* not JSON */
  }
  return res.body.slice(0, 500);
}
