import { CHECK_FORMATS } from '../checks/formats';
import { CommandSpec } from './args';
import { runCheck } from './check-command';
import { CommandHandler } from './command';
import { runConnectivity } from './connectivity-command';
import { runDiff } from './diff-command';
import { runPackage } from './package-command';
import { runPublish } from './publish-command';
import { runReport } from './report-command';
import { runSynth } from './synth-command';
import { runVerify } from './verify-command';

/**
 * Every command of `bulwark`: a new command is one entry here and a handler of its own; the
 * parser, the usage text and the usage errors follow from the entry.
 */
/** A handler, or one of the commands `run` answers itself. */
export type CommandAction = CommandHandler | 'help' | 'version';

export const COMMANDS: readonly CommandSpec<CommandAction>[] = [
  {
    name: 'synth',
    summary: 'synthesize every overlay (or --env\'s only) into <out>/<env>/<component>/*.yaml (default)',
    options: ['overlays', 'out', 'env', 'quiet', 'jobs'],
    handler: runSynth,
  },
  {
    name: 'package',
    summary: 'build the umbrella Helm chart of one environment: <out>/<env>/platform-<version>.tgz',
    options: ['out', 'env', 'quiet'],
    required: ['env'],
    handler: runPackage,
  },
  {
    name: 'diff',
    summary: 'what a synth would change against a commit (--ref: default the dist branch, else HEAD), object by object',
    options: ['overlays', 'out', 'env', 'ref', 'format'],
    formats: ['text', 'markdown'],
    failureCode: 2,
    handler: runDiff,
  },
  {
    name: 'publish',
    summary: 'commit the output of HEAD to the dist branch Argo CD syncs, one path per environment (--to: a staging branch)',
    options: ['overlays', 'out', 'remote', 'to', 'quiet'],
    handler: runPublish,
  },
  {
    name: 'connectivity',
    summary: 'who may reach whom in one environment, through which layers, and the flows it needs (exit 1 on a finding)',
    options: ['overlays', 'env', 'report'],
    required: ['env'],
    handler: runConnectivity,
  },
  {
    name: 'check',
    summary: 'judge any Kubernetes manifests with the synth\'s checks (files, directories, - for stdin); exit 1 on an error finding, 2 on bad input',
    options: ['profile', 'format', 'waivers'],
    formats: CHECK_FORMATS,
    failureCode: 2,
    args: { synopsis: '<file|dir|->...', help: 'the manifests to judge: YAML or JSON files, directories (recursively), - for stdin', min: 1 },
    handler: runCheck,
  },
  {
    name: 'report',
    summary: 'the compliance report of every environment (or --env\'s): <out>/<env>/report/compliance.{md,json,html}; exit 1 on an unwaived error',
    options: ['overlays', 'out', 'env', 'quiet'],
    handler: runReport,
  },
  {
    name: 'verify',
    summary: 'a live cluster against dist/<env>: missing, extra and drifted objects, Pod Security labels, RBAC, rollouts; exit 1 when it differs',
    options: ['out', 'env', 'kubeconfig', 'quiet'],
    required: ['env'],
    failureCode: 2,
    handler: runVerify,
  },
  { name: 'help', summary: 'show this text (help <command>: that command\'s options)', options: [], handler: 'help' },
  { name: 'version', summary: 'print the version', options: [], handler: 'version' },
];

export const DEFAULT_COMMAND = 'synth';
