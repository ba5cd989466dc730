import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import {
  BlobServiceClient,
  StorageSharedKeyCredential,
  AnonymousCredential,
  type ContainerClient,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import { mapLimit } from '@mlops/foundation';
import type { AzureContext } from './context.js';

/** A file to upload: from disk, or bytes made here (the batch driver). */
export interface UploadFile {
  /** Path under the upload prefix, with forward slashes. */
  path: string;
  source: string | Buffer;
}

const TRANSFERS = 8;

/**
 * The workspace's default datastore: where model files, code snapshots and
 * job inputs are uploaded (content-addressed, so nothing is uploaded twice)
 * and where job outputs and logs are read back.
 */
export class Storage {
  constructor(
    private readonly container: ContainerClient,
    private readonly datastore: string,
    private readonly context: AzureContext,
  ) {}

  /** `azureml://` URI of a path in this datastore, as models and job inputs name it. */
  uri(blobPath: string): string {
    const { subscriptionId, resourceGroup, workspace } = this.context.options;
    return `azureml://subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/workspaces/${workspace}/datastores/${this.datastore}/paths/${blobPath}`;
  }

  /** The path in this datastore an `azureml://` URI names, or undefined for another store. */
  pathOf(uri: string): string | undefined {
    const match = /^azureml:\/\/(?:.*\/)?datastores\/([^/]+)\/paths\/(.*)$/i.exec(uri);
    return match && match[1] === this.datastore ? match[2] : undefined;
  }

  /** Uploads the files under `prefix`, skipping those already there (same path and size). */
  async upload(prefix: string, files: readonly UploadFile[]): Promise<{ uploaded: number }> {
    const base = prefix.replace(/\/*$/, '/');
    const present = await this.sizes(base);
    const missing: { file: UploadFile; size: number }[] = [];
    for (const file of files) {
      const size =
        typeof file.source === 'string' ? (await stat(file.source)).size : file.source.length;
      if (present.get(`${base}${file.path}`) !== size) missing.push({ file, size });
    }
    await mapLimit(missing, TRANSFERS, async ({ file }) => {
      const blob = this.container.getBlockBlobClient(`${base}${file.path}`);
      await this.context.call(`uploading ${file.path}`, () =>
        typeof file.source === 'string'
          ? blob.uploadFile(file.source)
          : blob.uploadData(file.source),
      );
    });
    return { uploaded: missing.length };
  }

  /** Downloads every blob under `prefix` into `dir`, keeping the relative paths. */
  async download(prefix: string, dir: string): Promise<number> {
    const base = prefix.replace(/\/*$/, '/');
    const names = [...(await this.sizes(base)).keys()];
    await mapLimit(names, TRANSFERS, async (name) => {
      const target = path.join(dir, ...name.slice(base.length).split('/'));
      if (!target.startsWith(path.resolve(dir) + path.sep)) return;
      await mkdir(path.dirname(target), { recursive: true });
      await this.context.call(`downloading ${name}`, () =>
        this.container.getBlobClient(name).downloadToFile(target),
      );
    });
    return names.length;
  }

  /** A text blob, or undefined when it does not exist. */
  async readText(blobPath: string): Promise<string | undefined> {
    const blob = this.container.getBlobClient(blobPath);
    if (!(await blob.exists())) return undefined;
    return (await blob.downloadToBuffer()).toString('utf8');
  }

  private async sizes(prefix: string): Promise<Map<string, number>> {
    return this.context.call(`listing ${prefix}`, async () => {
      const found = new Map<string, number>();
      for await (const item of this.container.listBlobsFlat({ prefix }))
        found.set(item.name, item.properties.contentLength ?? -1);
      return found;
    });
  }
}

/** Reads the default datastore and opens its container with the datastore's credential. */
export async function openStorage(context: AzureContext): Promise<Storage> {
  const { client, rg, ws } = context;
  const datastore = await context.call('reading the default datastore', async () => {
    for await (const store of client.datastores.list(rg, ws, { isDefault: true })) return store;
    return client.datastores.get(rg, ws, 'workspaceblobstore');
  });
  const props = datastore.properties as {
    datastoreType: string;
    accountName?: string;
    containerName?: string;
    endpoint?: string;
    protocol?: string;
    credentials?: { credentialsType: string };
  };
  if (props.datastoreType !== 'AzureBlob' || !props.accountName || !props.containerName)
    throw new Error(
      `the default datastore ${datastore.name} of ${context.scope.workspace} is ${props.datastoreType}, not Azure Blob storage`,
    );
  const name = datastore.name ?? 'workspaceblobstore';
  const account = props.accountName;
  const endpoint = props.endpoint ?? 'core.windows.net';
  const protocol = props.protocol ?? 'https';
  // An address with a port (an emulator, Azure Stack) is addressed path-style.
  const url = /[:]|^\d+\.\d+\.\d+\.\d+$/.test(endpoint)
    ? `${protocol}://${endpoint}/${account}`
    : `${protocol}://${account}.blob.${endpoint}`;
  const credential = await storageCredential(
    context,
    name,
    account,
    props.credentials?.credentialsType,
  );
  const service =
    typeof credential === 'string'
      ? new BlobServiceClient(
          `${url}?${credential}`,
          new AnonymousCredential(),
          pipelineOptions(context),
        )
      : new BlobServiceClient(url, credential, pipelineOptions(context));
  return new Storage(service.getContainerClient(props.containerName), name, context);
}

function pipelineOptions(context: AzureContext): StoragePipelineOptions {
  const { storageHttpClient } = context.options;
  return storageHttpClient ? { httpClient: storageHttpClient } : {};
}

/** Account key, SAS (as a query string) or, for identity-based datastores, our own token. */
async function storageCredential(
  context: AzureContext,
  datastore: string,
  account: string,
  type: string | undefined,
): Promise<StorageSharedKeyCredential | TokenCredential | string> {
  if (type !== 'AccountKey' && type !== 'Sas') return context.options.credential;
  const secrets = (await context.call(`reading the secrets of datastore ${datastore}`, () =>
    context.client.datastores.listSecrets(context.rg, context.ws, datastore),
  )) as { secretsType: string; key?: string; sasToken?: string };
  const secret = secrets.key ?? secrets.sasToken;
  if (!secret)
    throw new Error(
      `datastore ${datastore} of ${context.scope.workspace} returned no ${type} secret`,
    );
  context.options.mask?.(secret);
  return secrets.key
    ? new StorageSharedKeyCredential(account, secrets.key)
    : secret.replace(/^\?/, '');
}

/** Every file under `dir`, relative with forward slashes, sorted. */
export async function folderFiles(dir: string): Promise<UploadFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => {
      const full = path.join(e.parentPath, e.name);
      return { path: path.relative(dir, full).split(path.sep).join('/'), source: full };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}
