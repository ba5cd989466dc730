export { ActionsArtifactStore } from './actions-store.js';
export { extractArchive, writeArchive, type ArchiveEntry } from './archive.js';
export { restoreDigestCache, saveDigestCache } from './digest-cache-sync.js';
export { DigestCache, fileDigest, treeDigest } from './digest.js';
export { gitRevision, trackedFiles, type Revision, type TrackedFile } from './git.js';
export {
  canonicalJson,
  manifestDigest,
  type DataRecord,
  type FileRecord,
  type Manifest,
  type ModelRecord,
} from './manifest.js';
export { FolderStore, type ArtifactStore, type StoredArtifact } from './store.js';
