import * as core from '@actions/core';
import { runOnRunner } from '@mlops/action-kit/runner';
import { actions } from '@mlops/stages';

/**
 * `uses: <owner>/mlops-actions@v1` with `step: <action>`: runs that action
 * with the same inputs as its own folder's action.yml.
 */
export async function run(): Promise<void> {
  const step = core.getInput('step').trim();
  const action = actions.find((a) => a.name === step);
  if (!action) {
    const names = actions.map((a) => a.name).join(', ');
    core.setFailed(
      step
        ? `input 'step' must be one of ${names}, got "${step}"`
        : `input 'step' is required: one of ${names}`,
    );
    return;
  }
  await runOnRunner(action as Parameters<typeof runOnRunner>[0]);
}
