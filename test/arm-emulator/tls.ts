import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';

/*
 * A self-signed certificate for 127.0.0.1 and localhost. Child processes trust it through
 * NODE_EXTRA_CA_CERTS=<caFile>; the in-process side never needs it.
 */

export interface TlsMaterial {
  key: string;
  cert: string;
  caFile: string;
}

export async function createTls(dir: string): Promise<TlsMaterial> {
  const notAfter = new Date(Date.now() + 7 * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    notAfterDate: notAfter,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  const caFile = path.join(dir, 'arm-emulator-ca.pem');
  await writeFile(caFile, pems.cert);
  return { key: pems.private, cert: pems.cert, caFile };
}
