import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { tenantFolder } from '../manifest/layout';
import { PlatformModel } from '../model/platform-model';
import { TenantNamespace } from './tenant-namespace';

type TenantModel = PlatformModel['tenants'][number];

/** The `tenant-<name>` subchart: one team's namespace and its developer role. */
export class TenantChart extends Chart {
  constructor(scope: Construct, model: PlatformModel, tenant: TenantModel) {
    super(scope, tenantFolder(tenant.name), { disableResourceNameHashes: true });
    new TenantNamespace(this, 'tenant', {
      tenant: tenant.name,
      group: tenant.group,
      environment: model.environment,
      namespace: tenant.namespace,
      version: model.platformVersion,
      podSecurityVersion: model.podSecurityVersion,
      quota: tenant.quota,
      limitRange: model.limitRange,
      dns: model.dns,
      mesh: { namespace: model.mesh.namespace, controlPlaneLabels: model.mesh.controlPlaneLabels },
    });
  }
}
