// An in-memory HostCredentialStore for brokers started without a database (tests, the workerd test broker):
// same hashing and enrolment rules as the database one (services/hosts/credentials.ts).
import { hashSecret, verifySecret } from '../crypto';
import { MIN_HOST_SECRET_LENGTH, type EnrolOutcome } from '../services/hosts/credentials';
import type { HostCredentialStore } from './mqtt-acl';

export interface MemoryCredentialStore extends HostCredentialStore {
  /** Sets hostId's secret (a rotation when it had one). */
  set(hostId: string, secret: string): Promise<void>;
  revoke(hostId: string): void;
}

export function memoryCredentialStore(): MemoryCredentialStore {
  const hashes = new Map<string, string>();
  return {
    hashFor: async (hostId) => hashes.get(hostId),
    async enrol(hostId, secret): Promise<EnrolOutcome> {
      if (secret.length < MIN_HOST_SECRET_LENGTH) return 'taken';
      const existing = hashes.get(hostId);
      if (existing) return (await verifySecret(secret, existing)) ? 'same' : 'taken';
      hashes.set(hostId, await hashSecret(secret));
      return 'enrolled';
    },
    async set(hostId, secret) { hashes.set(hostId, await hashSecret(secret)); },
    revoke: (hostId) => { hashes.delete(hostId); },
  };
}

/** A deterministic per-host secret for tests and benchmarks that pre-create credentials. */
export const testHostSecret = (hostId: string, salt = 'test') => `${salt}-host-secret-${hostId}-0123456789abcdef`;
