import { randomUUID } from 'node:crypto';
import { armError, json } from './arm-errors.js';
import { PROVIDER } from './state.js';
import type { EmuResponse } from './types.js';

/*
 * Long-running operations the way ARM answers them: the first response carries
 * `Azure-AsyncOperation` (status URL, body `{status}`) and/or `Location` (202 while running,
 * 200/204 when done). An operation completes after `lroPolls` polls; a GET of the resource
 * itself counts as a poll too, so callers that poll provisioningState also see it finish.
 */

export type LroStatus = 'InProgress' | 'Succeeded' | 'Failed';

export interface LroOperation {
  id: string;
  subscriptionId: string;
  location: string;
  apiVersion: string;
  resourceId: string;
  status: LroStatus;
  polls: number;
  startTime: string;
  endTime?: string;
  failMessage?: string;
  /** Applied when the operation succeeds (state change becomes visible). */
  onSucceeded: () => void;
  onFailed: (message: string) => void;
  /** Body for a finished Location poll (PATCH answers the resource; DELETE nothing). */
  result?: () => unknown;
}

export class LroManager {
  private readonly ops = new Map<string, LroOperation>();
  private readonly byResource = new Map<string, LroOperation>();

  constructor(private readonly pollsNeeded: number) {}

  start(op: Omit<LroOperation, 'id' | 'status' | 'polls' | 'startTime'>): LroOperation {
    const full: LroOperation = {
      ...op,
      id: randomUUID(),
      status: 'InProgress',
      polls: 0,
      startTime: new Date().toISOString(),
    };
    this.ops.set(full.id, full);
    this.byResource.set(op.resourceId.toLowerCase(), full);
    if (this.pollsNeeded <= 0) this.advance(full);
    return full;
  }

  statusUrl(origin: string, op: LroOperation): string {
    return `${origin}/subscriptions/${op.subscriptionId}/providers/${PROVIDER}/locations/${op.location}/mfeOperationsStatus/${op.id}?api-version=${op.apiVersion}`;
  }

  resultUrl(origin: string, op: LroOperation): string {
    return `${origin}/subscriptions/${op.subscriptionId}/providers/${PROVIDER}/locations/${op.location}/mfeOperationResults/${op.id}?api-version=${op.apiVersion}`;
  }

  /** A GET of the resource: advances its pending operation, if any. */
  touch(resourceId: string): void {
    const op = this.byResource.get(resourceId.toLowerCase());
    if (op && op.status === 'InProgress') this.advance(op);
  }

  private advance(op: LroOperation): void {
    if (op.status !== 'InProgress') return;
    op.polls += 1;
    if (op.polls < this.pollsNeeded + 1 && this.pollsNeeded > 0) return;
    op.endTime = new Date().toISOString();
    this.byResource.delete(op.resourceId.toLowerCase());
    if (op.failMessage !== undefined) {
      op.status = 'Failed';
      op.onFailed(op.failMessage);
    } else {
      op.status = 'Succeeded';
      op.onSucceeded();
    }
  }

  /** GET .../mfeOperationsStatus/{id} or .../mfeOperationResults/{id}. */
  poll(kind: 'status' | 'result', id: string, origin: string): EmuResponse {
    const op = this.ops.get(id);
    if (!op) return armError(404, 'ResourceNotFound', `Operation '${id}' was not found.`);
    this.advance(op);
    if (kind === 'status') {
      const body: Record<string, unknown> = {
        id: new URL(this.statusUrl(origin, op)).pathname,
        name: op.id,
        status: op.status,
        startTime: op.startTime,
      };
      if (op.endTime) body.endTime = op.endTime;
      if (op.status === 'Failed') {
        body.error = { code: 'DeploymentFailed', message: op.failMessage ?? 'failed' };
      }
      return json(200, body, op.status === 'InProgress' ? { 'retry-after': '0' } : {});
    }
    if (op.status === 'InProgress') {
      return json(202, undefined, { location: this.resultUrl(origin, op), 'retry-after': '0' });
    }
    if (op.status === 'Failed') {
      return armError(400, 'DeploymentFailed', op.failMessage ?? 'The operation failed.');
    }
    const result = op.result?.();
    return result === undefined ? json(200, undefined) : json(200, result);
  }
}
