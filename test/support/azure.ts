import { startArmEmulator, type ArmEmulator } from '../arm-emulator/index.js';

/** Coordinates of the two emulated workspaces a project's dev and prod use. */
export const AZURE = {
  tenant: '6f1e2d3c-0000-4000-8000-00000000c0de',
  subscription: '6f1e2d3c-0000-4000-8000-0000000005b5',
  resourceGroup: 'rg-forecast',
  client: 'mlops-ci',
  subject: 'repo:acme/forecast:environment:prod',
} as const;

/** The ARM emulator listening with TLS, with workspaces mlw-dev and mlw-prod. */
export async function startAzure(options: { stepMs?: number } = {}): Promise<ArmEmulator> {
  const emu = await startArmEmulator({
    mode: 'server',
    tenantId: AZURE.tenant,
    workspaces: ['mlw-dev', 'mlw-prod'].map((name) => ({
      subscriptionId: AZURE.subscription,
      resourceGroup: AZURE.resourceGroup,
      name,
    })),
    clients: [{ clientId: AZURE.client, subject: AZURE.subject }],
    stepMs: options.stepMs ?? 10,
  });
  emu.oidc.subject = AZURE.subject;
  return emu;
}

/** The `environments:` block pointing dev and prod at the emulator's workspaces. */
export function azureEnvironments(emu: ArmEmulator): string {
  const workspace = (name: string) =>
    [
      `  ${name}:`,
      '    backend: azureml',
      `    subscription-id: ${AZURE.subscription}`,
      `    resource-group: ${AZURE.resourceGroup}`,
      `    workspace: mlw-${name}`,
      `    tenant-id: ${AZURE.tenant}`,
      `    client-id: ${AZURE.client}`,
      `    arm-endpoint: ${emu.urls.arm}`,
      `    authority-host: ${emu.urls.login}`,
      '    compute: cpu-cluster',
      '    job-environment: azureml:mlops-python:1',
      '    poll-seconds: 0.05',
    ].join('\n');
  return ['environments:', '  local: { backend: local }', workspace('dev'), workspace('prod')].join(
    '\n',
  );
}

/** What a runner step with `permissions: id-token: write` sees, plus the emulator's CA. */
export function azureRunnerEnv(emu: ArmEmulator): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: emu.caFile ?? '',
    ACTIONS_ID_TOKEN_REQUEST_URL: emu.oidc.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: emu.oidc.requestToken,
  };
}
