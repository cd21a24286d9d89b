/**
 * A throwaway Argo CD for the e2e GitOps phase, in front of one e2e API server (e2e/cluster.ts):
 * redis and three Argo CD processes on 127.0.0.1, free ports, everything in the cluster's temp dir.
 *
 * - redis-server (Debian's, from PATH): no persistence, loopback only, its command line kept.
 * - argocd-repo-server: plaintext gRPC (`--disable-tls --client-ca-path ''`); it runs git,
 *   `git-verify-wrapper.sh` and `kustomize` from PATH, so .tools/bin goes first on theirs;
 *   `--revision-cache-expiration 5s` so that a new commit of a branch is seen at once.
 * - argocd-application-controller, argocd-applicationset-controller: `ARGOCD_FAKE_IN_CLUSTER=true`
 *   makes `https://kubernetes.default.svc` (the in-cluster destination) mean the KUBECONFIG's
 *   server, i.e. the e2e API server; short resync and self-heal timeouts for test speed.
 * Every process has its own HOME, TMPDIR, TLS/SSH/GnuPG data paths and GPG off, as the images'
 * defaults point at /app and /home/argocd.
 *
 * The processes run from symlinks in the temp dir (`<dir>/argocd/bin/<component>` -> .tools/bin),
 * so that the command line of each names the run's temp dir: scripts/e2e.sh kills whatever is
 * left of a run by that, as for etcd and kube-apiserver. The multi-call binary takes the component
 * from its file name.
 *
 * What Argo CD reads before it starts (its CRDs, argocd-cm, argocd-secret, the `default` project)
 * is installed by the caller: see e2e/gitops-phase.ts.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Cluster, freePort, Proc, startProcess, stopProcess, tail, waitFor } from './cluster';

/** The Argo CD components the phase runs (the multi-call binary's names for them). */
export const ARGOCD_COMPONENTS = ['argocd-repo-server', 'argocd-application-controller', 'argocd-applicationset-controller'] as const;

export interface ArgoCdOptions {
  /** The API server Argo CD runs against (and deploys to, as its in-cluster destination). */
  readonly cluster: Cluster;
  /** Holds `argocd` (multi-call), `kustomize` and `git-verify-wrapper.sh`. */
  readonly binDir: string;
  /** Argo CD's namespace: its settings, Applications, AppProjects and ApplicationSets. */
  readonly namespace: string;
  /** How long each process may take to answer its health endpoint. @default 60_000 */
  readonly readyTimeoutMs?: number;
}

export interface ArgoCd {
  readonly namespace: string;
  /** Seconds from spawning redis to the last component answering. */
  readonly startSeconds: number;
  /** Resident memory of every process now, in MiB (from /proc). */
  rssMiB(): number;
  /** The last warnings and errors of every process (else its last lines), for a failure's detail. */
  logs(lines?: number): string;
  /** Stops every process (SIGTERM, then SIGKILL), last started first. */
  stop(): Promise<void>;
}

/** `redis-server` on PATH, or undefined. */
export function redisServerBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const f = path.join(dir, 'redis-server');
    if (dir !== '' && fs.existsSync(f)) return f;
  }
  return undefined;
}

/** Answers true once redis answers PING with +PONG. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

async function httpOk(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return r.status === 200;
}

/** The last `lines` warnings and errors of an Argo CD log (logrus text), else its last lines. */
function problems(file: string, lines: number): string {
  const all = tail(file, 2_000).split('\n');
  const bad = all.filter((l) => /level=(warning|error|fatal)/.test(l));
  return (bad.length > 0 ? bad : all).slice(-lines).map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l)).join('\n');
}

function rssKiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export async function startArgoCd(opts: ArgoCdOptions): Promise<ArgoCd> {
  const t0 = Date.now();
  const dir = path.join(opts.cluster.dir, 'argocd');
  const paths = {
    bin: path.join(dir, 'bin'),
    home: path.join(dir, 'home'),
    tmp: path.join(dir, 'tmp'),
    tls: path.join(dir, 'tls'),
    ssh: path.join(dir, 'ssh'),
    gnupg: path.join(dir, 'gnupg'),
    redis: path.join(dir, 'redis'),
  };
  for (const p of Object.values(paths)) fs.mkdirSync(p, { recursive: true, mode: 0o700 });
  for (const c of ARGOCD_COMPONENTS) fs.symlinkSync(path.join(opts.binDir, 'argocd'), path.join(paths.bin, c));
  const redisBin = redisServerBinary();
  if (!redisBin) throw new Error('redis-server is not on PATH: run make setup (scripts/setup.sh gitops installs it)');

  const procs: Proc[] = [];
  const stop = async (): Promise<void> => {
    for (const p of [...procs].reverse()) await stopProcess(p);
  };
  const env: NodeJS.ProcessEnv = {
    PATH: [opts.binDir, ...(process.env.PATH ?? '').split(path.delimiter)].join(path.delimiter),
    HOME: paths.home,
    TMPDIR: paths.tmp,
    KUBECONFIG: opts.cluster.kubeconfig,
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    ARGOCD_TLS_DATA_PATH: paths.tls,
    ARGOCD_SSH_DATA_PATH: paths.ssh,
    ARGOCD_GNUPGHOME: paths.gnupg,
    ARGOCD_GPG_ENABLED: 'false',
  };
  const ready = opts.readyTimeoutMs ?? 60_000;
  const common = ['--namespace', opts.namespace, '--loglevel', 'info', '--logformat', 'text'];
  try {
    const [redisPort, repoPort, repoMetrics, controllerMetrics, appsetMetrics, appsetProbe, appsetWebhook] = await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    );
    const redisAddr = `127.0.0.1:${redisPort}`;
    const repoAddr = `127.0.0.1:${repoPort}`;
    const redis = startProcess(
      'redis',
      redisBin,
      // --set-proc-title no: redis would replace its command line, which names the run's temp dir
      ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no', '--set-proc-title', 'no', '--dir', paths.redis],
      dir,
      env,
    );
    procs.push(redis);
    await waitFor('redis PING', ready, [redis], () => redisPing(redisPort));

    const repo = startProcess(
      'argocd-repo-server',
      path.join(paths.bin, 'argocd-repo-server'),
      [
        '--address', '127.0.0.1',
        '--port', String(repoPort),
        '--metrics-address', '127.0.0.1',
        '--metrics-port', String(repoMetrics),
        '--redis', redisAddr,
        '--disable-tls',
        '--client-ca-path', '',
        '--revision-cache-expiration', '5s',
        '--loglevel', 'info',
        '--logformat', 'text',
      ],
      dir,
      env,
    );
    procs.push(repo);
    // ?full=true: the gRPC server itself answers its health check, not only the HTTP mux.
    await waitFor('argocd-repo-server /healthz', ready, [redis, repo], () => httpOk(`http://127.0.0.1:${repoMetrics}/healthz?full=true`));

    const controller = startProcess(
      'argocd-application-controller',
      path.join(paths.bin, 'argocd-application-controller'),
      [
        ...common,
        '--repo-server', repoAddr,
        '--repo-server-plaintext',
        '--redis', redisAddr,
        '--metrics-port', String(controllerMetrics),
        '--app-resync', '10',
        '--app-resync-jitter', '0',
        '--self-heal-timeout-seconds', '2',
      ],
      dir,
      env,
    );
    const appset = startProcess(
      'argocd-applicationset-controller',
      path.join(paths.bin, 'argocd-applicationset-controller'),
      [
        ...common,
        '--argocd-repo-server', repoAddr,
        '--repo-server-plaintext',
        '--metrics-addr', `127.0.0.1:${appsetMetrics}`,
        '--probe-addr', `127.0.0.1:${appsetProbe}`,
        '--webhook-addr', `127.0.0.1:${appsetWebhook}`,
      ],
      dir,
      env,
    );
    procs.push(controller, appset);
    await Promise.all([
      waitFor('argocd-application-controller /healthz', ready, procs, () => httpOk(`http://127.0.0.1:${controllerMetrics}/healthz`)),
      // its probe address answers /readyz with 404 in v3.5: the metrics address answers once it runs
      waitFor('argocd-applicationset-controller /metrics', ready, procs, () => httpOk(`http://127.0.0.1:${appsetMetrics}/metrics`)),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    namespace: opts.namespace,
    startSeconds: (Date.now() - t0) / 1000,
    rssMiB: () => procs.reduce((sum, p) => sum + rssKiB(p.child.pid), 0) / 1024,
    logs: (lines = 8) => procs.map((p) => `--- ${p.name} (${p.log})\n${problems(p.log, lines)}`).join('\n'),
    stop,
  };
}
