// The secrets the workerd tests give the Worker and its stand-ins (test values only).
export const TOKENS = {
  admin: 'workerd-admin-token-0123456789',
  agent: 'workerd-agent-token-0123456789',
  secret: 'workerd-secret-key-0123456789',
  db: 'workerd-db-token-0123456789',
  telemetry: 'workerd-telemetry-token-0123456789',
};
