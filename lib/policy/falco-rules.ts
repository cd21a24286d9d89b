import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { environmentName } from '../manifest/names';
import { toYaml } from '../manifest/yaml-emitter';
import { lintFalcoRules } from './falco-lint';

/**
 * Platform-specific Falco rules: runtime detection of what admission cannot prevent. The file is
 * self-contained (it defines every macro and list it uses, so it loads with or without Falco's
 * default ruleset) and every name carries the environment, so the rules of two environments
 * sharing a cluster (and a Falco) never redefine each other.
 */

export type FalcoItem =
  | { readonly list: string; readonly items: readonly string[] }
  | { readonly macro: string; readonly condition: string }
  | {
    readonly rule: string;
    readonly desc: string;
    readonly condition: string;
    readonly output: string;
    readonly priority: FalcoPriority;
    readonly tags: readonly string[];
  };

export const FALCO_PRIORITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'INFO', 'DEBUG'] as const;
export type FalcoPriority = (typeof FALCO_PRIORITIES)[number];

/** An AI agent of the platform and where it may connect outside the cluster. */
export interface FalcoAgent {
  /** Component name: its pods' app.kubernetes.io/name label and its container's name. */
  readonly name: string;
  /** DNS names of its external endpoints. */
  readonly hosts: readonly string[];
  /** Address ranges of its external endpoints. */
  readonly cidrs: readonly string[];
}

export interface FalcoRulesProps {
  readonly environment: string;
  /** The namespaces the rules watch: the environment's own. */
  readonly namespaces: readonly string[];
  readonly agents: readonly FalcoAgent[];
}

const SHELLS = ['ash', 'bash', 'csh', 'dash', 'fish', 'ksh', 'mksh', 'sh', 'tcsh', 'zsh'];
/**
 * Cluster-internal traffic (pods, services, private endpoints) is the network policy's job.
 * Link-local stays watched: 169.254.169.254 is the cloud metadata service, a classic SSRF target.
 */
const PRIVATE_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

const CONTEXT = 'ns=%k8s.ns.name pod=%k8s.pod.name container=%container.name image=%container.image.repository:%container.image.tag';

/** The rules of one environment, in load order (every list and macro before its first use). */
export function falcoRules(props: FalcoRulesProps): FalcoItem[] {
  const p = `bulwark_${props.environment.replace(/-/g, '_')}`;
  const items: FalcoItem[] = [
    { list: `${p}_namespaces`, items: [...props.namespaces] },
    { list: `${p}_shell_binaries`, items: SHELLS },
    { macro: `${p}_workload`, condition: `(container.id != host and k8s.ns.name in (${p}_namespaces))` },
    { macro: `${p}_spawned_process`, condition: '(evt.type in (execve, execveat) and evt.dir = <)' },
    {
      macro: `${p}_open_write`,
      condition: "(evt.type in (open, openat, openat2) and evt.is_open_write = true and fd.typechar = 'f' and fd.num >= 0)",
    },
    {
      rule: `Bulwark ${props.environment}: shell in a container`,
      desc: 'A shell started in a container of the platform. Its images run one binary and need no shell: '
        + 'this is an interactive session (kubectl exec) or code execution by an attacker.',
      condition: `${p}_spawned_process and ${p}_workload and proc.name in (${p}_shell_binaries)`,
      output: `Shell started in a Bulwark container (shell=%proc.name parent=%proc.pname cmdline=%proc.cmdline user=%user.name ${CONTEXT})`,
      priority: 'WARNING',
      tags: ['bulwark', 'container', 'shell', 'mitre_execution'],
    },
    {
      rule: `Bulwark ${props.environment}: write below /etc`,
      desc: 'A file below /etc was opened for writing in a container of the platform. Root filesystems are read-only, '
        + 'so this means a writable mount or a policy bypass is being used to change configuration.',
      condition: `${p}_open_write and ${p}_workload and fd.name startswith /etc/`,
      output: `File below /etc opened for writing in a Bulwark container (file=%fd.name command=%proc.cmdline user=%user.name ${CONTEXT})`,
      priority: 'ERROR',
      tags: ['bulwark', 'filesystem', 'mitre_persistence'],
    },
  ];
  if (props.agents.length > 0) {
    items.push(
      { list: `${p}_private_networks`, items: PRIVATE_NETWORKS.map((n) => `"${n}"`) },
      {
        macro: `${p}_outbound`,
        condition: '(evt.type = connect and evt.dir = < and (fd.typechar = 4 or fd.typechar = 6) and fd.ip != "0.0.0.0" '
          + 'and not fd.snet in ("127.0.0.0/8") and (evt.rawres >= 0 or evt.res = EINPROGRESS))',
      },
    );
  }
  for (const agent of props.agents) {
    const allowed = `${p}_${agent.name.replace(/-/g, '_')}`;
    const exceptions: string[] = [`not fd.snet in (${p}_private_networks)`];
    if (agent.hosts.length > 0) {
      items.push({ list: `${allowed}_hosts`, items: [...agent.hosts] });
      exceptions.push(`not fd.sip.name in (${allowed}_hosts)`);
    }
    if (agent.cidrs.length > 0) {
      items.push({ list: `${allowed}_cidrs`, items: agent.cidrs.map((c) => `"${c}"`) });
      exceptions.push(`not fd.snet in (${allowed}_cidrs)`);
    }
    items.push({
      rule: `Bulwark ${props.environment}: unexpected outbound connection from the AI agent (${agent.name})`,
      desc: `The AI agent component ${agent.name} connected outside the cluster (or to the cloud metadata service) `
        + 'to a destination its overlay does not declare in dependsOn. '
        + 'An agent steered by a prompt injection exfiltrates through exactly such a connection.',
      condition: `${p}_outbound and ${p}_workload and k8s.pod.label[app.kubernetes.io/name] = "${agent.name}" `
        + `and container.name = "${agent.name}" and ${exceptions.join(' and ')}`,
      output: `Unexpected outbound connection from the AI agent ${agent.name} `
        + `(connection=%fd.name destination=%fd.sip.name command=%proc.cmdline ${CONTEXT})`,
      priority: 'ERROR',
      tags: ['bulwark', 'network', 'ai-agent', 'mitre_exfiltration'],
    });
  }
  return items;
}

/** The rules file as Falco reads it: a YAML sequence of lists, macros and rules. */
export function falcoRulesYaml(items: readonly FalcoItem[]): string {
  return toYaml(items.map((i) => ({ ...i })) as unknown as Parameters<typeof toYaml>[0]);
}

export interface FalcoRulesConfigMapProps extends FalcoRulesProps {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function falcoRulesConfigMapName(environment: string): string {
  return environmentName(environment, 'falco-rules');
}

/** The rules in a ConfigMap in Falco's namespace, for Falco to mount into /etc/falco/rules.d/. */
export class FalcoRulesConfigMap extends Construct {
  constructor(scope: Construct, id: string, props: FalcoRulesConfigMapProps) {
    super(scope, id);
    const text = falcoRulesYaml(falcoRules(props));
    const problems = lintFalcoRules(text);
    if (problems.length > 0) throw new Error(`falco-rules: the generated rules of ${props.environment} are invalid:\n${problems.join('\n')}`);
    new k8s.KubeConfigMap(this, 'rules', {
      metadata: { name: falcoRulesConfigMapName(props.environment), namespace: props.namespace, labels: { ...props.labels } },
      data: { [`${environmentName(props.environment, 'rules')}.yaml`]: text },
    });
  }
}
