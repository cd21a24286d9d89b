import * as path from 'path';
import { packageEnvironment } from '../package/umbrella-chart';
import { Options } from './args';
import { CommandIo } from './command';

/** `package`: the umbrella Helm chart of one environment, `<out>/<env>/platform-<version>.tgz`. */
export function runPackage(opts: Options, { ctx, log }: CommandIo): void {
  const tgz = packageEnvironment({
    distDir: path.resolve(ctx.cwd, opts.out),
    environment: opts.env!,
    version: ctx.platformVersion,
    chartsDir: ctx.chartsDir,
    helm: ctx.helm,
  });
  log(`packaged ${path.relative(ctx.cwd, tgz)}`);
}
