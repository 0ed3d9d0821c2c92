// Signed content packages: the format comms staff carry from the corporate side to the kiosk.
// The importer needs readPackage and parsePublicKey; the CLI uses the rest. Format notes live
// in the module comments of manifest.ts, keys.ts and signature.ts.

export { buildPackage, readPostsFile } from './builder.ts';
export type { BuildPackageOptions, BuiltPackage, PackagePlan, PlannedMedia, PlannedPost } from './builder.ts';
export { canonicalJson } from './canonical-json.ts';
export { copyFileHashed, hashFile } from './file-digest.ts';
export type { FileDigest } from './file-digest.ts';
export {
  exportPrivateKeyPem,
  formatPublicKey,
  generateSigningKeyPair,
  parsePrivateKey,
  parsePublicKey,
  PUBLIC_KEY_PREFIX,
  publicKeyFingerprint,
  readPrivateKeyFile,
  readPublicKeyFile,
} from './keys.ts';
export type { PackagePublicKey, SigningKeyPair } from './keys.ts';
export {
  MANIFEST_FILE,
  PACKAGE_FORMAT_VERSION,
  PACKAGE_LIMITS,
  PACKAGE_TARGETS,
  PackageManifestSchema,
  packagePathProblem,
  parseManifest,
  printable,
  serializeManifest,
  SIGNATURE_FILE,
} from './manifest.ts';
export type { PackageFileEntry, PackageManifest, PackagePost, PackageTarget } from './manifest.ts';
export { readPackage } from './reader.ts';
export type { PackageContents, PackageSigner, PackageStatus, ReadPackageOptions } from './reader.ts';
export { parseSignatureFile, signManifestBytes, SIGNATURE_PREFIX, verifyManifestSignature } from './signature.ts';
