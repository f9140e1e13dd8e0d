// The one small object every route and service receives: built once at start, passed to createApp(deps).
import type { Clock } from '../shared/clock';
import type { Ids } from '../shared/ids';
import type { Logger } from '../shared/logger';
import type { Database } from './db/client';
import type { Config } from './config';
import type { SecretBox } from './crypto';
import type { Observer } from './observe';
import type { DocsAssets } from './http/openapi/docs-page';

/** Where desired state and events go (MQTT on Node/Workers; a recording publisher in tests). */
export interface Publisher {
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void>;
}

/** A publisher for processes with no broker attached: drops everything (the outbox keeps what matters). */
export const nullPublisher: Publisher = { publish: async () => undefined };

export interface Deps {
  database: Database;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  config: Config;
  publisher: Publisher;
  secrets: SecretBox;
  /** Prometheus text for GET /metrics (Node: prom-client); absent where a runtime has none. */
  metrics?: () => Promise<string>;
  /** Where measurements go (functions/observe.ts); absent: nowhere. */
  observer?: Observer;
  /** The /docs page's assets from the swagger-ui-dist package (Node: functions/node/docs-assets.ts). */
  docsAssets?: DocsAssets;
  /** A host's credential was issued again or revoked: the embedded broker closes connections made with the old one. */
  credentialChanged?: (hostId: string) => void;
}
